"""The sentence each comparison's explanation prints, from the outcome the operator table gave."""

from __future__ import annotations

import datetime as dt

import pytest

import carepath
from carepath import Source
from carepath.compile.compiler import CompiledProtocol
from carepath.data.records import PatientRecord
from carepath.semantics.trace import Step, StepKind

PROTOCOL = """\
protocol worded
input
  age : duration
  wbc : quantity /uL
  mll : one of germline, translocation
recommend young: when age < 6 months
recommend high: when wbc >= 50000 /uL
recommend rearranged: when mll = translocation
"""


@pytest.fixture(scope="module")
def compiled() -> CompiledProtocol:
    return carepath.compile_source(Source("worded.care", PROTOCOL))


def comparison(compiled: CompiledProtocol, decision: str, fields: str = "") -> Step:
    (record,) = carepath.records_from_text(compiled, f"- id: r\n{fields}")
    assert isinstance(record, PatientRecord)
    (step,) = [s for s in carepath.evaluate(compiled, record, dt.date(2026, 1, 1)).steps if s.text == decision]
    (inner,) = step.children
    assert inner.kind is StepKind.COMPARISON
    return inner


def test_a_false_threshold_says_what_was_needed_and_how_far(compiled: CompiledProtocol) -> None:
    step = comparison(compiled, "high", "  wbc: 20000 /uL\n")
    assert step.outcome is False
    assert step.detail == "wbc 20,000 /µL < 50,000 /µL (needs ≥ 50,000 /µL); 30,000 /µL below the threshold"


def test_a_missing_input_is_named_and_wanted(compiled: CompiledProtocol) -> None:
    step = comparison(compiled, "high")
    assert (step.outcome, step.detail, step.wanting) == (None, "wbc is missing", ("wbc",))


def test_an_age_in_days_against_months_says_why_it_cannot_tell(compiled: CompiledProtocol) -> None:
    step = comparison(compiled, "young", "  age: 183 days\n")
    assert step.outcome is None
    assert step.detail == ("cannot tell whether 183 days < 6 months: 6 months is 181 to 184 days depending on the calendar; "
                           "give the age in months or the dates")


def test_an_enumeration_names_the_value_it_had(compiled: CompiledProtocol) -> None:
    assert comparison(compiled, "rearranged", "  mll: germline\n").detail == "mll is germline, not translocation"
    assert comparison(compiled, "rearranged", "  mll: translocation\n").detail == "mll is translocation"
