"""`carepath fmt`: the canonical layout, comments kept in place, parentheses the parser needs, and the CLI.

Why: the formatter rewrites files that decide treatment. Each layout rule is shown on a small input
with the exact text it must produce (written out by hand from the rules in docs/tooling.md), every
expected text is checked to mean the same protocol as its input, and the CLI's exit codes are the
ones CI relies on (`--check`: 0 formatted, 1 would change, 2 does not parse).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from carepath.cli import main
from carepath.language import nodes as n
from carepath.language.diagnostics import ProtocolError
from carepath.language.formatter import WIDTH, FormatError, format_source, number
from carepath.language.parser import parse_text


def fmt(text: str) -> str:
    """Format, and check the two promises every example here relies on: same tree, and a fixed point."""
    out = format_source(text)
    assert parse_text(out) == parse_text(text)
    assert format_source(out) == out
    return out


# ---- layout -------------------------------------------------------------------------------------


def test_a_messy_protocol_gets_the_canonical_layout() -> None:
    messy = (
        "# File comment.\n"
        "\n"
        'protocol   demo "Demo"   source "Someone 2011"\n'
        'version "1.0"\n'
        "input\n"
        "  weight : quantity kg optional plausible 2 kg .. 150 kg\n"
        "  # Age: given, or from two dates.\n"
        "  age_at_diagnosis: duration from dob to dx plausible 0 days .. 12 months\n"
        "  dob : date optional   # date of birth\n"
        "  dx : date optional\n"
        "  anc : series of quantity /uL relative to dx\n"
        "  mll : one of germline,translocation\n"
        'criterion infant "Under 6 months" cites "Lee 2011":age_at_diagnosis<6 months\n'
        "criterion heavy: weight ≥ 12 kg   # inclusive\n"
        'classify risk "Risk":\n'
        "  high when infant and (heavy or mll = translocation)\n"
        "  standard otherwise\n"
        'parameter per_kg "Per kg": 1.1 mg/kg\n'
        'parameter days_list "Days": days 1,3,6\n'
        "dose drug in mg: per_kg * weight rounded to 0.1 mg given once daily on days 1 to 3\n"
    )
    assert fmt(messy) == (
        "# File comment.\n"
        "\n"
        'protocol demo "Demo"\n'
        '  version "1.0"\n'  # version before source, whatever the order written
        '  source "Someone 2011"\n'
        "\n"
        "input\n"
        "  weight           : quantity kg plausible 2 kg .. 150 kg optional\n"  # options in a fixed order
        "  # Age: given, or from two dates.\n"
        "  age_at_diagnosis : duration plausible 0 days .. 12 months\n"
        "                     from dob to dx\n"  # a derivation after a plausible range: its own line, under the type
        "  dob              : date optional  # date of birth\n"
        "  dx               : date optional\n"
        "  anc              : series of quantity /uL relative to dx\n"
        "  mll              : one of germline, translocation\n"
        "\n"
        'criterion infant "Under 6 months" cites "Lee 2011":\n'  # a title: the body goes below
        "  age_at_diagnosis < 6 months\n"
        "criterion heavy: weight >= 12 kg  # inclusive\n"  # no title, no citation: one line; ≥ becomes >=
        "\n"  # a different kind: a blank line, though none was written
        'classify risk "Risk":\n'
        "  high     when infant and (heavy or mll = translocation)\n"
        "  standard otherwise\n"
        "\n"
        'parameter per_kg "Per kg":  1.1 mg/kg\n'  # a run of one-line parameters is a table
        'parameter days_list "Days": days 1, 3, 6\n'
        "\n"
        "dose drug in mg: per_kg * weight rounded to 0.1 mg given once daily on days 1 to 3\n"
    )


def test_a_citation_moves_to_a_continuation_line_only_past_the_width() -> None:
    def heading(title_length: int) -> str:
        return f'criterion c "{"t" * title_length}" cites "x":'

    fits = heading(WIDTH - len(heading(0)))
    assert len(fits) == WIDTH
    assert fmt(f"protocol p\n{fits} true\n") == f"protocol p\n\n{fits}\n  true\n"
    too_wide = 'criterion c "' + "t" * (WIDTH - len(heading(0)) + 1) + '"'
    assert fmt(f'protocol p\n{too_wide} cites "x": true\n') == f'protocol p\n\n{too_wide}\n    cites "x":\n  true\n'


def test_a_dose_keeps_its_unit_after_the_citation() -> None:
    text = 'protocol p\ndose d "' + "t" * 90 + '" cites "c" in mg: 1 mg when a\n 2 mg otherwise given daily\n'
    assert fmt(text) == ('protocol p\n\ndose d "' + "t" * 90 + '"\n    cites "c" in mg:\n'
                         "  1 mg  when a\n  2 mg  otherwise\n  given daily\n")


def test_branches_amounts_and_actions_line_up() -> None:
    text = """protocol p
