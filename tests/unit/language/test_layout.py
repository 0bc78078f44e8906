"""The protocol layout (`formatter.layout.render`): a parsed protocol and its comment units → canonical text.

Called directly, without `format_source`'s re-parse guard, so each expected text below (worked out by hand
from the layout rules in `formatter/__init__.py`) is what `render` itself produces; each is also checked to
parse back to the same protocol. The repository's protocols are kept in the canonical layout, so rendering
one must give its file back unchanged.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from carepath.language.formatter.comments import SourceText, Units
from carepath.language.formatter.layout import CONTINUATION, INDENT, render
from carepath.language.parser import parse_text, parse_with_comments
from carepath.language.source import Source

ROOT = Path(__file__).resolve().parents[3]


def layout(text: str) -> str:
    protocol, comments = parse_with_comments(Source("t.care", text))
    out = render(protocol, Units(protocol, SourceText(text), comments))
    assert parse_text(out) == protocol
    return out


@pytest.mark.parametrize("path", [*sorted((ROOT / "protocols").glob("*.care")), ROOT / "docs" / "examples" / "schedules.care"],
                         ids=lambda path: path.name)
def test_a_canonical_file_renders_to_itself(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert layout(text) == text


def test_a_header_alone_has_no_input_block_and_no_trailing_blank_line() -> None:
    assert layout("protocol p") == "protocol p\n"
    assert layout('protocol p "P"  source "S" version "2"') == 'protocol p "P"\n  version "2"\n  source "S"\n'


def test_inputs_line_up_their_colons_and_keep_options_in_order() -> None:
    text = ("protocol p\ninput\n  counts : series of one of low,high relative to transplant\n  note: text optional\n"
            "  transplant : date\n  weight : quantity kg optional plausible 1 kg .. 150 kg\n")
    # `transplant` is the longest name (10): every colon at column 14
    assert layout(text) == (
        "protocol p\n"
        "\n"
        "input\n"
        "  counts     : series of one of low, high relative to transplant\n"
        "  note       : text optional\n"
        "  transplant : date\n"
        "  weight     : quantity kg plausible 1 kg .. 150 kg optional\n"
    )


def test_dose_amounts_align_when_after_the_longest_then_rounding_and_schedule() -> None:
    text = ('protocol p\ndose bu "Busulfan" in mg:\n  0.8 mg/kg*weight when weight<9 kg\n  24 mg otherwise\n'
            "  rounded up to 0.5 mg\n  given every 6 hours on days -7,-6,-5,-4\n")
    # the longest amount is `0.8 mg/kg * weight` (18): `when` and `otherwise` start two spaces after it, at column 23
    assert layout(text) == (
        "protocol p\n"
        "\n"
        'dose bu "Busulfan" in mg:\n'
        "  0.8 mg/kg * weight  when weight < 9 kg\n"
        "  24 mg" + " " * 15 + "otherwise\n"
        "  rounded up to 0.5 mg\n"
        "  given every 6 hours on days -7, -6, -5, -4\n"
    )


def test_target_actions_line_up_after_the_longest_band() -> None:
    text = ('protocol p\ntarget csa "Ciclosporin": level within 100 ug/L .. 200 ug/L\n'
            'below "raise the dose" within "keep" above "lower the dose"\ntarget plain: level within 1 ug/L .. 2 ug/L\n')
    assert layout(text) == (
        "protocol p\n"
        "\n"
        'target csa "Ciclosporin":\n'
        "  level within 100 ug/L .. 200 ug/L\n"
        '  below  "raise the dose"\n'
        '  within "keep"\n'
        '  above  "lower the dose"\n'
        "target plain: level within 1 ug/L .. 2 ug/L\n"  # no title, no actions: one line
    )


def test_one_line_parameters_form_a_table_and_a_cited_one_takes_a_body() -> None:
    text = ('protocol p\nparameter light "Light": 0.8 mg/kg plausible 0.5 mg/kg .. 1 mg/kg\nparameter heavy_weight: 12 kg\n'
            'parameter days_free "Days" cites "Ref 2020": 7 days\n')
    # the widest heading is `parameter light "Light":` (24 columns): the values start at column 26
    assert layout(text) == (
        "protocol p\n"
        "\n"
        'parameter light "Light": 0.8 mg/kg plausible 0.5 mg/kg .. 1 mg/kg\n'
        "parameter heavy_weight:  12 kg\n"
        'parameter days_free "Days" cites "Ref 2020":\n'  # the same kind, written without a blank line: no blank line
        f"{INDENT}7 days\n"
    )


def test_untitled_events_that_fit_are_table_rows() -> None:
    text = ("protocol p\nevent anc_recovery: first of 3 consecutive days from day 1 where anc>=500 /uL\n"
            "event platelets: first day where plt >= 20000 /uL\n")
    assert layout(text) == (
        "protocol p\n"
        "\n"
        "event anc_recovery: first of 3 consecutive days from day 1 where anc >= 500 /uL\n"
        "event platelets:    first day where plt >= 20000 /uL\n"
    )


def test_a_long_titled_heading_moves_its_citation_to_a_continuation_line() -> None:
    title = "t" * 80
    text = f'protocol p\ncriterion c "{title}" cites "Lee 2011": x\n'
    # `criterion c "…" cites "Lee 2011":` would be 10 + 2 + 82 + 1 + 17 = 112 columns, past 100
    assert layout(text) == f'protocol p\n\ncriterion c "{title}"\n{CONTINUATION}cites "Lee 2011":\n{INDENT}x\n'


def test_comments_keep_their_lines_and_an_end_of_line_comment_follows_a_one_line_definition() -> None:
    text = "protocol p\n# inputs\ninput\n  a : boolean  # the flag\ncriterion c:\n  a  # why\n\n\n# closing\n"
    assert layout(text) == (
        "protocol p\n"
        "\n"
        "# inputs\n"
        "input\n"
        "  a : boolean  # the flag\n"
        "\n"
        "criterion c: a  # why\n"  # the body's comment ends the one line
        "\n"  # two blank lines written above the last comment: one kept
        "# closing\n"
    )
