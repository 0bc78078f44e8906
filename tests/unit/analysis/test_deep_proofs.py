"""The deep analysis behind `carepath check`: each finding on a minimal protocol, none on the shipped ones,
counterexamples that really run undetermined, `--strict`, and regions that miss no patient."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import textwrap
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import carepath
from carepath import ProtocolError, Source
from carepath.analysis.deep import LIMIT, Analysis, analyse
from carepath.cli import main
from carepath.runtime.engine import decide
from carepath.semantics.values import Duration

ROOT = Path(__file__).resolve().parents[3]
SHIPPED = sorted((ROOT / "protocols").glob("*.care"))
DOCS = ROOT / "docs" / "diagnostics.md"

# Five lines, so definitions start on line 6.
HEAD = (
    "protocol p\n"
    "input\n"
    "  wbc : quantity /uL plausible 100 /uL .. 2000000 /uL\n"
    "  mll : one of germline, translocation\n"
    "  flag : boolean\n"
)
USE_ALL = "recommend uses: when flag or mll = germline or wbc > 1000 /uL\n"


def analysed(text: str) -> Analysis:
    return analyse(carepath.compile_source(Source("t.care", text)))


def found(text: str) -> list[tuple[str, int, int]]:
    return [(d.code, d.span.line, d.span.column) for d in analysed(text).diagnostics]


# ---- each code fires on a minimal protocol, and nothing else does ------------------------------------

CASES: dict[str, tuple[str, list[tuple[str, int, int]]]] = {
    "CP407 classification": (HEAD + "classify risk:\n  high when wbc >= 50000 /uL\n  low when wbc < 20000 /uL\n" + USE_ALL,
                             [("CP407", 6, 10)]),
    "CP407 dose": (HEAD + "dose d in mg:\n  1 mg when wbc >= 50000 /uL\n  2 mg when wbc < 20000 /uL\n" + USE_ALL, [("CP407", 6, 6)]),
    "CP408 branch": (HEAD + "classify band:\n  high when wbc >= 50000 /uL\n  very_high when wbc >= 100000 /uL\n  low otherwise\n" + USE_ALL,
                     [("CP408", 8, 3)]),
    "CP408 otherwise": (HEAD + "classify band:\n  high when wbc >= 50000 /uL\n  low when wbc < 50000 /uL\n  other otherwise\n" + USE_ALL,
                        [("CP408", 9, 3)]),
    "CP408 dose band": (HEAD + "dose d in mg:\n  1 mg when wbc >= 50000 /uL\n  2 mg when wbc >= 90000 /uL\n  3 mg otherwise\n" + USE_ALL,
                        [("CP408", 8, 3)]),
    "CP408 target band": (HEAD + "target t:\n  wbc within 100 /uL .. 50000 /uL\n" + USE_ALL, [("CP408", 7, 14)]),
    "CP409 criterion never true": (HEAD + "criterion c: wbc > 5000 /uL and wbc < 1000 /uL\nrecommend r: when c or flag\n" + USE_ALL,
                                   [("CP409", 6, 14)]),
    "CP409 recommendation never false": (HEAD + "recommend r: when flag or not flag\n" + USE_ALL, [("CP409", 6, 19)]),
    "CP409 branch always true": (HEAD + "classify c:\n  a when wbc >= 50000 /uL or wbc < 60000 /uL\n  b otherwise\n" + USE_ALL,
                                 [("CP409", 7, 10), ("CP408", 8, 3)]),
    "CP410": (HEAD + "  spare : boolean\n" + USE_ALL, [("CP410", 6, 3)]),
    "CP411": (HEAD + "criterion lonely: flag\n" + USE_ALL, [("CP411", 6, 11)]),
    "CP412": (HEAD + "parameter limit: 5 kg\n" + USE_ALL, [("CP412", 6, 11)]),
    "CP413 outside": (HEAD + "criterion c: wbc >= 5000000 /uL\nrecommend r: when c or flag\n" + USE_ALL, [("CP413", 6, 14)]),
    "CP413 at the edge": (HEAD + "criterion c: wbc >= 100 /uL\nrecommend r: when c and flag\n" + USE_ALL, [("CP413", 6, 14)]),
    "CP413 duration": ("protocol p\ninput\n  age : duration plausible 0 days .. 12 months\n"
                       "criterion c: age < 13 months\nrecommend r: when c\n", [("CP413", 4, 14)]),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_each_finding_fires_where_expected_and_nothing_else(case: str) -> None:
    text, expected = CASES[case]
    assert sorted(found(text)) == sorted(expected)


def test_the_baseline_is_clean() -> None:
    assert found(HEAD + USE_ALL) == []


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_protocols_have_no_findings(path: Path) -> None:
    assert analyse(carepath.load_protocol(path)).findings == ()


def test_check_strict_is_clean_on_every_shipped_protocol(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", "--strict", *map(str, SHIPPED)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.count(": 0 errors, 0 warnings") == len(SHIPPED)


def test_circular_definitions_are_still_an_error() -> None:
    with pytest.raises(ProtocolError) as raised:
        carepath.compile_source(Source("t.care", HEAD + "criterion a: b and flag\ncriterion b: a\n"))
    assert "CP401" in [d.code for d in raised.value.diagnostics]


# ---- what is not reported ---------------------------------------------------------------------------


def test_otherwise_makes_a_classification_complete_even_with_inputs_missing() -> None:
    text = HEAD + "classify risk:\n  high when wbc >= 50000 /uL or mll = translocation\n  low otherwise\nrecommend r: when flag\n"
    result = analysed(text)
    assert result.findings == ()
    assert any("'risk' proved complete" in note.message for note in result.notes)


def test_a_classification_without_otherwise_that_covers_everyone_is_proved() -> None:
    text = HEAD + "classify band:\n  high when wbc >= 50000 /uL\n  low when wbc < 50000 /uL\n" + USE_ALL
    result = analysed(text)
    assert result.findings == ()
    assert any("'band' proved complete" in note.message for note in result.notes)


def test_conditions_that_read_no_input_are_constant_on_purpose() -> None:
    text = HEAD + "parameter use_flag: true\nrecommend always: when true or false\nrecommend gated: when use_flag\n" + USE_ALL
    assert found(text) == []


def test_names_used_outside_conditions_count_as_used() -> None:
    text = ("protocol p\ninput\n  weight : quantity kg plausible 2 kg .. 150 kg\n  dob : date\n  dx : date\n"
            "  age : duration plausible 0 days .. 20 years from dob to dx\n"
            "parameter days_given: days 1, 3, 6\nparameter step: 0.5 mg\nparameter per_kg: 2 mg/kg\n"
            "dose d in mg:\n  per_kg * weight when age < 2 years\n  1 mg otherwise\n  rounded to step\n  given once on days days_given\n")
    assert found(text) == []


def test_an_undetermined_decision_downstream_names_the_incomplete_one() -> None:
    text = (HEAD + "classify risk:\n  high when wbc >= 50000 /uL\n  low when wbc < 20000 /uL\n"
            "classify treat:\n  hsct when risk = high\n  chemo otherwise\n" + USE_ALL)
    messages = {(d.code, d.span.line): d.message for d in analysed(text).diagnostics}
    assert set(messages) == {("CP407", 6), ("CP407", 9)}
    assert "reads 'risk', which is undetermined with nothing missing" in messages[("CP407", 9)]


def test_computed_conditions_are_sampled_and_reported_as_not_proven() -> None:
    text = HEAD + "recommend r: when wbc * 2 > 10000000 /uL\n" + USE_ALL  # never true, but only samples say so
    result = analysed(text)
    assert result.findings == ()
    assert any("'r' checked on" in note.message and "not proven" in note.message for note in result.notes)


def test_a_counterexample_found_by_sampling_is_still_reported() -> None:
    text = HEAD + "classify c:\n  a when wbc * 2 >= 100000 /uL\n  b when wbc < 20000 /uL\n" + USE_ALL
    assert [d.code for d in analysed(text).diagnostics] == ["CP407"]


def test_decisions_on_dated_series_are_not_analysed() -> None:
    result = analyse(carepath.load_protocol(ROOT / "protocols" / "engraftment.care"))
    assert result.findings == ()
    skipped = [note.message for note in result.notes if "reads dated series" in note.message]
    assert len(skipped) == 3


def test_too_many_combinations_are_not_enumerated() -> None:
    inputs = "".join(f"  e{i} : one of a, b, c, d\n" for i in range(8))  # 5 ** 8 combinations
    condition = " and ".join(f"e{i} = a" for i in range(8))
    result = analysed(f"protocol p\ninput\n{inputs}classify c:\n  x when {condition}\n  y otherwise\n")
    assert LIMIT < 5 ** 8
    assert any("too many combinations" in note.message for note in result.notes)
    assert result.findings == ()


# ---- counterexamples run undetermined through the command line -----------------------------------------


def _record_block(out: str) -> tuple[str, str | None]:
    """The record printed under a CP407 finding, as a user would paste it, and the --as-of it asks for."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if "such a patient, as a record" in line)
    as_of = re.search(r"--as-of (\d{4}-\d{2}-\d{2})", lines[start])
    block = list(itertools.takewhile(lambda line: line.startswith("      "), lines[start + 1:]))
    return textwrap.dedent("\n".join(block)) + "\n", as_of.group(1) if as_of else None


