"""Every diagnostic code, from source text to (code, line, column); hints; and what a checked program holds."""

from __future__ import annotations

import pytest

import carepath
from carepath import Source
from carepath.ir import program
from carepath.language.diagnostics import Diagnostic, ProtocolError, Severity
from carepath.semantics.values import Duration

# Eight lines of inputs, so definitions start on line 9.
HEAD = (
    "protocol p\n"
    "input\n"
    "  wbc : quantity /uL\n"
    "  age : duration\n"
    "  mll : one of germline, translocation\n"
    "  flag : boolean\n"
    "  note : text\n"
    "  dob : date\n"
)

CASES: dict[str, tuple[str, list[tuple[str, int, int]]]] = {
    # syntax
    "CP101": ("protocol p\ninput\n  wbc : quantity /uL\ncriterion c: wbc >= >= 5 /uL\n", [("CP101", 4, 21)]),
    "CP102": ("protocol p\ninput\n  wbc : quantity /uL\ncriterion c: wbc >= 5 $\n", [("CP102", 4, 23)]),
    "CP103": ("protocol p\ninput\n  wbc : quantity /uL\ncriterion c: wbc >=\n", [("CP103", 4, 18)]),
    "CP104": ("protocol p\n" + "#" * 1_000_001 + "\n", [("CP104", 1, 1)]),
    "CP105": ("protocol p\ninput\n  flag : boolean\ncriterion c: " + "not " * 200 + "flag\n", [("CP105", 4, 14 + 4 * 200)]),
    # names
    "CP201": (HEAD + "criterion c: wcb >= 5 /uL\n", [("CP201", 9, 14)]),
    "CP202": (HEAD + "criterion c: flag\ncriterion c: flag\n", [("CP202", 10, 11)]),
    "CP203": (HEAD + "criterion c: mll = translocaton\n", [("CP203", 9, 20)]),
    "CP204": ("protocol p\ninput\n  mll : one of germline, germline\n", [("CP204", 3, 26)]),
    # types and units
    "CP301": (HEAD + "criterion c: wbc >= 5\n", [("CP301", 9, 14)]),
    "CP302": (HEAD + "criterion c: wbc >= 5 kg\n", [("CP302", 9, 21)]),
    "CP303": (HEAD + "criterion c: wbc >= 5 /uLL\n", [("CP303", 9, 21)]),
    "CP304": (HEAD + "criterion c: mll < germline\n", [("CP304", 9, 14)]),
    "CP305": (HEAD + "criterion c: wbc\n", [("CP305", 9, 14)]),
    "CP306": (HEAD + "criterion c: age < 5.5 months\n", [("CP306", 9, 20)]),
    "CP307": ("protocol p\ninput\n  age : quantity months\n", [("CP307", 3, 9)]),
    "CP308": ("protocol p\ninput\n  wbc : quantity /uL plausible 100 .. 200 /uL\n", [("CP308", 3, 32)]),
    # structure
    "CP401": (HEAD + "criterion a: b\ncriterion b: a\n", [("CP401", 9, 11)]),
    "CP403": (HEAD + "classify r:\n  std otherwise\n  high when flag\n", [("CP403", 11, 3)]),
    "CP404": (HEAD + "classify r:\n  high when flag\n  high when not flag\n  std otherwise\n", [("CP404", 11, 3)]),
    "CP405": ("protocol p\ninput\n  wbc : quantity /uL plausible 200 /uL .. 100 /uL\n", [("CP405", 3, 22)]),
    "CP406": ("protocol p\ninput\n  dob : date\n  age : duration from dob to diagnosis\n", [("CP406", 4, 3)]),
}


def diagnostics_of(text: str) -> list[Diagnostic]:
    try:
        compiled = carepath.compile_source(Source("t.care", text))
    except ProtocolError as error:
        return list(error.diagnostics)
    return list(compiled.checked.warnings)  # type: ignore[arg-type]


def located(diagnostics: list[Diagnostic]) -> list[tuple[str, int, int]]:
    return [(d.code, d.span.line, d.span.column) for d in diagnostics]


@pytest.mark.parametrize("code", sorted(CASES))
def test_every_error_code(code: str) -> None:
    text, expected = CASES[code]
    diagnostics = diagnostics_of(text)
    assert located(diagnostics) == expected
    assert all(d.severity is Severity.ERROR for d in diagnostics)


def test_cp402_is_a_warning_and_the_protocol_still_compiles() -> None:
    compiled = carepath.compile_source(Source("t.care", HEAD + "classify r:\n  high when flag\n"))
    warnings = list(compiled.checked.warnings)
    assert located(warnings) == [("CP402", 10, 3)]  # type: ignore[arg-type]
    assert warnings[0].severity is Severity.WARNING  # type: ignore[attr-defined]


def test_all_codes_listed_in_the_language_are_covered() -> None:
    codes = {*CASES, "CP402"}
    expected = {f"CP{n}" for n in (*range(101, 106), *range(201, 205), *range(301, 309), *range(401, 407))}
    assert codes == expected


