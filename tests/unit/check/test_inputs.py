"""The checker's inputs: declared types, plausible ranges, reserved names, and the dates durations and series count from."""

from __future__ import annotations

from carepath.check.inputs import check_derivations, declare_input
from carepath.check.resolver import Resolver
from carepath.language.parser import parse_text
from carepath.semantics.types import Kind
from carepath.semantics.values import Duration


def declared(inputs: str) -> Resolver:
    resolver = Resolver()
    for decl in parse_text("protocol p\ninput\n" + inputs).inputs:
        declare_input(resolver, decl)
    check_derivations(resolver)
    return resolver


def codes(resolver: Resolver) -> list[tuple[str, int, int]]:
    return [(d.code, d.span.line, d.span.column) for d in resolver.diagnostics]


def test_types_slots_and_plausible_ranges_in_the_inputs_unit() -> None:
    resolver = declared("  wbc : quantity /uL plausible 0.1 10*9/L .. 2 10*9/L\n  age : duration plausible 0 months .. 18 years\n")
    wbc, age = resolver.inputs["wbc"], resolver.inputs["age"]
    assert (wbc.slot, wbc.type.kind, wbc.plausible) == (0, Kind.QUANTITY, (100, 2000))  # 10⁹/L is 1,000 /µL
    assert wbc.plausible_text == "0.1 10*9/L .. 2 10*9/L"  # as written
    assert (age.slot, age.type.kind, age.plausible) == (1, Kind.DURATION, (Duration.of_months(0), Duration.of_months(216)))
    assert codes(resolver) == []


def test_a_name_declared_twice_and_the_reserved_as_of() -> None:
    resolver = declared("  a : boolean\n  a : boolean\n  as_of : date\n")
    assert codes(resolver) == [("CP202", 4, 3), ("CP202", 5, 3)]
    assert list(resolver.inputs) == ["a"]


def test_a_plausible_range_that_runs_backwards_or_needs_a_unit() -> None:
    assert codes(declared("  wbc : quantity /uL plausible 10 /uL .. 1 /uL\n")) == [("CP405", 3, 22)]
    assert codes(declared("  wbc : quantity /uL plausible 1 .. 10 /uL\n")) == [("CP308", 3, 32)]


def test_derived_durations_need_declared_dates() -> None:
    good = declared("  born : date\n  age : duration from born to as_of\n")
    assert good.inputs["age"].derived_from == ("born", "as_of") and codes(good) == []
    assert codes(declared("  born : boolean\n  age : duration from born to as_of\n")) == [("CP406", 4, 3)]
    assert codes(declared("  age : quantity kg from born to as_of\n")) == [("CP406", 3, 21), ("CP406", 3, 3)]  # at `from`, then at the name


def test_a_series_counts_from_a_declared_date() -> None:
    assert codes(declared("  start : date\n  s : series of boolean relative to start\n")) == []
    assert codes(declared("  s : series of boolean relative to start\n")) == [("CP406", 3, 3)]