COUNTEREXAMPLES = {
    "quantity and enumeration": (HEAD + "classify risk:\n  high when wbc >= 50000 /uL or mll = translocation\n"
                                 "  low when wbc < 20000 /uL\n" + USE_ALL, "risk"),
    "decimal thresholds": ("protocol p\ninput\n  mrd : quantity % plausible 0 % .. 100 %\n"
                           "classify m:\n  pos when mrd >= 0.01 %\n  neg when mrd < 0.005 %\n", "m"),
    "age only exact from dates": ("protocol p\ninput\n  dob : date\n  dx : date\n"
                                  "  age : duration plausible 0 days .. 12 months from dob to dx\n"
                                  "classify g:\n  young when age < 6 months\n  old when age >= 183 days\n", "g"),
    "age counted to the run date": ("protocol p\ninput\n  dob : date\n  age : duration plausible 0 days .. 12 months from dob to as_of\n"
                                    "classify g:\n  young when age < 6 months\n  old when age >= 183 days\n", "g"),
    "age in days": ("protocol p\ninput\n  age : duration plausible 0 days .. 2 years\n"
                    "classify g:\n  young when age <= 90 days\n  old when age > 120 days\n", "g"),
    "text and boolean": ("protocol p\ninput\n  note : text\n  flag : boolean\n"
                         "classify k:\n  a when note = \"x\"\n  b when note = \"yes\" and flag\n", "k"),
    "dose": (HEAD + "dose d in mg:\n  1 mg when wbc >= 50000 /uL\n  2 mg when wbc < 20000 /uL\n" + USE_ALL, "d"),
    "downstream": (HEAD + "classify risk:\n  high when wbc >= 50000 /uL\n  low when wbc < 20000 /uL\n"
                   "classify treat:\n  hsct when risk = high\n  chemo otherwise\n" + USE_ALL, "treat"),
}