classify g "G": very_high when a
  low otherwise
dose d "D" in mg:
  busulfan_light * weight when weight <= 12 kg
  60 mg otherwise
  rounded down to 1 mg
target t "T": level within 1 ug/L .. 2 ug/L below "raise" above "lower"
"""
    assert fmt(text) == """protocol p

classify g "G":
  very_high when a
  low       otherwise

dose d "D" in mg:
  busulfan_light * weight  when weight <= 12 kg
  60 mg                    otherwise
  rounded down to 1 mg

target t "T":
  level within 1 ug/L .. 2 ug/L
  below "raise"
  above "lower"
"""


def test_one_line_definitions_of_one_kind_form_a_table() -> None:
    text = """protocol p
recommend a_and_b: when a and b
recommend a_or_b: when a or b
recommend not_a: when not a
dose once in mg: 1 mg given once on day -3
dose infusion in mg/d: 1 mg/d given continuously from day -1
dose unscheduled in mg: 1 mg
"""
    assert fmt(text) == """protocol p

recommend a_and_b: when a and b
recommend a_or_b:  when a or b
recommend not_a:   when not a

dose once        in mg:   1 mg   given once on day -3
dose infusion    in mg/d: 1 mg/d given continuously from day -1
dose unscheduled in mg:   1 mg
"""


def test_an_event_breaks_before_where_and_a_long_condition_before_and() -> None:
    text = ("protocol p\nevent e \"E\": first of run_days consecutive days from day 1 where platelets >= 20000 /uL "
            "and not platelet_transfusion and no platelet_transfusion in previous transfusion_free_days\n"
            "event short \"S\": first day where anc >= 500 /uL\n")
    assert fmt(text) == """protocol p

event e "E":
  first of run_days consecutive days from day 1
    where platelets >= 20000 /uL
      and not platelet_transfusion
      and no platelet_transfusion in previous transfusion_free_days
event short "S":
  first day where anc >= 500 /uL
"""


def test_lists_fill_their_lines_and_continue_after_the_parenthesis() -> None:
    text = ('protocol p\nclassify risk "R":\n  high when all of (mll_rearranged, infant_under_6_months, '
            "any of (wbc_300_or_more, prednisone_poor_response))\n  low otherwise\n")
    assert fmt(text) == """protocol p

classify risk "R":
  high when all of (mll_rearranged, infant_under_6_months,
                    any of (wbc_300_or_more, prednisone_poor_response))
  low  otherwise
"""


def test_a_long_sum_breaks_before_each_term_with_a_hanging_indent() -> None:
    text = ("protocol p\ndose fluids \"F\" in mL/d: 100 mL/kg/d * min(weight, 10 kg) + 50 mL/kg/d * "
            "max(min(weight, 20 kg) - 10 kg, 0 kg) + 20 mL/kg/d * max(weight - 20 kg, 0 kg)\n")
    assert fmt(text) == """protocol p

