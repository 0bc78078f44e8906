"""The operator table: every operator of the language once, as a pure three-valued function keyed by operator and operand kinds.

Takes runtime values (numbers, exact rationals, `Duration`s, event days, Kleene truth; `None` is unknown) and gives
`Truth` or a value. The value closures, explanations, the column path and `needs` all lift these functions; a fast path
that specialises an entry is registered in `semantics.fastpaths` under the entry's key and held equal to it by
tests/property/test_property_operators.py.
"""

from __future__ import annotations

import enum
import operator
from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction
from typing import Any

from carepath.language.nodes import ArithOp, BoolKind, Comparator
from carepath.semantics.values import MONTH, Duration, NotBefore, Truth

Decide = Callable[[Any, Any], Truth]


class Operand(enum.Enum):
    """An operand's kind as the table tells comparisons apart (the checker's `Kind` says which one a side is)."""

    VALUE = "value"  # a recorded number, enumeration member, boolean or text: Python's own order
    EXACT = "exact"  # a computed number (arithmetic, a function): an exact rational; the other side is read back exactly
    DURATION = "duration"  # a `Duration`, possibly known only within bounds (183 days, 6 months)
    MONTHS = "months"  # a calendar literal in whole months (`6 months`): the operand is the month count
    DAYS = "days"  # a calendar literal in whole days (`90 days`): the operand is the day count
    DAY = "day"  # an event day: an int, or `NotBefore` while the event is not yet reached


# ---- comparisons on exact bounds ----------------------------------------------------------------

#: How each comparison reads on two known values, and with its operands swapped.
PYTHON: dict[Comparator, Callable[[Any, Any], bool]] = {
    Comparator.EQ: operator.eq, Comparator.NE: operator.ne, Comparator.LT: operator.lt,
    Comparator.LE: operator.le, Comparator.GT: operator.gt, Comparator.GE: operator.ge,
}
def compare_intervals(a_low: int | float, a_high: int | float, op: Comparator, b_low: int | float, b_high: int | float) -> Truth:
    """A value in [a_low, a_high] against one in [b_low, b_high]: true or false only when every pair agrees."""
    match op:
        case Comparator.GT | Comparator.GE:
            return compare_intervals(b_low, b_high, op.flipped, a_low, a_high)
        case Comparator.LT:
            return True if a_high < b_low else False if a_low >= b_high else None
        case Comparator.LE:
            return True if a_high <= b_low else False if a_low > b_high else None
        case Comparator.EQ | Comparator.NE:
            if a_low == a_high == b_low == b_high:
                return op is Comparator.EQ
            if a_high < b_low or b_high < a_low:
                return op is Comparator.NE
            return None
        case _:
            raise ValueError(f"unknown comparison {op!r}")


def compare_interval(low: int | float, high: int | float, op: Comparator, threshold: int | float) -> Truth:
    """A value known to lie in [low, high] against an exact threshold, three-valued."""
    return compare_intervals(low, high, op, threshold, threshold)


def compare_interval_open(a_low: int, a_high: int | None, op: Comparator, b_low: int, b_high: int | None) -> Truth:
    """Two day ranges, either open above (`None`): true or false only when every pair agrees."""
    match op:
        case Comparator.LT | Comparator.LE:
            return compare_interval_open(b_low, b_high, op.flipped, a_low, a_high)
        case Comparator.GT | Comparator.GE:
            strict = op is Comparator.GT
            if b_high is not None and (a_low > b_high or (not strict and a_low >= b_high)):
                return True
            if a_high is not None and (a_high < b_low or (strict and a_high <= b_low)):
                return False
            return None
        case Comparator.EQ:
            disjoint = (a_high is not None and a_high < b_low) or (b_high is not None and b_high < a_low)
            return False if disjoint else None
        case Comparator.NE:
            equal = compare_interval_open(a_low, a_high, Comparator.EQ, b_low, b_high)
            return None if equal is None else not equal
        case _:
            raise ValueError(f"unknown comparison {op!r}")


def compare_durations(a: Duration, b: Duration, op: Comparator) -> Truth:
    """Two durations: by calendar position when both are known to the day of the month, else by day
    counts when both are exact, else whichever bound settles it; otherwise unknown."""
    if a.month_low == a.month_high and b.month_low == b.month_high:
        return compare_intervals(a.month_low, a.month_high, op, b.month_low, b.month_high)
    if a.day_low == a.day_high and b.day_low == b.day_high:
        return compare_intervals(a.day_low, a.day_high, op, b.day_low, b.day_high)
    by_months = compare_intervals(a.month_low, a.month_high, op, b.month_low, b.month_high)
    return by_months if by_months is not None else compare_intervals(a.day_low, a.day_high, op, b.day_low, b.day_high)


def exact(value: Any) -> Fraction | None:
    """A record's float came from decimal text; its shortest repr gives that decimal back exactly."""
    if value is None or type(value) is Fraction:
        return value  # a computed value is exact already: no new Fraction per use
    if isinstance(value, float):
        return Fraction(repr(value))
    return Fraction(value)


