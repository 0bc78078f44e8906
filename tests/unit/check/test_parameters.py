"""The checker's parameters: values in force, a site's overrides checked against type, unit and plausible range."""

from __future__ import annotations

import pytest

from carepath.check.parameters import declare_parameter
from carepath.check.resolver import Resolver
from carepath.language import nodes as n
from carepath.language.diagnostics import ParameterError
from carepath.language.parser import parse_text
from carepath.semantics.types import Kind


def parameters(text: str) -> list[n.Parameter]:
    found = [d for d in parse_text("protocol p\ninput\n  a : boolean\n" + text).definitions if isinstance(d, n.Parameter)]
    return found


def declared(text: str, overrides: str = "") -> Resolver:
    resolver = Resolver({p.name.name: p for p in parameters(overrides)} if overrides else {})
    for parameter in parameters(text):
        declare_parameter(resolver, parameter)
    return resolver


def test_values_in_force_and_as_written() -> None:
    resolver = declared("parameter limit: 50 10*9/L\nparameter start: day -7\nparameter cutoff: 6 months\n")
    limit, start, cutoff = (resolver.parameters[name] for name in ("limit", "start", "cutoff"))
    assert (limit.type.kind, limit.value, limit.shown, limit.overridden) == (Kind.QUANTITY, 50, "50 10*9/L", False)
    assert (start.type.kind, start.value) == (Kind.DAY, -7)
    assert (cutoff.type.kind, cutoff.value) == (Kind.DURATION, ("months", 6))
    assert resolver.diagnostics == []


def test_an_override_replaces_the_value_and_keeps_the_default() -> None:
    resolver = declared("parameter limit: 50 10*9/L\n", "parameter limit: 30 10*9/L\n")
    limit = resolver.parameters["limit"]
    assert (limit.value, limit.shown, limit.default, limit.overridden) == (30, "30 10*9/L", "50 10*9/L", True)


def test_an_override_in_another_dimension_or_count_is_refused() -> None:
    with pytest.raises(ParameterError, match="'limit' is in 10\\*9/L"):
        declared("parameter limit: 50 10*9/L\n", "parameter limit: 5 kg\n")
    with pytest.raises(ParameterError, match="counted in months"):
        declared("parameter cutoff: 6 months\n", "parameter cutoff: 183 days\n")


def test_a_value_outside_its_plausible_range() -> None:
    resolver = declared("parameter limit: 500 10*9/L plausible 1 10*9/L .. 100 10*9/L\n")
    assert [(d.code, d.span.line) for d in resolver.diagnostics] == [("CP405", 4)]
    with pytest.raises(ParameterError, match="outside its plausible range"):
        declared("parameter limit: 50 10*9/L plausible 1 10*9/L .. 100 10*9/L\n", "parameter limit: 200 10*9/L\n")