dose fluids "F" in mL/d:
  100 mL/kg/d * min(weight, 10 kg)
    + 50 mL/kg/d * max(min(weight, 20 kg) - 10 kg, 0 kg)
    + 20 mL/kg/d * max(weight - 20 kg, 0 kg)
"""


def test_no_line_is_wider_than_the_width_unless_one_token_is() -> None:
    names = ", ".join(f"member_{i}" for i in range(30))
    text = f"protocol p\ninput\n  kind : one of {names}\ncriterion c: " + " and ".join(f"condition_{i}" for i in range(20)) + "\n"
    out = fmt(text)
    assert all(len(line) <= WIDTH for line in out.splitlines()), out
    assert "  kind : one of member_0, member_1," in out


# ---- expressions: canonical text, and the parentheses that carry meaning ----------------------


@pytest.mark.parametrize(("written", "canonical"), [
    ("((a))", "a"),
    ("a ≥ 1_000 /uL", "a >= 1000 /uL"),
    ("a ≠ 0.50 kg", "a != 0.5 kg"),
    ("a ≤ -3", "a <= -3"),
    ("a or (b and c)", "a or (b and c)"),  # kept for the reader, though `and` binds tighter
    ("(a and b) or c", "(a and b) or c"),
    ("a or (b or c)", "a or (b or c)"),  # a different tree from `a or b or c`
    ("a or b or c", "a or b or c"),
    ("not (a = b)", "not (a = b)"),
    ("a - (b - c) > 0", "a - (b - c) > 0"),
    ("(a - b) - c > 0", "a - b - c > 0"),
    ("(a + b) * c > 0", "(a + b) * c > 0"),
    ("min((a > b), c) > 0", "min((a > b), c) > 0"),  # a condition as an argument needs its parentheses
    ("a implies (b implies c)", "a implies (b implies c)"),
    ("a xor (b xor c)", "a xor (b xor c)"),
    ("any of (a, b and c)", "any of (a, b and c)"),
    ("x is missing or y is known", "x is missing or y is known"),
    ("(no tx in previous 7 days) and anc >= 500 /uL", "no tx in previous 7 days and anc >= 500 /uL"),
    ('title = "say \\"hi\\" \\\\ bye"', 'title = "say \\"hi\\" \\\\ bye"'),
])
def test_expressions_print_canonically_and_keep_their_tree(written: str, canonical: str) -> None:
    assert fmt(f"protocol p\ncriterion c: {written}\n") == f"protocol p\n\ncriterion c: {canonical}\n"


def test_numbers_keep_every_digit() -> None:
    assert number(Fraction(1, 10)) == "0.1"
    assert number(Fraction(-25, 10)) == "-2.5"
    long = "0.1234567890123456789012345678901"  # more digits than decimal arithmetic keeps by default
    assert number(Fraction(long)) == long
    assert fmt(f"protocol p\ncriterion c: a > {long} mg\n") == f"protocol p\n\ncriterion c: a > {long} mg\n"


def test_a_bare_number_before_the_next_branch_keeps_its_parentheses() -> None:
    """`high when x > 2 low otherwise` would read `2 low` as a quantity: the parentheses must stay."""
    text = "protocol p\nclassify g:\n  high when (x > 2)\n  low otherwise\n"
    assert fmt(text) == "protocol p\n\nclassify g:\n  high when (x > 2)\n  low  otherwise\n"
    text = "protocol p\nclassify g:\n  low when (x < 1)\n  high when (x > 2)\n"
    assert fmt(text) == "protocol p\n\nclassify g:\n  low  when (x < 1)\n  high when x > 2\n"  # the last needs none


def test_dose_branches_stay_apart() -> None:
    """Branches follow one another with no separator: a minus would subtract from the line above, a
    parenthesis after a name would call it, a name after a bare number would become its unit."""
    text = "protocol p\ndose d in mg:\n  1 mg when (a)\n  (-2 mg) when b = 1\n  (3) when (c)\n  (x) otherwise\n"
    assert fmt(text) == "protocol p\n\ndose d in mg:\n  1 mg     when (a)\n  (-2 mg)  when b = 1\n  3        when c\n  x        otherwise\n"
    text = "protocol p\ndose d in mg:\n  (a)\n  (b + c) * 2 otherwise\n"
    assert fmt(text) == "protocol p\n\ndose d in mg:\n  (a)\n  (b + c) * 2  otherwise\n"
    text = "protocol p\ndose d in mg:\n  (2)\n  x otherwise\n"
    assert fmt(text) == "protocol p\n\ndose d in mg:\n  (2)\n  x  otherwise\n"


# ---- comments -----------------------------------------------------------------------------------


def test_comments_stay_where_they_were_written() -> None:
    text = """# About the file.