@pytest.mark.parametrize("case", COUNTEREXAMPLES, ids=list(COUNTEREXAMPLES))
def test_the_printed_counterexample_binds_and_runs_undetermined(case: str, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    text, decision = COUNTEREXAMPLES[case]
    protocol = tmp_path / "p.care"
    protocol.write_text(text, encoding="utf-8")
    code = main(["check", str(protocol)])
    out = capsys.readouterr().out
    assert code == 0 and "CP407 warning" in out, out
    record, as_of = _record_block(out)
    records = tmp_path / "counterexample.yaml"
    records.write_text(record, encoding="utf-8")
    code = main(["run", str(protocol), str(records), "--format", "json", "--as-of", as_of or "2026-01-01"])
    document = json.loads(capsys.readouterr().out)
    assert code == 0
    (result,) = document["results"]
    assert result["errors"] == [] and result["status"] == "undetermined"
    assert result["decisions"][decision] is None
    assert result["needs"] == []  # nothing is missing: no input could settle it


def test_a_dated_counterexample_gives_both_dates() -> None:
    (finding,) = [f for f in analysed(COUNTEREXAMPLES["age only exact from dates"][0]).findings if f.diagnostic.code == "CP407"]
    assert finding.record is not None and "dob: " in finding.record and "dx: " in finding.record
    assert "6 months 1 day" in finding.diagnostic.message  # 182 days, past 6 completed months, and under 183 days


# ---- the command line -----------------------------------------------------------------------------------


def test_strict_turns_warnings_into_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    protocol = tmp_path / "w.care"
    protocol.write_text(CASES["CP408 branch"][0], encoding="utf-8")
    assert main(["check", str(protocol)]) == 0
    assert f"{protocol}: 0 errors, 1 warning" in capsys.readouterr().out
    assert main(["check", "--strict", str(protocol)]) == 2
    out = capsys.readouterr().out
    assert f"{protocol}: 1 error, 0 warnings" in out
    assert "CP408 branch 'very_high'" in out and "CP408 warning" not in out


def test_strict_on_a_clean_protocol_and_errors_without_strict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clean = tmp_path / "clean.care"
    clean.write_text(HEAD + USE_ALL, encoding="utf-8")
    broken = tmp_path / "broken.care"
    broken.write_text(HEAD + "criterion c: wbc >= 5\n", encoding="utf-8")
    assert main(["check", "--strict", str(clean)]) == 0
    assert main(["check", str(broken)]) == 2
    assert main(["check", "--strict", str(clean), str(broken)]) == 2
    assert "CP301" in capsys.readouterr().out


def test_verbose_prints_the_proofs_and_plain_does_not(capsys: pytest.CaptureFixture[str]) -> None:
    seed = str(ROOT / "protocols" / "severance_2011.care")
    main(["check", seed])
    assert "note:" not in capsys.readouterr().out
    main(["check", "--verbose", seed])
    assert "note: 'risk_group' proved complete" in capsys.readouterr().out


# ---- the regions miss no patient ------------------------------------------------------------------------


def _undetermined_for_no_reason(compiled: carepath.CompiledProtocol, values: list[object], name: str) -> bool:
    env = decide(compiled, values)
    index = next(i for i, d in enumerate(compiled.decisions) if d.name == name)
    return env[compiled.decisions[index].slot] is None and not compiled.needs[index](env)


_STARTS = [dt.date(2024, 1, 1) + dt.timedelta(days=i) for i in range(0, 366, 3)] + \
          [dt.date(2023, m, 1) - dt.timedelta(days=1) for m in range(2, 13)]


@pytest.mark.parametrize(("months", "days"), [(6, 180), (6, 181), (6, 183), (6, 185), (3, 90), (3, 93), (5, 180)])
def test_age_gaps_are_found_exactly_when_a_dense_scan_finds_them(months: int, days: int) -> None:
    """Every age a record can give (months, days, half months, two dates) against `< M months` and `>= D days`."""
    text = ("protocol p\ninput\n  dob : date\n  dx : date\n  age : duration plausible 0 days .. 12 months from dob to dx\n"
            f"classify g:\n  young when age < {months} months\n  old when age >= {days} days\n")
    compiled = carepath.compile_source(Source("t.care", text))
    slot = compiled.checked.input("age").slot  # type: ignore[union-attr]
    values: list[object] = [None] * len(compiled.checked.inputs)
    ages = [Duration.of_months(m) for m in range(13)] + [Duration.within_month(m, "") for m in range(12)]
    ages += [Duration.of_days(d) for d in range(367)]
    ages += [Duration.between(start, start + dt.timedelta(days=d)) for start in _STARTS for d in range(days - 40, days + 40)]
    gap = False
    for age in ages:
        values[slot] = age
        gap = gap or _undetermined_for_no_reason(compiled, values, "g")
    codes = [d.code for d in analyse(compiled).diagnostics]
    assert ("CP407" in codes) == gap


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 3_000_000), st.integers(0, 3_000_000), st.sampled_from([1, 10, 100]))
def test_quantity_gaps_are_found_exactly(upper: int, lower: int, scale: int) -> None:
    """`high when x >= U`, `low when x < L` leaves a gap exactly when some plausible x has L <= x < U."""
    high, low = Fraction(upper, scale), Fraction(lower, scale)
    text = (f"protocol p\ninput\n  x : quantity /uL plausible 100 /uL .. 2000000 /uL\n"
            f"classify c:\n  high when x >= {_decimal(high)} /uL\n  low when x < {_decimal(low)} /uL\n")
    start = max(low, Fraction(100))
    expected = start < high and start <= 2_000_000
    result = analysed(text)
    assert ("CP407" in [d.code for d in result.diagnostics]) == expected
    for finding in result.findings:
        if finding.diagnostic.code == "CP407":
            assert finding.record is not None
            value = Fraction(re.search(r"x: ([\d.]+) /uL", finding.record).group(1))  # type: ignore[union-attr]
            assert low <= value < high and 100 <= value <= 2_000_000


