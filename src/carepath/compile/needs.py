"""Closures that name the inputs an unknown result is waiting for, without building a trace.

Called only when a decision comes out undetermined, so the fast path stays fast and `needs` stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, assert_never

from carepath.ir import program as p
from carepath.semantics.operators import first_not_false
from carepath.semantics.values import is_imprecise, unsettled

NeedsFn = Callable[[list[Any]], list[str]]
ValueOf = Callable[[Any], Callable[[list[Any]], Any]]  # IR node → its value closure


def compile_needs(node: Any, value_of: ValueOf, definitions: dict[str, NeedsFn]) -> NeedsFn:
    """`node` is a condition or operand; the returned closure assumes its value is unknown."""
    match node:
        case p.InputRef():
            name, slot = node.input.name, node.input.slot
            # missing, or present but too imprecise to decide (183 days against 6 months)
            return lambda env: [name] if env[slot] is None or is_imprecise(env[slot]) else []
        case p.DefRef():
            target = node.name
            return lambda env: definitions[target](env)
        case p.Const() | p.CalendarConst() | p.Presence():
            return lambda env: []
        case p.Negation():
            return compile_needs(node.operand, value_of, definitions)
        case p.Logic():
            parts = tuple((value_of(o), compile_needs(o, value_of, definitions)) for o in node.operands)
            return lambda env: [name for value, needs in parts if value(env) is None for name in needs(env)]
        case p.Compare():
            sides = tuple((value_of(s), compile_needs(s, value_of, definitions)) for s in (node.left, node.right)
                          if not isinstance(s, (p.Const, p.CalendarConst)))
            return lambda env: [name for value, needs in sides if unsettled(value(env)) for name in needs(env)]
        case p.Arith(left=left, right=right):
            parts = tuple((value_of(s), compile_needs(s, value_of, definitions)) for s in (left, right))
            return lambda env: [name for value, needs in parts if value(env) is None for name in needs(env)]
        case p.Call(args=args):
            parts = tuple((value_of(s), compile_needs(s, value_of, definitions)) for s in args)
            return lambda env: [name for value, needs in parts if value(env) is None for name in needs(env)]
        case p.SeriesAt() | p.NoneBefore():
            series = node.input.name
            return lambda env: [series]
    raise AssertionError(node)


def compile_definition_needs(definition: p.Definition, value_of: ValueOf, definitions: dict[str, NeedsFn]) -> NeedsFn:
    match definition:
        case p.Target():
            return compile_needs(definition.measured, value_of, definitions)
        case p.Event():
            return _event_needs(definition, value_of, definitions)
        case p.Dose():
            return _dose_needs(definition, value_of, definitions)
        case p.Criterion() | p.Recommendation():
            return compile_needs(definition.condition, value_of, definitions)
        case p.Classification():
            return _classification_needs(definition, value_of, definitions)
        case _:
            assert_never(definition)


def _event_needs(event: p.Event, value_of: ValueOf, definitions: dict[str, NeedsFn]) -> NeedsFn:
    series = [s.name for s in event.series]
    start = compile_needs(event.start, value_of, definitions) if event.start is not None else None
    start_value = value_of(event.start) if event.start is not None else None

    def event_needs(env: list[Any]) -> list[str]:
        if start is not None and start_value is not None and start_value(env) is None:
            return start(env)
        return series

    return event_needs


def _dose_needs(dose: p.Dose, value_of: ValueOf, definitions: dict[str, NeedsFn]) -> NeedsFn:
    bands = tuple((None if b.condition is None else (value_of(b.condition), compile_needs(b.condition, value_of, definitions)),
                   compile_needs(b.amount, value_of, definitions)) for b in dose.branches)

    def dose_needs(env: list[Any]) -> list[str]:
        found = first_not_false(True if condition is None else condition[0](env) for condition, _ in bands)
        if found is None:
            return []
        condition, amount = bands[found[0]]
        return condition[1](env) if found[1] is None and condition is not None else amount(env)

    return dose_needs


def _classification_needs(classification: p.Classification, value_of: ValueOf, definitions: dict[str, NeedsFn]) -> NeedsFn:
    branches = tuple((value_of(b.condition), compile_needs(b.condition, value_of, definitions))
                     for b in classification.branches if b.condition is not None)

    def first_unknown(env: list[Any]) -> list[str]:
        found = first_not_false(value(env) for value, _ in branches)
        return branches[found[0]][1](env) if found is not None and found[1] is None else []

    return first_unknown
