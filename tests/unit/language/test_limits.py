"""The limits on a protocol file (docs/limits.md): each at its value is accepted, one past it is refused with its
own code at the place that crosses it, and the shared number and unit checks the records use."""

from __future__ import annotations

from fractions import Fraction

import pytest

from carepath.analysis.pipeline import check_source
from carepath.language import limits
from carepath.language.diagnostics import ProtocolError
from carepath.language.limits import NumberLimitError, number_problem, read_number, unit_exponent_problem
from carepath.language.parser import parse_text
from carepath.language.source import Source

FLAG = "protocol p\ninput\n  flag : boolean\n"
WBC = "protocol p\ninput\n  wbc : quantity /uL\n"
AGE = "protocol p\ninput\n  age : duration\n"


def _chain(links: int) -> str:
    """c0 reads flag; each next criterion reads the one before: `links` levels in all, read by a recommendation."""
    body = "criterion c0: flag\n" + "".join(f"criterion c{i}: c{i - 1}\n" for i in range(1, links - 1))
    return FLAG + body + f"recommend r: when c{links - 2}\n"


def _criteria(count: int, operands: int) -> str:
    return "".join(f"criterion c{i}: " + " and ".join(["flag"] * operands) + "\n" for i in range(count))


# code → (text at the limit, text one past it)
LIMITS: dict[str, tuple[str, str]] = {
    "CP105": (FLAG + "criterion c: " + "(" * 128 + "flag" + ")" * 128 + "\n",
              FLAG + "criterion c: " + "(" * 129 + "flag" + ")" * 129 + "\n"),
    # 6 tokens before the criteria, 908 of 22 (`criterion cN :` and 10 operands) and one of 18: 20,000; then one `not` more
    "CP107": (FLAG + _criteria(908, 10) + "criterion last: " + " and ".join(["flag"] * 8) + "\n",
              FLAG + _criteria(908, 10) + "criterion last: not " + " and ".join(["flag"] * 8) + "\n"),
    "CP108": (WBC + "criterion c: wbc > 0." + "1" * 39 + " /uL\n", WBC + "criterion c: wbc > 0." + "1" * 40 + " /uL\n"),
    "CP109": (WBC + "criterion c: wbc > 1000000000000000 /uL\n", WBC + "criterion c: wbc > 1000000000000001 /uL\n"),
    "CP110": (WBC + "criterion c: wbc > 1 10*30/L\n", WBC + "criterion c: wbc > 1 10*31/L\n"),
    "CP111": (AGE + "criterion c: age < 2400 months\n", AGE + "criterion c: age < 2401 months\n"),
    "CP112": (WBC + "dose d in mg: 1 mg given daily on days 1 to 2000\n", WBC + "dose d in mg: 1 mg given daily on days 1 to 2001\n"),
    "CP113": (FLAG + "criterion c: any of (" + ", ".join(["flag"] * 256) + ")\n",
              FLAG + "criterion c: any of (" + ", ".join(["flag"] * 257) + ")\n"),
    "CP114": (FLAG + "classify k:\n" + "".join(f"  b{i} when flag\n" for i in range(255)) + "  z otherwise\n",
              FLAG + "classify k:\n" + "".join(f"  b{i} when flag\n" for i in range(256)) + "  z otherwise\n"),
    "CP115": (FLAG + "".join(f"criterion c{i}: flag\n" for i in range(999)),
              FLAG + "".join(f"criterion c{i}: flag\n" for i in range(1_000))),
    "CP440": (_chain(128), _chain(129)),
}


def _codes(text: str) -> list[str]:
    report = check_source(Source("limit.care", text), deep=False)
    return [d.code for d in report.errors]


@pytest.mark.parametrize("code", sorted(LIMITS))
def test_a_protocol_at_the_limit_is_accepted_and_one_past_it_is_refused(code: str) -> None:
    at, past = LIMITS[code]
    assert _codes(at) == []
    assert _codes(past) == [code]


def test_more_days_are_refused_wherever_they_are_walked_day_by_day() -> None:
    series = ("protocol p\ninput\n  transplant : date\n  anc : series of quantity /uL relative to transplant\n"
              "  transfused : series of boolean relative to transplant\n")
    run = series + "event e: first of {n} consecutive days where anc > 500 /uL\n"
    window = series + "event e: first day where no transfused in previous {n} days\n"
    for text in (run, window):
        assert _codes(text.format(n=2_000)) == []
        assert _codes(text.format(n=2_001)) == ["CP112"]


def test_day_numbers_and_durations_in_days_keep_within_200_years() -> None:
    assert _codes(AGE + "criterion c: age < 73050 days\n") == []
    assert _codes(AGE + "criterion c: age < 73051 days\n") == ["CP111"]
    assert _codes(AGE + "criterion c: age < 201 years\n") == ["CP111"]
    assert _codes(WBC + "dose d in mg: 1 mg given once on day 73051\n") == ["CP111"]


@pytest.mark.parametrize("text", ["(" * 200_000 + "flag" + ")" * 200_000, "9" * 20_000 + " /uL", "1 10*99999999/L", "1e5000 /uL"])
def test_huge_input_is_refused_at_the_first_token_past_the_limit(text: str) -> None:
    with pytest.raises(ProtocolError) as raised:
        parse_text(FLAG + "criterion c: " + text + "\n")
    (diagnostic,) = raised.value.diagnostics
    assert diagnostic.span.line == 4
    assert diagnostic.code in {"CP105", "CP108", "CP110"}


def test_the_place_of_a_huge_number_is_a_single_caret() -> None:
    with pytest.raises(ProtocolError) as raised:
        parse_text(WBC + "criterion c: wbc > " + "9" * 5_000 + " /uL\n")
    assert raised.value.render().splitlines()[2].strip() == "^"
    assert "5000 digits; the limit is 40" in raised.value.render()


def test_a_number_is_read_or_refused_by_counting_characters_first() -> None:
    assert read_number("33_900") == 33_900
    assert read_number("33,900.5") == Fraction(67_801, 2)
    assert read_number("1.2e3") == 1_200
    assert read_number("1e15") == 10**15
    for text in ("9" * 5_000, "1e99999999", "1e16", "1e5000", "0." + "1" * 40, "1e-99999999"):
        with pytest.raises(NumberLimitError):
            read_number(text)
    assert number_problem("1" * 40) is None
    assert number_problem("1" * 41) == "a number of 41 digits; the limit is 40"


def test_unit_exponents_are_checked_on_the_text() -> None:
    assert unit_exponent_problem("10*9/L") is None
    assert unit_exponent_problem("mg/m2") is None
    assert unit_exponent_problem("10*-30/L") is None
    assert unit_exponent_problem("10*-31/L") == "the factor 10*-31 in unit '10*-31/L' is beyond 10*±30"
    assert unit_exponent_problem("m10") == "the power 10 in unit 'm10' is beyond 9"
    assert unit_exponent_problem("10^" + "9" * 5_000) is not None


def test_the_tree_is_walked_once_without_recursion() -> None:
    protocol = parse_text(FLAG + "criterion c: " + "not " * 120 + "flag\n")
    assert limits.tree_problems(protocol) == []
    assert limits.node_depth(protocol.definitions[0]) == 122  # the criterion, 120 `not`s, the name
