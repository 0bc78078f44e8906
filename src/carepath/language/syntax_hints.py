"""The wording of syntax errors: grammar terminals → the words a protocol author knows, and the hints
for common slips (mixing `xor`/`implies`, a name read as the unit of a bare number, a quote or `/`)."""

from __future__ import annotations

import re

from carepath.language.source import lines

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

_REACH = 200  # characters before an error searched for `NUMBER word`: a number has at most 40 digits (CP108)
_NUMBER_THEN_WORD = re.compile(r"(\d[\d_]*(?:\.\d+)?)\s+([A-Za-z_]\w*)\s*$")


def unit_misread(text: str, line: int, column: int) -> str | None:
    """A name straight after a bare number is read as its unit (`n > 5  low otherwise`): say so."""
    found = lines(text)
    if not 0 < line <= len(found):
        return None
    # only the last stretch before the error can hold the number and its "unit"; searching all of it would be
    # quadratic in a long run of digits (a 20,000-digit comment took 10 s)
    before = "\n".join([*found[max(0, line - 4): line - 1], found[line - 1][: column - 1]])[-_REACH:]
    match = _NUMBER_THEN_WORD.search(before)
    if match is None:
        return None
    number, word = match.groups()
    return (f"'{word}' was read as the unit of {number}: give {number} its unit, or put the comparison in parentheses "
            f"so '{word}' starts what comes next")
