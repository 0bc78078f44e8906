"""Protocol fuzzing: mutated shipped protocols and generated ones go through parse, check (with the deep analysis),
compile and evaluation, and either succeed or come back as diagnostics located inside the file; nothing else may
be raised, and each example keeps to a time budget (Hypothesis's `deadline`). The number of examples is left to
the Hypothesis profile in use, so a short run and a long nightly one share these tests.

Every input that ever broke this is kept in `regressions/protocols/` and run by `test_a_kept_regression_case`:
save the failing text (or bytes) there as `NAME.care`, named for what it exercises. A longer run is the same tests
with more examples, e.g. `pytest tests/fuzz --hypothesis-profile=NAME` for a profile registered with a larger
`max_examples`, or `--hypothesis-seed=N` to try other inputs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from carepath import Source, check_source, evaluate_all, records_from_text
from carepath.language.diagnostics import Diagnostic, ProtocolError
from carepath.language.formatter import FormatError, format_source
from carepath.language.source import lines
from carepath.render import terminal
from carepath.render.json import explain_document
from carepath.tooling import lsp

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = {path.name: path.read_text(encoding="utf-8") for path in sorted((ROOT / "protocols").glob("*.care"))}
REGRESSIONS = sorted((Path(__file__).parent / "regressions" / "protocols").glob("*.care"))
AS_OF = dt.date(2026, 1, 1)
BUDGET = settings(deadline=2_000, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def assert_located(source: Source, diagnostic: Diagnostic) -> None:
    """A diagnostic points at a real line and column of the text, and renders with its caret."""
    found = lines(source.text)
    span = diagnostic.span
    assert 1 <= span.line <= len(found), (diagnostic, len(found))
    assert 1 <= span.column <= len(found[span.line - 1]) + 1, (diagnostic, found[span.line - 1][:80])
    rendered = diagnostic.render(source)
    assert rendered.startswith(f"{source.name}:{span.line}:{span.column}: {diagnostic.code} ")
    assert "^" in rendered


def exercise(source: Source) -> None:
    """Everything a protocol file reaches: parse, check, compile, deep analysis, the formatter, the language server's
    index, and a run over a record that has nothing but an id (every input unknown) and one with a few values, with
    explanations rendered for the terminal and as JSON."""
    report = check_source(source)
    for diagnostic in report.diagnostics:
        assert_located(source, diagnostic)
    lsp.analyse(source.text, source.name, deep=False)
    if report.protocol is not None:
        with contextlib.suppress(FormatError):  # the formatter refuses a layout it cannot keep faithful: a message, not a crash
            format_source(source.text, source.name)
    if report.compiled is None:
        assert report.errors
        return
    records = records_from_text(report.compiled, "- id: nothing\n- id: some\n  weight: 12 kg\n  wbc_at_diagnosis: 60000 /uL\n",
                                "fuzz.yaml", extra_fields=frozenset({"weight", "wbc_at_diagnosis"}))
    run = evaluate_all(report.compiled, records, AS_OF, True)
    assert len(run.results) == 2
    console = Console(file=io.StringIO(), width=120)
    for result in run.results:
        console.print(terminal.explanation(run, result))
        json.dumps(explain_document(run, result))


def exercise_bytes(name: str, data: bytes) -> None:
    try:
        source = Source.from_bytes(name, data)
    except ProtocolError as error:
        for diagnostic in error.diagnostics:
            assert_located(error.source, diagnostic)
        return
    exercise(source)


# ---- mutations of the shipped protocols ------------------------------------------------------------------------

ODD_BREAKS = ["\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029", "\ufeff", "\x00", "\t"]
TOKENS = ["(", ")", ":", ",", "..", "-", "+", "*", "/", ">=", "<", "=", "#", '"', "\n", " ", "not ", " and ", " or ", " xor ",
          " implies ", "any of (", "all of (", "when ", "otherwise", "criterion ", "classify ", "dose ", "in mg:", "given daily ",
          "on days 1 to ", "event ", "first of 3 consecutive days where ", "no x in previous ", "day ", "days", "months",
          "years", "/uL", "10*9/L", "mg/m2", "plausible 0 days .. 12 months", "parameter ", "series of ", "quantity ",
          "one of a, b", "is missing", "round(", "bsa_mosteller(", "min(", "µ", "위", "\\", "'"]
HUGE = ["9" * 5_000, "1e5000", "99999999999999999999", "1" + "0" * 45, "0." + "0" * 50 + "1", "1 10*99999999/L", "99999999 years",
        "(" * 300, ")" * 300, "not " * 300, "9" * 20_000]


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, str]:
    name = draw(st.sampled_from(sorted(SHIPPED)))
    text = SHIPPED[name]
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["insert", "token", "huge", "delete", "duplicate", "breaks", "number", "splice"]))
        if kind == "splice":  # lines of another protocol, at a line start: mostly valid text, in a place it was not written for
            donor = SHIPPED[draw(st.sampled_from(sorted(SHIPPED)))].split("\n")
            first = draw(st.integers(0, len(donor) - 1))
            piece = "\n".join(donor[first:first + draw(st.integers(1, 12))]) + "\n"
            at = text.rfind("\n", 0, at) + 1
            text = text[:at] + piece + text[at:]
        elif kind == "insert":
            text = text[:at] + draw(st.text(max_size=8)) + text[at:]
        elif kind == "token":
            text = text[:at] + draw(st.sampled_from(TOKENS + ODD_BREAKS)) + text[at:]
        elif kind == "huge":
            text = text[:at] + draw(st.sampled_from(HUGE)) + text[at:]
        elif kind in ("delete", "duplicate"):
            end = min(len(text), at + draw(st.integers(1, 200)))
            text = text[:at] + text[end:] if kind == "delete" else text[:end] + text[at:end] + text[end:]
        elif kind == "breaks":
            text = text.replace("\n", draw(st.sampled_from(ODD_BREAKS)), draw(st.integers(1, 50)))
        else:  # a number made huge, tiny or long
            digits = [i for i, c in enumerate(text) if c.isdigit()]
            if digits:
                spot = draw(st.sampled_from(digits))
                text = text[:spot] + draw(st.sampled_from([*HUGE[:5], "0", "00000000", "7" * 41])) + text[spot + 1:]
    return name, text


@BUDGET
@given(mutated())
def test_a_mutated_protocol_is_diagnosed_or_runs(case: tuple[str, str]) -> None:
    name, text = case
    exercise(Source(f"mutated-{name}", text))


@BUDGET
@given(st.sampled_from(sorted(SHIPPED)), st.integers(0, 10**6), st.binary(min_size=1, max_size=4))
def test_a_protocol_with_stray_bytes_is_diagnosed_or_runs(name: str, at: int, junk: bytes) -> None:
    data = SHIPPED[name].encode("utf-8")
    at %= len(data) + 1
    exercise_bytes(f"bytes-{name}", data[:at] + junk + data[at:])


# ---- generated protocols ---------------------------------------------------------------------------------------

INPUTS = {  # name → (declaration, values a comparison may use)
    "wbc": ("quantity /uL plausible 100 /uL .. 2000000 /uL", ["50000 /uL", "50 10*9/L", "0 /uL", "99999999 /uL"]),
    "weight": ("quantity kg plausible 1 kg .. 200 kg", ["12 kg", "0.5 kg", "12000 g"]),
    "age": ("duration plausible 0 days .. 20 years", ["6 months", "183 days", "1 years", "2400 months", "73050 days"]),
    "flag": ("boolean optional", ["true", "false"]),
    "mll": ("one of germline, translocation", ["germline", "translocation", "duplication"]),
}
COMPARATORS = [">", ">=", "<", "<=", "=", "!="]


def conditions(names: list[str]) -> st.SearchStrategy[str]:
    comparison = st.sampled_from(sorted(INPUTS)).flatmap(
        lambda name: st.tuples(st.just(name), st.sampled_from(COMPARATORS), st.sampled_from(INPUTS[name][1])).map(" ".join))
    leaf = st.one_of(comparison, st.sampled_from(["flag", "flag is missing", "wbc is known", *names]) if names else comparison)
    return st.recursive(leaf, lambda inner: st.one_of(
        inner.map(lambda c: f"not ({c})"),
        st.lists(inner, min_size=2, max_size=4).map(lambda cs: " and ".join(f"({c})" for c in cs)),
        st.lists(inner, min_size=2, max_size=4).map(lambda cs: " or ".join(f"({c})" for c in cs)),
        st.lists(inner, min_size=1, max_size=4).map(lambda cs: "any of (" + ", ".join(cs) + ")"),
    ), max_leaves=12)


@st.composite
def generated(draw: st.DrawFn) -> str:
    out = ["protocol generated", "input"]
    out += [f"  {name} : {declaration}" for name, (declaration, _) in INPUTS.items()]
    names: list[str] = []
    for index in range(draw(st.integers(1, 6))):
        name = f"c{index}"
        out.append(f"criterion {name}: {draw(conditions(names))}")
        names.append(name)
    branches = [f"  b{i} when {draw(conditions(names))}" for i in range(draw(st.integers(1, 3)))]
    if draw(st.booleans()):
        branches.append("  rest otherwise")
    out += ["classify group:", *branches]
    amount = draw(st.sampled_from(["10 mg/kg * weight", "min(10 mg/kg * weight, 300 mg)", "2 mg", "weight * 0.5 mg/kg"]))
    schedule = draw(st.sampled_from(["", " given daily on days 1 to 5", " given once on day 3", " given every 12 hours from day 1",
                                     " given daily on days 1 to 2000"]))
    out.append(f"dose d in mg:\n  {amount} when {draw(conditions(names))}\n  1 mg otherwise{schedule}")
    out.append(f"recommend r: when {draw(conditions(names))}")
    return "\n".join(out) + "\n"


@BUDGET
@given(generated())
def test_a_generated_protocol_is_diagnosed_or_runs(text: str) -> None:
    exercise(Source("generated.care", text))


# ---- regressions -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", REGRESSIONS, ids=[p.name for p in REGRESSIONS])
def test_a_kept_regression_case(path: Path) -> None:
    exercise_bytes(path.name, path.read_bytes())


def test_regression_cases_are_kept() -> None:
    assert len(REGRESSIONS) >= 10