# ---- the comparison entries: (operator, left operand, right operand) → decide(left, right) ------


def _values(op: Comparator) -> Decide:
    compare = PYTHON[op]

    def values(a: Any, b: Any) -> Truth:
        """Two recorded values (numbers in one unit, enumeration members, booleans, text): Python's order; unknown in, unknown out."""
        return None if a is None or b is None else compare(a, b)

    return values


def _exact(op: Comparator) -> Decide:
    compare = PYTHON[op]

    def exactly(a: Any, b: Any) -> Truth:
        """A computed side is an exact rational; the other side's decimal is read back exactly too, so that
        `0.1 mg + 0.2 mg = 0.3 mg` holds as it does on paper."""
        x, y = exact(a), exact(b)
        return None if x is None or y is None else bool(compare(x, y))

    return exactly


def _against_months(op: Comparator) -> Decide:
    def against_months(duration: Duration | None, months: int) -> Truth:
        """A duration against `n months`: by calendar month position (months × 32 + days). An age in days
        has a range of positions (183 days is 6 months 0–3 days), so it is unknown where that range straddles."""
        if duration is None:
            return None
        return compare_interval(duration.month_low, duration.month_high, op, months * MONTH)

    return against_months


def _against_days(op: Comparator) -> Decide:
    def against_days(duration: Duration | None, days: int) -> Truth:
        """A duration against `n days`: by day count. An age in months has a range of days (6 months is
        181–184 days), so it is unknown where that range straddles."""
        if duration is None:
            return None
        return compare_interval(duration.day_low, duration.day_high, op, days)

    return against_days


def _durations(op: Comparator) -> Decide:
    def durations(a: Duration | None, b: Duration | None) -> Truth:
        """Two durations (see `compare_durations`); unknown in, unknown out."""
        return None if a is None or b is None else compare_durations(a, b, op)

    return durations


def _days(op: Comparator) -> Decide:
    compare = PYTHON[op]

    def days(a: int | NotBefore | None, b: int | NotBefore | None) -> Truth:
        """Event days: an event not yet reached is `NotBefore(d)`, which still settles `> day 30` once d > 30."""
        if a is None or b is None:
            return None
        if not isinstance(a, NotBefore) and not isinstance(b, NotBefore):
            return bool(compare(a, b))
        a_low, a_high = (a.day, a.by) if isinstance(a, NotBefore) else (a, a)
        b_low, b_high = (b.day, b.by) if isinstance(b, NotBefore) else (b, b)
        return compare_interval_open(a_low, a_high, op, b_low, b_high)

    return days


def _swapped(decide: Decide) -> Decide:
    def swapped(a: Any, b: Any) -> Truth:
        """The calendar literal written first (`6 months > age`): the flipped entry with its operands swapped."""
        return decide(b, a)

    return swapped


def _comparisons() -> dict[tuple[Comparator, Operand, Operand], Decide]:
    table: dict[tuple[Comparator, Operand, Operand], Decide] = {}
    for op in Comparator:
        table[op, Operand.VALUE, Operand.VALUE] = _values(op)
        table[op, Operand.EXACT, Operand.EXACT] = table[op, Operand.EXACT, Operand.VALUE] = table[op, Operand.VALUE, Operand.EXACT] = _exact(op)
        table[op, Operand.DURATION, Operand.MONTHS] = _against_months(op)
        table[op, Operand.DURATION, Operand.DAYS] = _against_days(op)
        table[op, Operand.DURATION, Operand.DURATION] = _durations(op)
        table[op, Operand.DAY, Operand.DAY] = _days(op)
    for op in Comparator:
        for calendar in (Operand.MONTHS, Operand.DAYS):
            table[op, calendar, Operand.DURATION] = _swapped(table[op.flipped, Operand.DURATION, calendar])
    return table


#: Every comparison: `COMPARISONS[(Comparator.LT, Operand.DURATION, Operand.MONTHS)](age, 6)` decides `age < 6 months`.
COMPARISONS: dict[tuple[Comparator, Operand, Operand], Decide] = _comparisons()


def comparison(op: Comparator, left: Operand, right: Operand) -> Decide:
    """The table entry for `left op right`; a pair of kinds the checker never lets through is a bug here."""
    return COMPARISONS[op, left, right]


# ---- Kleene logic -------------------------------------------------------------------------------


def kleene_not(value: Truth) -> Truth:
    return None if value is None else not value


def kleene_and(values: Iterable[Truth]) -> Truth:
    """False if any is false, else unknown if any is unknown, else true (true for none at all)."""
    unknown = False
    for value in values:
        if value is False:
            return False
        if value is None:
            unknown = True
    return None if unknown else True


def kleene_or(values: Iterable[Truth]) -> Truth:
    """True if any is true, else unknown if any is unknown, else false (false for none at all)."""
    unknown = False
    for value in values:
        if value is True:
            return True
        if value is None:
            unknown = True
    return None if unknown else False


