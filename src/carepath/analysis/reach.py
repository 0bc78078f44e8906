"""What a definition reads, following criteria and earlier decisions: its inputs, whether every comparison
it makes is exact (one side a constant), and whether it reads dated series."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from carepath.ir import program as p
from carepath.semantics.types import Kind

CONSTANT = (p.Const, p.CalendarConst)
TESTABLE = (p.InputRef, p.DefRef, p.Compare, p.Logic, p.Negation, p.Presence)


def exact_compare(node: p.Compare) -> bool:
    """One side a constant, the other an input, a decision, a criterion or a condition: regions are exact."""
    left, right = node.left, node.right
    if node.scale != 1:
        return False  # two quantities in different units: only inputs are compared that way
    if isinstance(left, CONSTANT) and isinstance(right, CONSTANT):
        return True
    if isinstance(left, CONSTANT):
        return isinstance(right, TESTABLE)
    if isinstance(right, CONSTANT):
        return isinstance(left, TESTABLE)
    return False


def input_and_constant(node: p.Compare) -> tuple[p.InputInfo, p.Const | p.CalendarConst] | None:
    left, right = node.left, node.right
    if isinstance(left, p.InputRef) and isinstance(right, CONSTANT):
        return left.input, right
    if isinstance(right, p.InputRef) and isinstance(left, CONSTANT):
        return right.input, left
    return None


def roots(definition: p.Definition) -> list[p.Node]:
    """The IR a definition evaluates: conditions, amounts, measured values and bounds."""
    return list(definition.children())


@dataclass(slots=True)
class Reach:
    """What a set of roots reads, following criteria and earlier decisions."""

    inputs: dict[int, p.InputInfo] = field(default_factory=dict)
    definitions: set[str] = field(default_factory=set)
    exact: bool = True
    series: bool = False


def reach(starts: Sequence[p.Node], definitions: dict[str, p.Definition]) -> Reach:
    found = Reach()
    pending = list(starts)
    while pending:
        for node in pending.pop().walk():
            match node:
                case p.InputRef(input=info) | p.Presence(input=info):
                    found.inputs[info.slot] = info
                    if info.type.kind is Kind.SERIES:
                        found.series = True
                    elif info.type.kind is Kind.DATE:
                        found.exact = False  # dates are only ever compared with each other
                case p.SeriesAt() | p.NoneBefore():
                    found.series = True
                case p.DefRef(name=name) if name not in found.definitions:
                    found.definitions.add(name)
                    referenced = definitions[name]
                    if isinstance(referenced, p.Event):
                        found.series = True
                    else:
                        pending.extend(roots(referenced))
                case p.Compare() if not exact_compare(node):
                    found.exact = False
                case p.Arith() | p.Call():
                    found.exact = False
    return found