protocol p  # the name
# About the version.
  version "1"

# Inputs.
input  # the block
  # The count.
  anc : quantity /uL  # per microlitre

# First group.
criterion a: anc > 1 /uL  # trailing a
# Just above b.
criterion b: anc > 2 /uL

criterion c "C":  # on the heading
  # Above the body.
  anc > 3 /uL  # on the body
# At the end.
"""
    assert fmt(text) == """# About the file.
protocol p  # the name
  # About the version.
  version "1"

# Inputs.
input  # the block
  # The count.
  anc : quantity /uL  # per microlitre

# First group.
criterion a: anc > 1 /uL  # trailing a
# Just above b.
criterion b: anc > 2 /uL

criterion c "C":  # on the heading
  # Above the body.
  anc > 3 /uL  # on the body
# At the end.
"""


def test_a_comment_inside_a_construct_moves_above_its_line_in_the_same_definition() -> None:
    text = """protocol p
criterion a "A": x  # inside the expression
  and y
criterion b "B":
  x or
  # between operands
  y
"""
    assert fmt(text) == """protocol p

criterion a "A":
  # inside the expression
  x and y
criterion b "B":
  # between operands
  x or y
"""


def test_a_blank_line_above_a_definition_stays_above_the_comments_moved_into_it() -> None:
    text = "protocol p\ncriterion a: x\n\ncriterion b \"B\"  # inside the heading\n    cites \"c\":\n  y\n"
    assert fmt(text) == "protocol p\n\ncriterion a: x\n\n# inside the heading\ncriterion b \"B\" cites \"c\":\n  y\n"


def test_a_comment_between_branches_stays_between_them() -> None:
    text = "protocol p\nclassify g:\n  high when a\n  # why medium\n  medium when b  # note\n  low otherwise\n"
    assert fmt(text) == "protocol p\n\nclassify g:\n  high   when a\n  # why medium\n  medium when b  # note\n  low    otherwise\n"


def test_comments_keep_one_line_definitions_apart_from_a_table() -> None:
    text = "protocol p\nparameter aa: 1\n# the second\nparameter b: 22\nparameter cc: 3  # the third\n"
    assert fmt(text) == "protocol p\n\nparameter aa: 1\n# the second\nparameter b:  22\nparameter cc: 3  # the third\n"


def test_a_comment_on_the_heading_of_a_one_line_definition_splits_it() -> None:
    text = "protocol p\ncriterion c:  # why\n  x\n"
    assert fmt(text) == "protocol p\n\ncriterion c:  # why\n  x\n"


def test_blank_lines_collapse_to_one_and_trailing_spaces_go() -> None:
    text = "protocol p   \n\n\n\ncriterion a: x   \n\n\n\n\n# end   \n\n\n"
    assert fmt(text) == "protocol p\n\ncriterion a: x\n\n# end\n"


def test_windows_line_ends_become_newlines() -> None:
    assert fmt("protocol p\r\n# note\r\ncriterion a: x\r\n") == "protocol p\n\n# note\ncriterion a: x\n"


# ---- what the formatter refuses ----------------------------------------------------------------


def test_a_file_that_does_not_parse_raises_its_diagnostic() -> None:
    with pytest.raises(ProtocolError) as raised:
        format_source("protocol p\ncriterion c: a >\n", "bad.care")
    assert raised.value.diagnostics[0].code == "CP103"


def test_a_layout_that_would_change_the_protocol_is_refused() -> None:
    """A repeated option is dropped by the parser; here that leaves `5` before the next input's name,
    which the grammar would read as its unit. The formatter says so instead of writing it."""
    text = "protocol p\ninput\n  a : quantity kg plausible 1 .. 5 plausible 1 kg .. 5 kg\n  b : boolean\n"
    assert parse_text(text).inputs[0].plausible == n.Plausible(n.NumberLiteral(Fraction(1)), n.NumberLiteral(Fraction(5)))
    with pytest.raises(FormatError, match="would not parse"):
        format_source(text, "repeated.care")


# ---- the command ---------------------------------------------------------------------------------

FORMATTED = "protocol p\n\ncriterion a: x\n"
UNFORMATTED = "protocol p\ncriterion a:   x\n"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["fmt", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_fmt_rewrites_only_the_files_that_change(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    messy, tidy = tmp_path / "messy.care", tmp_path / "tidy.care"
    messy.write_text(UNFORMATTED, encoding="utf-8")
    tidy.write_text(FORMATTED, encoding="utf-8")
    before = tidy.stat().st_mtime_ns
    code, out, _ = run(capsys, str(messy), str(tidy))
    assert code == 0
    assert messy.read_text(encoding="utf-8") == FORMATTED
    assert tidy.stat().st_mtime_ns == before
    assert out == f"reformatted {messy}\n1 file reformatted, 1 unchanged\n"


def test_fmt_check_lists_what_would_change_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    messy, tidy = tmp_path / "messy.care", tmp_path / "tidy.care"
    messy.write_text(UNFORMATTED, encoding="utf-8")
    tidy.write_text(FORMATTED, encoding="utf-8")
    code, out, _ = run(capsys, "--check", str(messy), str(tidy))
    assert code == 1
    assert out == f"would reformat {messy}\n1 file would be reformatted, 1 already formatted\n"
    assert messy.read_text(encoding="utf-8") == UNFORMATTED
    code, out, _ = run(capsys, "--check", str(tidy))
    assert (code, out) == (0, "0 files would be reformatted, 1 already formatted\n")


def test_fmt_diff_prints_a_patch_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    messy = tmp_path / "messy.care"
    messy.write_text(UNFORMATTED, encoding="utf-8")
    code, out, err = run(capsys, "--diff", str(messy))
    assert code == 1
    assert out == (f"--- {messy}\n+++ {messy} (formatted)\n@@ -1,2 +1,3 @@\n protocol p\n-criterion a:   x\n+\n+criterion a: x\n")
    assert err == "1 file would be reformatted, 0 already formatted\n"
    assert messy.read_text(encoding="utf-8") == UNFORMATTED


def test_fmt_counts_windows_line_ends_as_a_change(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    crlf = tmp_path / "crlf.care"
    crlf.write_bytes(FORMATTED.replace("\n", "\r\n").encode("utf-8"))
    assert run(capsys, "--check", str(crlf))[0] == 1
    assert run(capsys, str(crlf))[0] == 0
    assert crlf.read_bytes() == FORMATTED.encode("utf-8")


def test_fmt_reports_a_file_that_does_not_parse_and_leaves_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken, messy = tmp_path / "broken.care", tmp_path / "messy.care"
    broken.write_text("protocol p\ncriterion a: x >\n", encoding="utf-8")
    messy.write_text(UNFORMATTED, encoding="utf-8")
    code, _, err = run(capsys, str(broken), str(messy))
    assert code == 2
    assert f"{broken}:2:16: CP103" in err
    assert broken.read_text(encoding="utf-8") == "protocol p\ncriterion a: x >\n"
    assert messy.read_text(encoding="utf-8") == FORMATTED  # the other files are still formatted
    assert run(capsys, "--check", str(tmp_path / "missing.care"))[0] == 2