def _decimal(value: Fraction) -> str:
    return format(Decimal(value.numerator) / Decimal(value.denominator), "f")


# ---- the documentation --------------------------------------------------------------------------------


def test_every_diagnostic_code_in_the_source_is_documented() -> None:
    """docs/diagnostics.md has a row in its summary and a section for every code the source can emit, and no others."""
    emitted: set[str] = set()
    for module in (ROOT / "src" / "carepath").rglob("*.py"):
        emitted |= set(re.findall(r"\"(CP\d{3})\"", module.read_text(encoding="utf-8")))
    page = DOCS.read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| `(CP\d{3})` \| (?:error|warning) \|", page, flags=re.MULTILINE))
    sections = {code for heading in re.findall(r"^###? (.*)$", page, flags=re.MULTILINE) for code in re.findall(r"CP\d{3}", heading)}
    assert emitted, "no codes found in the source"
    assert emitted == rows, f"summary rows differ from the source: missing {sorted(emitted - rows)}, extra {sorted(rows - emitted)}"
    assert emitted <= sections, f"codes without a section: {sorted(emitted - sections)}"


def test_every_analysis_code_has_a_documented_example() -> None:
    """Each analysis warning appears in the output of a documented `carepath check` run."""
    page = DOCS.read_text(encoding="utf-8")
    shown = set(re.findall(r"^docs/examples/\S+: (CP4\d\d) (?:warning: )?", page, flags=re.MULTILINE))
    assert {"CP407", "CP408", "CP409", "CP410", "CP411", "CP412", "CP413"} <= shown