def kleene_xor(values: Iterable[Truth]) -> Truth:
    """True when an odd number are true; unknown as soon as one is unknown (as in CQL)."""
    result = False
    for value in values:
        if value is None:
            return None
        result ^= value
    return result


def kleene_implies(premise: Truth, conclusion: Truth) -> Truth:
    """`not premise or conclusion`, Kleene: a false premise or a true conclusion decides it alone."""
    if premise is False or conclusion is True:
        return True
    if premise is True and conclusion is False:
        return False
    return None


#: Every boolean operator over its operands' outcomes, in order (`implies` takes exactly two).
LOGIC: dict[BoolKind, Callable[[Sequence[Truth]], Truth]] = {
    BoolKind.AND: kleene_and, BoolKind.ALL_OF: kleene_and, BoolKind.OR: kleene_or, BoolKind.ANY_OF: kleene_or,
    BoolKind.XOR: kleene_xor, BoolKind.IMPLIES: lambda values: kleene_implies(*values),
}


def combine(kind: BoolKind, values: Sequence[Truth]) -> Truth:
    """Every boolean operator through one door."""
    return LOGIC[kind](values)


def deciding(kind: BoolKind, outcomes: Sequence[Truth]) -> tuple[int, ...]:
    """Which operands settled the outcome, for an explanation to show: the false ones of a false `and`,
    the unknown ones of an unknown result, the false premise or true conclusion of a true `implies`."""
    outcome = combine(kind, outcomes)
    everyone = tuple(range(len(outcomes)))
    unknowns = tuple(i for i, o in enumerate(outcomes) if o is None)
    match kind:
        case BoolKind.IMPLIES:
            premise, conclusion = outcomes
            settled = ((0,) if premise is False else ()) + ((1,) if conclusion is True else ())
            return settled or (unknowns if outcome is None else everyone)
        case BoolKind.XOR:
            return unknowns if outcome is None else everyone
        case BoolKind.AND | BoolKind.ALL_OF | BoolKind.OR | BoolKind.ANY_OF:
            stop = not kind.is_conjunction
            if outcome is stop:
                return tuple(i for i, o in enumerate(outcomes) if o is stop)
            return unknowns if outcome is None else everyone
    raise AssertionError(kind)


# ---- branch choice ------------------------------------------------------------------------------


def first_not_false(outcomes: Iterable[Truth]) -> tuple[int, Truth] | None:
    """The first branch whose condition is not false, with that outcome: true, the branch is taken; unknown, it
    holds the choice up (it might hold, so no later branch is taken in its place). None when every condition is
    false: no branch applies. `otherwise` is a condition that is always true. Reads lazily."""
    for index, outcome in enumerate(outcomes):
        if outcome is not False:
            return index, outcome
    return None


def first_true(outcomes: Iterable[Truth]) -> int | None:
    """Which branch a classification takes (and which band a dose): see `first_not_false`; None when undecided."""
    found = first_not_false(outcomes)
    return found[0] if found is not None and found[1] is True else None


def either(names: tuple[str, str]) -> Callable[[Truth], str | None]:
    """`X when c, Y otherwise`, the commonest classification, as a lookup on c's outcome: each answer decided
    once by `first_true`, so the evaluators need not call it per record."""
    chosen = {outcome: first_true((outcome, True)) for outcome in (True, False, None)}
    return {outcome: None if index is None else names[index] for outcome, index in chosen.items()}.__getitem__


# ---- arithmetic and presence --------------------------------------------------------------------


def _arithmetic(op: ArithOp) -> Callable[[Any, Any], Fraction | None]:
    def compute(a: Any, b: Any) -> Fraction | None:
        """Exact arithmetic (numbers become `Fraction`s); unknown in, unknown out; dividing by a zero reading is unknown, not an error."""
        x, y = exact(a), exact(b)
        if x is None or y is None:
            return None
        match op:
            case ArithOp.ADD:
                return x + y
            case ArithOp.SUBTRACT:
                return x - y
            case ArithOp.MULTIPLY:
                return x * y
            case ArithOp.DIVIDE:
                return None if y == 0 else x / y
        raise AssertionError(op)

    return compute


#: `+ − × ÷` on exact numbers: `ARITHMETIC[ArithOp.ADD](0.1, 0.2) == Fraction(3, 10)`.
ARITHMETIC: dict[ArithOp, Callable[[Any, Any], Fraction | None]] = {op: _arithmetic(op) for op in ArithOp}


def is_known(value: object) -> bool:
    """`x is known`: the one two-valued test, never unknown itself."""
    return value is not None


def is_missing(value: object) -> bool:
    """`x is missing`."""
    return value is None


#: `is known` / `is missing`, keyed by the node's `known` flag.
PRESENCE: dict[bool, Callable[[object], bool]] = {True: is_known, False: is_missing}
