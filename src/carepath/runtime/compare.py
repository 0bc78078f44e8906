"""Two protocols on the same patients: each patient's decisions side by side, and who changes group.

Pure, like the engine: raw records in, a `Comparison` value out; no files, no printing. The records are
read once and bound to each protocol separately, so a record one protocol rejects is invalid on that side
only. A field either protocol declares is accepted by both (the other carries it unread), so one cohort
file serves two protocols that read different inputs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import assert_never

from carepath.compile.compiler import CompiledProtocol
from carepath.data.records import InvalidRecord, LoadFailure, PatientRecord, RawRecord, bind_all
from carepath.ir import program as p
from carepath.runtime.engine import Provenance, Result, Run, evaluate_all, provenance
from carepath.semantics.trace import decision_text

UNDETERMINED, INVALID = "undetermined", "invalid"


@dataclass(frozen=True, slots=True)
class Side:
    """What a reader needs to know of one protocol to read its column: which decisions, in which order."""

    provenance: Provenance
    decisions: tuple[str, ...]  # declaration order
    values: Mapping[str, tuple[str, ...]]  # decision → its values as words, in declaration order (branches; yes, no)
    fallbacks: Mapping[str, str]  # classification → its `otherwise` branch, whose reasons are the criteria that failed


@dataclass(frozen=True, slots=True)
class PatientComparison:
    """One record as each protocol saw it; `changed` names the shared decisions whose value differs."""

    id: str | None
    a: Result
    b: Result
    changed: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Transition:
    """The patients whose `decision` went from `before` (under A) to `after` (under B), values as words."""

    decision: str
    before: str
    after: str
    patients: tuple[str | None, ...]

    @property
    def count(self) -> int:
        return len(self.patients)

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass(frozen=True, slots=True)
class Comparison:
    a: Side
    b: Side
    as_of: dt.date
    patients: tuple[PatientComparison, ...]
    summary: Mapping[str, tuple[Transition, ...]]  # per shared decision, in A's declaration order

    @property
    def shared(self) -> tuple[str, ...]:
        """Decisions both protocols have, paired by name, in A's order."""
        return tuple(self.summary)

    @property
    def only_a(self) -> tuple[str, ...]:
        return tuple(d for d in self.a.decisions if d not in self.b.decisions)

    @property
    def only_b(self) -> tuple[str, ...]:
        return tuple(d for d in self.b.decisions if d not in self.a.decisions)

    @property
    def exit_code(self) -> int:
        """1 when either protocol rejected a record, as for `run`."""
        return 1 if any(INVALID in (p.a.status, p.b.status) for p in self.patients) else 0


def word(result: Result, decision: str) -> str:
    """A decision's value as the comparison states it: yes, no, a branch name, undetermined, or invalid."""
    if result.status == INVALID:
        return INVALID
    return decision_text(result.decisions.get(decision))


def input_names(compiled: CompiledProtocol) -> frozenset[str]:
    return frozenset(info.name for info in compiled.checked.inputs)


def extra_fields(protocol: CompiledProtocol, other: CompiledProtocol) -> frozenset[str]:
    """The fields `protocol` accepts unread because only `other` declares them."""
    return input_names(other) - input_names(protocol)


def compare(a: CompiledProtocol, b: CompiledProtocol, records: Sequence[RawRecord | LoadFailure], as_of: dt.date) -> Comparison:
    """Bind the same records to both protocols, evaluate each, and pair the results record by record."""
    return compare_bound(a, b, bind_all(records, a.checked, extra_fields(a, b)), bind_all(records, b.checked, extra_fields(b, a)), as_of)


def compare_bound(a: CompiledProtocol, b: CompiledProtocol, records_a: Sequence[PatientRecord | InvalidRecord],
                  records_b: Sequence[PatientRecord | InvalidRecord], as_of: dt.date, decide: Decide | None = None) -> Comparison:
    """The same, for records already bound to each protocol (with `extra_fields(protocol, other)`),
    one list per protocol in the same order; `decide` is the engine (default: the interpreter's cohort path)."""
    if len(records_a) != len(records_b):
        raise ValueError(f"{len(records_a)} records bound to {a.name} but {len(records_b)} to {b.name}: bind the same records to both")
    decide = decide or _interpreted
    run_a = decide(a, records_a, as_of)
    run_b = decide(b, records_b, as_of)
    side_a, side_b = _side(a), _side(b)
    shared = tuple(d for d in side_a.decisions if d in side_b.decisions)
    patients = tuple(
        PatientComparison(ra.id if ra.id is not None else rb.id, ra, rb,
                          tuple(d for d in shared if word(ra, d) != word(rb, d)))
        for ra, rb in zip(run_a.results, run_b.results, strict=True)
    )
    summary = {d: _transitions(d, patients, side_a, side_b) for d in shared}
    return Comparison(side_a, side_b, as_of, patients, summary)


#: Decides a cohort with reasons: the interpreter's cohort path, or an SQL engine's (`runtime.sql`).
Decide = Callable[[CompiledProtocol, Sequence[PatientRecord | InvalidRecord], dt.date], Run]


def _interpreted(compiled: CompiledProtocol, records: Sequence[PatientRecord | InvalidRecord], as_of: dt.date) -> Run:
    return evaluate_all(compiled, records, as_of, trace=False, reasons=True)


def _side(compiled: CompiledProtocol) -> Side:
    values: dict[str, tuple[str, ...]] = {}
    fallbacks: dict[str, str] = {}
    for d in compiled.decisions:
        match d:
            case p.Recommendation():
                values[d.name] = ("yes", "no")
            case p.Classification() | p.Dose():
                values[d.name] = tuple(branch.name for branch in d.branches)
                if d.branches and d.branches[-1].condition is None:
                    fallbacks[d.name] = d.branches[-1].name
            case p.Target() | p.Event():
                values[d.name] = ()
            case _:
                assert_never(d)
    return Side(provenance(compiled), tuple(d.name for d in compiled.decisions), values, fallbacks)


def _transitions(decision: str, patients: Sequence[PatientComparison], a: Side, b: Side) -> tuple[Transition, ...]:
    """Every (A value, B value) pair that occurs, with its patients in record order. Changes come first;
    then A's value in A's declaration order, then B's in B's, so the order never depends on the data's."""
    grouped: dict[tuple[str, str], list[str | None]] = {}
    for patient in patients:
        grouped.setdefault((word(patient.a, decision), word(patient.b, decision)), []).append(patient.id)
    order_a, order_b = a.values.get(decision, ()), b.values.get(decision, ())
    keys = sorted(grouped, key=lambda k: (k[0] == k[1], _rank(k[0], order_a), _rank(k[1], order_b)))
    return tuple(Transition(decision, before, after, tuple(grouped[before, after])) for before, after in keys)


def _rank(value: str, declared: tuple[str, ...]) -> tuple[int, Fraction, str]:
    """Declared values in their order, then numbers (event days) by size, then other words, then
    undetermined, then invalid."""
    if value == INVALID:
        return (4, Fraction(0), "")
    if value == UNDETERMINED and value not in declared:
        return (3, Fraction(0), "")
    if value in declared:
        return (0, Fraction(declared.index(value)), "")
    try:
        return (1, Fraction(value), value)
    except (ValueError, ZeroDivisionError):
        return (2, Fraction(0), value)