@pytest.mark.parametrize(
    ("code", "text", "hint_part"),
    [
        ("CP201", HEAD + "criterion c: wcb >= 5 /uL\n", "did you mean 'wbc'?"),
        ("CP203", HEAD + "criterion c: mll = translocaton\n", "did you mean 'translocation'?"),
        ("CP303", HEAD + "criterion c: wbc >= 5 /uLL\n", "did you mean '/uL'"),
        ("CP201", HEAD + "criterion hyper: wbc >= 5 /uL\ncriterion c: hypr\n", "did you mean 'hyper'?"),
        ("CP101", "protocol p\ncriterion c: x\ncriterion d: y\nrecomend r: when c\n", "did you mean 'recommend'?"),
    ],
)
def test_did_you_mean_hints(code: str, text: str, hint_part: str) -> None:
    (diagnostic,) = [d for d in diagnostics_of(text) if d.code == code]
    assert diagnostic.hint is not None
    assert hint_part in diagnostic.hint


def test_messages_name_the_problem() -> None:
    (cp203,) = diagnostics_of(CASES["CP203"][0])
    assert cp203.message == "'translocaton' is not one of germline, translocation (the values of 'mll')"
    (cp302,) = diagnostics_of(CASES["CP302"][0])
    assert "/µL" in cp302.message and "5 kg is a mass" in cp302.message
    (cp401,) = diagnostics_of(CASES["CP401"][0])
    assert cp401.message == "circular definition: a → b → a"


def test_every_error_is_reported_not_just_the_first() -> None:
    text = HEAD + "criterion a: wcb >= 5 /uL\ncriterion b: mll = translocaton\ncriterion c: wbc >= 5 kg\n"
    assert located(diagnostics_of(text)) == [("CP201", 9, 14), ("CP203", 10, 20), ("CP302", 11, 21)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("protocol p\ninput\n  x : boolean\n  x : boolean\n", [("CP202", 4, 3)]),
        ("protocol p\ninput\n  as_of : date\n", [("CP202", 3, 3)]),
        (HEAD + "criterion flag: wbc >= 5 /uL\n", [("CP202", 9, 11)]),
        ("protocol p\ninput\n  note : text\n  age : duration from note to note\n", [("CP406", 4, 3)]),  # one fault, reported once
        ("protocol p\ninput\n  a : date\n  b : date\n  w : quantity kg from a to b\n", [("CP406", 5, 19)]),
        ("protocol p\ninput\n  f : boolean plausible 1 kg .. 2 kg\n", [("CP405", 3, 15)]),
        ("protocol p\ninput\n  age : duration plausible 0 kg .. 12 months\n", [("CP302", 3, 28)]),
        (HEAD + "criterion c: age < 5 kg\n", [("CP302", 9, 20)]),
        (HEAD + "criterion c: mll = flag\n", [("CP301", 9, 14)]),
        (HEAD + "criterion c: note < \"x\"\n", [("CP304", 9, 14)]),
        (HEAD + "criterion c: mll\n", [("CP305", 9, 14)]),
        (HEAD + "criterion c: age >= 1.5 weeks\n", [("CP306", 9, 21)]),  # 10.5 days
        (HEAD + "criterion c: flag\nclassify r:\n  high when c\n  low when r = high\n  none otherwise\n", [("CP401", 10, 10)]),
        (HEAD + "criterion c: c\n", [("CP401", 9, 11)]),
        (HEAD + "criterion c: age is missing and unknownthing is known\n", [("CP201", 9, 33)]),
    ],
)
def test_more_diagnostics(text: str, expected: list[tuple[str, int, int]]) -> None:
    assert located(diagnostics_of(text)) == expected


def test_weeks_and_years_are_whole_calendar_amounts() -> None:
    # 0.5 years is 6 months and 2 weeks is 14 days: whole amounts, so no CP306.
    assert diagnostics_of(HEAD + "criterion c: age >= 0.5 years\n") == []
    assert diagnostics_of(HEAD + "criterion c: age >= 2 weeks\n") == []
    assert diagnostics_of(HEAD + "criterion c: age >= 1 year\n") == []


def test_literals_are_converted_to_the_inputs_unit_exactly() -> None:
    text = "protocol p\ninput\n  wbc : quantity 10*9/L\ncriterion a: wbc >= 50000 /uL\ncriterion b: wbc >= 0.1 10*9/L\n"
    checked = carepath.compile_source(Source("t.care", text)).checked
    a, b = (d.condition for d in checked.definitions)
    assert isinstance(a, program.Compare) and isinstance(a.right, program.Const)
    assert a.right.value == 50 and type(a.right.value) is int
    assert a.right.shown == "50 10*9/L"
    assert isinstance(b, program.Compare) and isinstance(b.right, program.Const)
    assert b.right.value == 0.1


def test_plausible_bounds_are_in_the_evaluator_representation() -> None:
    text = "protocol p\ninput\n  wbc : quantity /uL plausible 0.1 10*9/L .. 2000 10*9/L\n  age : duration plausible 0 days .. 12 months\n"
    checked = carepath.compile_source(Source("t.care", text)).checked
    wbc, age = checked.inputs
    assert wbc.plausible == (100, 2000000)
    assert wbc.plausible_text == "0.1 10*9/L .. 2,000 10*9/L"
    assert age.plausible == (Duration.of_days(0), Duration.of_months(12))


