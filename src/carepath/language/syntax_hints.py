"""The wording of syntax errors: grammar terminals → the words a protocol author knows, and the hints
for common slips (mixing `xor`/`implies`, a name read as the unit of a bare number, a quote or `/`)."""

from __future__ import annotations

import re

FRIENDLY_TERMINALS = {
    "NAME": "a name",
    "NUMBER": "a number",
    "UNIT": "a unit",
    "STRING": "a quoted string",
    "COMPARATOR": "a comparison (=, !=, <, <=, >, >=)",
    "MINUS": "'-'",
    "$END": "the end of the file",
}

UNMIXED = ("or", "xor", "implies")  # an unexpected one of these is a mixture the grammar refuses
MIXING_HINT = "'xor' and 'implies' do not mix with 'or' or chain 'implies' without parentheses: add them to say which comes first"
CHARACTER_HINT = "units follow a number (50000 /uL); strings use double quotes"

_NUMBER_THEN_WORD = re.compile(r"(\d[\d_]*(?:\.\d+)?)\s+([A-Za-z_]\w*)\s*$")


def unit_misread(text: str, line: int, column: int) -> str | None:
    """A name straight after a bare number is read as its unit (`n > 5  low otherwise`): say so."""
    lines = text.splitlines()
    before = "\n".join([*lines[: line - 1], lines[line - 1][: column - 1]]) if 0 < line <= len(lines) else ""
    match = _NUMBER_THEN_WORD.search(before)
    if match is None:
        return None
    number, word = match.groups()
    return (f"'{word}' was read as the unit of {number}: give {number} its unit, or put the comparison in parentheses "
            f"so '{word}' starts what comes next")
