"""Column-at-a-time evaluation: each checked node becomes one closure over whole columns of a cohort.

The per-record closures pay a Python call per node per patient; here each node is one list comprehension
over every patient, which is several times faster on a cohort. Each operator is the operator table's
entry (or its registered column fast path), so the two paths agree node for node.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, assert_never

from carepath.compile.closures import constant_of, operand_kinds, oriented
from carepath.ir import program as p
from carepath.language.nodes import Comparator
from carepath.semantics.fastpaths import COLUMN_AGAINST_CONSTANT, COLUMN_LOGIC, NOT_LOOKUP
from carepath.semantics.operators import (
    LOGIC,
    PRESENCE,
    Operand,
    comparison,
    either,
    exact,
    first_true,
)
from carepath.semantics.types import Kind


class Unsupported(Exception):
    """A node with no column form (arithmetic, doses, targets, events): the cohort goes record by record."""


Columns = list[Sequence[Any]]  # one column per environment slot: inputs, then definitions
ColumnFn = Callable[[Columns, int], list[Any]]  # (columns, number of records) → a new column
Keep = Callable[[ColumnFn], ColumnFn]


@dataclass(frozen=True, slots=True)
class ColumnPlan:
    """(slot, column closure) for every definition in evaluation order, plus where each comparison's
    column is kept: the comparisons' outcomes settle every unknown's `needs`, so rows that share them
    share the answer."""

    definitions: tuple[tuple[int, ColumnFn], ...]
    comparison_slots: tuple[int, ...]
    width: int  # environment slots plus comparison slots


def compile_columns(checked: p.CheckedProtocol) -> ColumnPlan:
    base = len(checked.inputs) + len(checked.definitions)
    kept: list[int] = []

    def keep(column: ColumnFn) -> ColumnFn:
        slot = base + len(kept)
        kept.append(slot)

        def kept_column(cols: Columns, n: int) -> list[Any]:
            values = column(cols, n)
            cols[slot] = values
            return values

        return kept_column

    definitions = tuple((d.slot, _definition(d, keep)) for d in checked.definitions)
    return ColumnPlan(definitions, tuple(kept), base + len(kept))


def _definition(definition: p.Definition, keep: Keep) -> ColumnFn:
    match definition:
        case p.Criterion() | p.Recommendation():
            return _cond(definition.condition, keep)
        case p.Dose() | p.Target() | p.Event():
            raise Unsupported(definition.step_kind.value)
        case p.Classification():
            return _classification(definition, keep)
        case _:
            assert_never(definition)


def _classification(definition: p.Classification, keep: Keep) -> ColumnFn:
    branches = tuple((b.name, None if b.condition is None else _cond(b.condition, keep)) for b in definition.branches)
    if len(branches) == 2 and branches[1][1] is None and branches[0][1] is not None:
        (first, condition), (otherwise, _) = branches
        assert condition is not None

        pick = either((first, otherwise))

        def two_way(cols: Columns, n: int) -> list[Any]:
            return list(map(pick, condition(cols, n)))

        return two_way

    names = tuple(name for name, _ in branches)

    def first_true_column(cols: Columns, n: int) -> list[Any]:
        outcomes = [[True] * n if fn is None else fn(cols, n) for _, fn in branches]  # `otherwise` always holds
        return [None if (index := first_true(row)) is None else names[index] for row in zip(*outcomes, strict=True)]

    return first_true_column


def _cond(node: Any, keep: Keep) -> ColumnFn:
    match node:
        case p.Logic():
            return _logic(node, keep)
        case p.Negation():
            inner = _cond(node.operand, keep)
            return lambda cols, n: list(map(NOT_LOOKUP, inner(cols, n)))
        case p.Compare():
            return keep(_compare(node, keep))
        case p.Presence():
            slot, test = node.input.slot, PRESENCE[node.known]
            return keep(lambda cols, n: list(map(test, cols[slot])))
        case p.InputRef():
            slot = node.input.slot  # a boolean input as a condition: its values settle `needs` like a comparison's
            return keep(lambda cols, n: list(cols[slot]))
        case p.DefRef():
            slot = node.slot
            return lambda cols, n: list(cols[slot])
        case p.Const():
            constant = node.value
            return lambda cols, n: [constant] * n
    raise Unsupported(type(node).__name__)  # arithmetic and series go record by record


def _logic(node: p.Logic, keep: Keep) -> ColumnFn:
    parts = tuple(_cond(o, keep) for o in node.operands)
    fast = COLUMN_LOGIC.get(node.kind)
    if fast is not None:
        return lambda cols, n: fast([part(cols, n) for part in parts])
    combine = LOGIC[node.kind]
    return lambda cols, n: [combine(row) for row in zip(*(part(cols, n) for part in parts), strict=True)]


def _operand(node: Any, keep: Keep) -> ColumnFn:
    if isinstance(node, p.InputRef):
        slot = node.input.slot
        return lambda cols, n: cols[slot]  # type: ignore[return-value]
    if isinstance(node, p.DefRef):
        slot = node.slot
        return lambda cols, n: cols[slot]  # type: ignore[return-value]
    if isinstance(node, p.Const):
        constant = node.value
        return lambda cols, n: [constant] * n
    return _cond(node, keep)


def _compare(node: p.Compare, keep: Keep) -> ColumnFn:
    left, right, op = oriented(node)
    kinds = operand_kinds(left, right)
    decide = comparison(op, *kinds)
    known, constant = constant_of(right)
    scale = node.scale
    if known and scale == 1:
        get = _operand(left, keep)
        domain = _closed_domain(left)
        if domain is not None and op in (Comparator.EQ, Comparator.NE):
            # a closed set of values: each one's answer is looked up, decided once by the table entry
            lookup = {value: decide(value, constant) for value in (*domain, None)}.__getitem__
            return lambda cols, n: list(map(lookup, get(cols, n)))
        fast = COLUMN_AGAINST_CONSTANT.get((op, *kinds))
        if fast is not None:
            return lambda cols, n: fast(get(cols, n), constant)
        return lambda cols, n: [decide(v, constant) for v in get(cols, n)]
    get_left, get_right = _operand(left, keep), _scaled(_operand(right, keep), kinds[1], scale)
    return lambda cols, n: [decide(a, b) for a, b in zip(get_left(cols, n), get_right(cols, n), strict=True)]


def _closed_domain(node: Any) -> tuple[object, ...] | None:
    """The values an enumeration or boolean input (or decision) can take, if the side is one."""
    type_ = node.input.type if isinstance(node, p.InputRef) else node.type if isinstance(node, p.DefRef) else None
    if type_ is None or type_.kind not in (Kind.ENUM, Kind.BOOLEAN):
        return None
    return type_.members if type_.kind is Kind.ENUM else (True, False)


def _scaled(get: ColumnFn, kind: Operand, scale: Any) -> ColumnFn:
    """The right column brought into the left's unit, as `closures.scaled` does for one record."""
    if scale == 1 or kind not in (Operand.VALUE, Operand.EXACT):
        return get
    if kind is Operand.EXACT:
        factor = exact(scale)
        assert factor is not None
        return lambda cols, n: [None if (b := exact(v)) is None else b * factor for v in get(cols, n)]
    return lambda cols, n: [None if v is None else v * scale for v in get(cols, n)]