def test_definitions_are_ordered_so_references_come_first() -> None:
    text = HEAD + "recommend r: when k = high\nclassify k:\n  high when c\n  low otherwise\ncriterion c: flag\n"
    checked = carepath.compile_source(Source("t.care", text)).checked
    assert [d.name for d in checked.definitions] == ["c", "k", "r"]
    assert [d.name for d in checked.decisions] == ["r", "k"]  # declaration order


def test_derivation_to_as_of_is_allowed() -> None:
    text = "protocol p\ninput\n  dob : date\n  age : duration from dob to as_of\ncriterion c: age < 6 months\n"
    checked = carepath.compile_source(Source("t.care", text)).checked
    assert checked.input("age") is not None
    assert checked.input("age").derived_from == ("dob", "as_of")  # type: ignore[union-attr]


def test_seed_protocol_checks_cleanly(seed: carepath.CompiledProtocol) -> None:
    assert seed.checked.warnings == ()
    assert [i.name for i in seed.checked.inputs] == ["date_of_birth", "date_of_diagnosis", "age_at_diagnosis", "wbc_at_diagnosis", "mll"]


def test_rendered_diagnostic_has_location_caret_and_hint() -> None:
    text = CASES["CP201"][0]
    with pytest.raises(ProtocolError) as caught:
        carepath.compile_source(Source("t.care", text))
    rendered = caught.value.render()
    assert rendered.splitlines() == [
        "t.care:9:14: CP201 unknown name 'wcb'",
        "    criterion c: wcb >= 5 /uL",
        "                 ^^^",
        "    hint: did you mean 'wbc'?",
    ]


def test_nesting_just_under_the_limit_compiles_evaluates_and_explains() -> None:
    import datetime as dt
    import io

    from rich.console import Console

    import carepath
    from carepath.render import json as json_render
    from carepath.render import terminal

    text = "protocol p\ninput\n  flag : boolean\ncriterion c: " + "not " * 120 + "flag\nrecommend r: when c\n"
    compiled = carepath.compile_source(carepath.Source("deep.care", text))
    run = carepath.runtime.engine.evaluate_all(compiled, carepath.records_from_text(compiled, "- {id: x, flag: true}"), dt.date(2026, 1, 1))
    assert run.results[0].decisions == {"r": True}  # 120 negations: an even number
    assert json_render.dumps(json_render.explain_document(run, run.results[0]))
    Console(file=io.StringIO()).print(terminal.explanation(run, run.results[0]))


def test_a_long_cycle_is_reported_without_exhausting_the_stack() -> None:
    body = "".join(f"criterion c{i}: c{(i + 1) % 900}\n" for i in range(900))
    with pytest.raises(ProtocolError) as raised:
        carepath.compile_source(Source("cycle.care", "protocol p\ninput\n  flag : boolean\n" + body))
    assert [d.code for d in raised.value.diagnostics] == ["CP401"]
    assert raised.value.diagnostics[0].message.startswith("circular definition: c0 → c1 → c2")


def test_depth_counts_through_the_definitions_read() -> None:
    deep = "not " * 100 + "flag"
    text = f"protocol p\ninput\n  flag : boolean\ncriterion a: {deep}\ncriterion b: {deep} and a\nrecommend r: when b\n"
    with pytest.raises(ProtocolError) as raised:
        carepath.compile_source(Source("deep.care", text))
    assert [(d.code, d.span.line) for d in raised.value.diagnostics] == [("CP440", 5)]
    assert "'b' is nested 203 levels deep through the definitions it reads; the limit is 128" in raised.value.render()


def test_an_unknown_unit_with_a_plausible_range_is_reported_not_asserted() -> None:
    text = "protocol p\ninput\n  wbc : quantity foo plausible 100 /uL .. 2000 /uL\ncriterion c: wbc > 1 /uL\nrecommend r: when c\n"
    with pytest.raises(ProtocolError) as raised:
        carepath.compile_source(Source("unit.care", text))
    assert [(d.code, d.span.line) for d in raised.value.diagnostics] == [("CP303", 3)]
def test_a_dose_per_kg_is_never_compared_with_a_percentage() -> None:
    """pint calls both dimensionless; a clinician never mixes them, so `check` refuses the comparison."""
    text = "protocol p\ninput\n  busulfan : quantity mg/kg\n  mrd : quantity %\ncriterion c: busulfan >= 1 %\ncriterion d: mrd >= 0.01 %\n"
    assert [(d.code, d.span.line) for d in diagnostics_of(text) if d.severity is Severity.ERROR] == [("CP302", 5)]


def test_lab_spellings_in_a_protocol_are_counts_per_volume() -> None:
    text = HEAD + "criterion c: wbc >= 50 G/L\ncriterion d: wbc >= 50 K/uL\n"
    assert [d.code for d in diagnostics_of(text) if d.severity is Severity.ERROR] == []
