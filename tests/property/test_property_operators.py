"""Every registered fast path equals the operator-table entry it specialises, on generated values.

Why: the evaluators may take a fast path only where the table registers one (`ROW_AGAINST_CONSTANT`,
`COLUMN_AGAINST_CONSTANT`, `ROW_LOGIC`, `COLUMN_LOGIC`, `NOT_LOOKUP`); each must give exactly the entry's answer,
unknowns and imprecise durations included. The event-day entries, which have no fast path, are held to the
meaning of `NotBefore`: true or false only when every day the bounds allow agrees.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from carepath.language.nodes import BoolKind, Comparator
from carepath.semantics.fastpaths import COLUMN_AGAINST_CONSTANT, COLUMN_LOGIC, NOT_LOOKUP, ROW_AGAINST_CONSTANT, ROW_LOGIC
from carepath.semantics.operators import (
    COMPARISONS,
    LOGIC,
    PYTHON,
    Operand,
    kleene_not,
)
from carepath.semantics.values import Duration, NotBefore, Truth

truths = st.sampled_from((True, False, None))
known_numbers = st.one_of(st.integers(-5, 5), st.floats(-5, 5, allow_nan=False).map(lambda f: round(f, 1)))
numbers = st.one_of(st.none(), known_numbers)
durations = st.one_of(
    st.none(),
    st.integers(0, 800).map(Duration.of_days),  # imprecise in months
    st.integers(0, 26).map(Duration.of_months),  # imprecise in days
    st.builds(lambda start, length: Duration.between(start, start + dt.timedelta(days=length)),
              st.dates(dt.date(2000, 1, 1), dt.date(2030, 1, 1)), st.integers(0, 800)),  # exact
    st.integers(0, 24).map(lambda m: Duration.within_month(m, f"{m}.5 months")),
)


def _operands(key: tuple[Comparator, Operand, Operand]) -> tuple[st.SearchStrategy[Any], st.SearchStrategy[Any]]:
    _, left, right = key
    if left is Operand.DURATION and right is Operand.MONTHS:
        return durations, st.integers(0, 24)
    return numbers, known_numbers


@given(st.data())
def test_row_fast_paths_equal_their_entries(data: st.DataObject) -> None:
    for key, fast in ROW_AGAINST_CONSTANT.items():
        values, constants = _operands(key)
        value, constant = data.draw(values), data.draw(constants)
        row = [object(), value]
        assert fast(1, constant)(row) is COMPARISONS[key](value, constant), (key, value, constant)


@given(st.data())
def test_column_fast_paths_equal_their_entries(data: st.DataObject) -> None:
    for key, fast in COLUMN_AGAINST_CONSTANT.items():
        values, constants = _operands(key)
        column, constant = data.draw(st.lists(values, max_size=8)), data.draw(constants)
        assert fast(column, constant) == [COMPARISONS[key](v, constant) for v in column], (key, column, constant)


@given(st.lists(truths, min_size=1, max_size=6))
def test_short_circuit_logic_equals_its_entry(outcomes: list[Truth]) -> None:
    fns = [lambda row, i=i: row[i] for i in range(len(outcomes))]
    for kind, lift in ROW_LOGIC.items():
        assert lift(fns)(outcomes) is LOGIC[kind](outcomes), (kind, outcomes)


@given(st.integers(1, 5).flatmap(lambda width: st.lists(st.lists(truths, min_size=width, max_size=width), max_size=6)))
def test_column_logic_equals_its_entry(rows: list[list[Truth]]) -> None:
    width = len(rows[0]) if rows else 2
    columns = [[row[i] for row in rows] for i in range(width)]
    for kind, fast in COLUMN_LOGIC.items():
        assert fast(columns) == [LOGIC[kind](row) for row in rows], (kind, rows)


@given(truths)
def test_not_lookup_equals_kleene_not(value: Truth) -> None:
    assert NOT_LOOKUP(value) is kleene_not(value)


event_days = st.one_of(
    st.none(),
    st.integers(0, 40),
    st.builds(NotBefore, st.integers(0, 40)),
    st.integers(0, 40).flatmap(lambda d: st.builds(NotBefore, st.just(d), st.integers(d, 45))),
)
HORIZON = 200  # far past every bound drawn, standing in for "open above"


def _possible(day: int | NotBefore) -> range:
    if isinstance(day, NotBefore):
        return range(day.day, (day.by if day.by is not None else HORIZON) + 1)
    return range(day, day + 1)


@given(event_days, st.sampled_from(list(Comparator)), event_days)
def test_event_days_are_decided_only_when_every_possible_day_agrees(a: Any, op: Comparator, b: Any) -> None:
    result = COMPARISONS[op, Operand.DAY, Operand.DAY](a, b)
    if a is None or b is None:
        assert result is None
        return
    answers = {PYTHON[op](x, y) for x in _possible(a) for y in _possible(b)}
    if result is not None:
        assert answers == {result}


@given(st.lists(truths, min_size=2, max_size=2))
def test_implies_and_xor_are_read_by_the_generic_lift(outcomes: list[Truth]) -> None:
    assert BoolKind.IMPLIES not in ROW_LOGIC and BoolKind.XOR not in ROW_LOGIC  # no fast path: evaluators lift LOGIC itself
    assert LOGIC[BoolKind.IMPLIES](outcomes) is LOGIC[BoolKind.OR]([kleene_not(outcomes[0]), outcomes[1]])


# ---- the evaluators lift the table ----------------------------------------------------------------
# A protocol with one recommendation per operator and operand kind; on generated records its value
# closures (`decide`), its explanations and its column path (`evaluate_batch`) must each give the entry's answer.

OPS = {"<": Comparator.LT, "<=": Comparator.LE, ">": Comparator.GT, ">=": Comparator.GE, "=": Comparator.EQ, "!=": Comparator.NE}
SHAPES = {  # name → (condition with OP for the operator, table key's operand kinds, how to read its operands from a record)
    "months": ("age OP 6 months", (Operand.DURATION, Operand.MONTHS), lambda r: (r["age"], 6)),
    "days": ("age OP 183 days", (Operand.DURATION, Operand.DAYS), lambda r: (r["age"], 183)),
    "durations": ("age OP onset", (Operand.DURATION, Operand.DURATION), lambda r: (r["age"], r["onset"])),
    "values": ("wbc OP 50000 /uL", (Operand.VALUE, Operand.VALUE), lambda r: (r["wbc"], 50000)),
    "inputs": ("wbc OP anc", (Operand.VALUE, Operand.VALUE), lambda r: (r["wbc"], r["anc"])),
}


def _lifting_protocol() -> tuple[Any, list[tuple[str, tuple[Comparator, Operand, Operand], Any]]]:
    import carepath
    from carepath import Source

    lines = ["protocol lifted", "input", "  age   : duration", "  onset : duration", "  wbc   : quantity /uL", "  anc   : quantity /uL"]
    cases = []
    for shape, (text, kinds, read) in SHAPES.items():
        for index, (symbol, op) in enumerate(OPS.items()):
            name = f"{shape}_{index}"
            lines += [f"recommend {name}:", f"  when {text.replace('OP', symbol)}"]
            cases.append((name, (op, *kinds), read))
    return carepath.compile_source(Source("lifted.care", "\n".join(lines) + "\n")), cases


LIFTED, CASES = _lifting_protocol()
counts = st.one_of(st.none(), st.integers(0, 80_000), st.integers(0, 800).map(lambda n: n * 100.5))


@given(st.lists(st.fixed_dictionaries({"age": durations, "onset": durations, "wbc": counts, "anc": counts}), min_size=1, max_size=6))
def test_value_explain_and_column_paths_give_the_table_entry(rows: list[dict[str, Any]]) -> None:
    from carepath.data.records import PatientRecord
    from carepath.runtime.engine import decide, evaluate, evaluate_batch

    slots = {info.name: info.slot for info in LIFTED.checked.inputs}
    records = []
    for row in rows:
        values = [None] * len(slots)
        for name, value in row.items():
            values[slots[name]] = value
        records.append(PatientRecord("r", tuple(values), (None,) * len(values), {}, "generated"))
    batch = evaluate_batch(LIFTED, records, dt.date(2026, 1, 1))
    for position, (row, record) in enumerate(zip(rows, records, strict=True)):
        env = decide(LIFTED, record.values)
        traced = {step.text: step.outcome for step in evaluate(LIFTED, record, dt.date(2026, 1, 1)).steps}
        for name, key, read in CASES:
            expected = COMPARISONS[key](*read(row))
            slot = next(d.slot for d in LIFTED.decisions if d.name == name)
            assert env[slot] is expected, (name, row)
            assert traced[name] is expected, (name, row)
            assert batch.decisions[name][position] is expected, (name, row)
