"""The checked program → one SQL query, built as sqlglot's expression tree, from a table of bound inputs to a table of
decisions, statuses and the inputs each undetermined patient needs.

Each comparison is the operator table's entry (`COMPARISONS`) read in SQL: the same keys, the same interval rules,
held equal to it by the differential tests. SQL's NULL logic is Kleene's, so `and`, `or` and `not` carry over; a
classification is not a plain `CASE` (an unknown earlier branch makes it undetermined, never the next branch). Numbers
are exact DECIMALs whose widths follow from the inputs' plausible ranges: a value that could need more than 38 digits,
and every construct with no SQL form here, is refused with a diagnostic (CP901, CP902), never approximated.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlglot import exp

from carepath.compile.closures import constant_of, operand_kinds, oriented
from carepath.compile.sqlcompare import (
    SQL_OPERANDS,
    against_days,
    against_months,
    any_of,
    case_of,
    compare_values,
    durations,
)
from carepath.compile.sqlexact import (
    MAX_DIGITS,
    Decimalish,
    TooWide,
    cast_to,
    common,
    constant,
    decimal_type,
    den_times,
    exact_value,
    false,
    fields,
    is_null,
    minus,
    number_type,
    over,
    paren,
    plus,
    scaled,
    split,
    times,
    typed,
    unknown,
    whole_parts,
)
from carepath.ir import program as p
from carepath.language.diagnostics import Diagnostic, ProtocolError, Severity
from carepath.language.nodes import ArithOp, BoolKind, Comparator
from carepath.semantics.operators import Operand
from carepath.semantics.types import Kind


class Dialect(enum.StrEnum):
    """The SQL engines the query is printed for (sqlglot's own dialect names)."""

    DUCKDB = "duckdb"
    SPARK = "spark"
    TRINO = "trino"
    POSTGRES = "postgres"


#: The bound-input table's columns for a duration: its bounds in month positions (months × 32 + days) and in days.
DURATION_PARTS = ("month_low", "month_high", "day_low", "day_high")
#: The output's own columns, beside one column per decision.
ID, STATUS, NEEDS = "id", "status", "needs"


def part_column(name: str, part: str) -> str:
    """A duration input's bound column in the input table: `age_at_diagnosis__month_low`."""
    return f"{name}__{part}"


class NotCompiled(Exception):
    """A node with no SQL form: reported as CP901 at the node."""

    def __init__(self, node: Any, what: str) -> None:
        super().__init__(what)
        self.node, self.what = node, what


@dataclass(frozen=True, slots=True)
class SqlProgram:
    """The query, and what a reader of its result needs: the decisions' columns and the inputs the table must carry."""

    query: exp.Query
    decisions: tuple[str, ...]
    inputs: tuple[p.InputInfo, ...]  # the inputs some rule reads: the input table's columns
    atoms: tuple[str, ...]  # the comparisons' outcome columns, when asked for (rows sharing them share their reasons)
    criteria: tuple[str, ...] = ()  # the criteria's columns, when asked for (survival grouped by a criterion)

    def sql(self, dialect: Dialect = Dialect.DUCKDB, pretty: bool = True) -> str:
        return self.query.sql(dialect=dialect.value, pretty=pretty, identify=True)


def compile_sql(checked: p.CheckedProtocol, table: str = "inputs", atoms: bool = False, criteria: bool = False) -> SqlProgram:
    """The protocol as one query over `table`; raises `ProtocolError` (CP901/CP902) naming each construct it cannot compile.
    `atoms` adds each comparison's outcome, `criteria` each criterion's value, as columns of the result."""
    compiler = _Compiler(checked, atoms)
    problems: list[Diagnostic] = []
    steps: list[tuple[str, list[exp.Expr]]] = []
    for definition in checked.definitions:
        try:
            value = compiler.definition(definition)
            steps.extend((definition.name, atoms) for atoms in compiler.atom_steps())
            steps.append((definition.name, value))
        except NotCompiled as refused:
            problems.append(Diagnostic("CP901", Severity.ERROR, f"{refused.what} cannot be compiled to SQL", refused.node.span,
                                       "run it with the interpreter (`carepath run` without `--engine`)"))
        except TooWide as wide:
            problems.append(Diagnostic("CP902", Severity.ERROR,
                                       f"'{wide.node.text}' may need {wide.digits} decimal digits, more than SQL's {MAX_DIGITS}",
                                       wide.node.span, "declare plausible ranges for the inputs it reads, so their size is known"))
    decisions = tuple(d.name for d in checked.decisions)
    clash = [name for name in decisions if name in (ID, STATUS, NEEDS)]
    for definition in checked.definitions:
        if definition.name in clash:
            problems.append(Diagnostic("CP901", Severity.ERROR, f"a decision named '{definition.name}' cannot be a column "
                                       f"beside the result's own '{definition.name}'", definition.span, "rename the decision"))
    if problems:
        raise ProtocolError(checked.source, problems)
    shown = tuple(d.name for d in checked.definitions if isinstance(d, p.Criterion)) if criteria else ()
    query = compiler.query(table, steps, shown)
    return SqlProgram(query, decisions, tuple(compiler.read.values()), tuple(compiler.atom_names) if atoms else (), shown)


def _column(name: str) -> exp.Column:
    return exp.column(name, quoted=True)


def _def_column(name: str) -> str:
    return f"d:{name}"


def _need_column(definition: str, name: str) -> str:
    return f"n:{definition}:{name}"


# ---- the compiler -------------------------------------------------------------------------------


class _Compiler:
    def __init__(self, checked: p.CheckedProtocol, atoms: bool) -> None:
        self.checked = checked
        self.read: dict[str, p.InputInfo] = {}
        self.definitions = {d.name: d for d in checked.definitions}
        self.reaches: dict[str, list[str]] = {}  # definition → the inputs its `needs` can name, in input order
        self.want_atoms = atoms
        self.atom_names: list[str] = []
        self.atom_columns: dict[int, str] = {}  # a condition node → its column
        self.atom_level: dict[str, int] = {}
        self.pending: list[tuple[int, exp.Expr]] = []  # the current definition's atoms, with their levels
        self.need_steps: list[list[exp.Expr]] = []  # per definition, its `needs` columns

    # -- definitions --

    def definition(self, definition: p.Definition) -> list[exp.Expr]:
        """The definition's value column and its `needs` columns (one per input it can name)."""
        match definition:
            case p.Criterion() | p.Recommendation():
                value = self.cond(definition.condition)
                needs = {name: self.needs(definition.condition, name) for name in self._inputs(definition.condition)}
            case p.Classification():
                value, needs = self.classification(definition)
            case p.Dose() | p.Target() | p.Event():
                raise NotCompiled(definition, f"the {definition.step_kind.value} '{definition.name}'")
        self.reaches[definition.name] = list(needs)
        # `needs` is read only where the definition is unknown: worked out for those rows alone, after every value
        unknown = is_null(_column(_def_column(definition.name)))
        self.need_steps.append([case_of((unknown, need), otherwise=false()).as_(_need_column(definition.name, name), quoted=True, copy=False)
                                for name, need in needs.items()])
        return [value.as_(_def_column(definition.name), quoted=True, copy=False)]

    def classification(self, definition: p.Classification) -> tuple[exp.Expr, dict[str, exp.Expr]]:
        """`first_true`: the first branch whose condition is not false decides; if it is unknown, so is the result."""
        arms: list[tuple[exp.Expr, exp.Expr]] = []
        otherwise: exp.Expr = exp.null()
        conditions: list[tuple[exp.Expr, p.Cond]] = []
        for branch in definition.branches:
            if branch.condition is None:
                otherwise = exp.Literal.string(branch.name)
                break
            condition = self.cond(branch.condition)
            arms.append((condition, exp.Literal.string(branch.name)))
            arms.append((is_null(condition), exp.null()))
            conditions.append((condition, branch.condition))
        value = case_of(*arms, otherwise=otherwise)
        # `needs`: the inputs of the first branch whose condition is not false, when that one is unknown
        names = [name for _, node in conditions for name in self._inputs(node)]
        needs: dict[str, exp.Expr] = {}
        for name in dict.fromkeys(names):
            needs_arms = []
            for condition, node in conditions:
                reads = name in self._inputs(node)
                needs_arms.append((is_null(condition), self.needs(node, name) if reads else false()))
                needs_arms.append((condition, false()))  # true: taken, nothing is needed
            while needs_arms and isinstance(needs_arms[-1][1], exp.Boolean) and needs_arms[-1][1].this is False:
                needs_arms.pop()  # the last arms that say "nothing" say what the ELSE says
            needs[name] = case_of(*needs_arms, otherwise=false()) if needs_arms else false()  # never NULL
        return value, needs

    def _inputs(self, node: Any) -> list[str]:
        """The inputs `needs` can name for a node, in the protocol's input order."""
        found: set[str] = set()
        for item in node.walk():
            if isinstance(item, p.InputRef):
                found.add(item.input.name)
            elif isinstance(item, p.DefRef) and item.name in self.reaches:
                found.update(self.reaches[item.name])
        return [info.name for info in self.checked.inputs if info.name in found]

    # -- conditions and values --

    def cond(self, node: Any) -> exp.Expr:
        match node:
            case p.Logic():
                return self.logic(node)
            case p.Negation():
                return exp.Not(this=paren(self.cond(node.operand)))
            case p.Compare():
                return self.atom(node, lambda: self.compare(node))
            case p.Presence():
                column = self.input_columns(node)[0]
                return self.atom(node, lambda: is_null(column) if not node.known else exp.Not(this=is_null(column)))
            case p.InputRef():
                return self.atom(node, lambda: self.input_columns(node)[0])
            case p.DefRef():
                return _column(_def_column(node.name))
            case p.Const():
                return exp.null() if node.value is None else exp.Boolean(this=bool(node.value))
        raise NotCompiled(node, f"'{node.text}' ({type(node).__name__})")

    def atom(self, node: Any, make: Callable[[], exp.Expr]) -> exp.Expr:
        """A comparison (or presence test, or boolean input) becomes a column of its own, computed once in a step before
        the definition that reads it: every later use (a `needs`, a classification's second look) reads the column
        instead of repeating the comparison's text, which nested arithmetic had made hundreds of kilobytes long."""
        known = self.atom_columns.get(id(node))
        if known is not None:
            return _column(known)
        condition = make()
        name = f"a:{len(self.atom_names)}"
        reads = [column.name for column in condition.find_all(exp.Column) if column.name in self.atom_level]
        self.atom_level[name] = 1 + max((self.atom_level[r] for r in reads), default=0)
        self.atom_columns[id(node)] = name
        self.atom_names.append(name)
        self.pending.append((self.atom_level[name], condition.as_(name, quoted=True, copy=False)))
        return _column(name)

    def atom_steps(self) -> list[list[exp.Expr]]:
        """The atoms made for one definition, one step per level (an atom comparing two others comes after them)."""
        levels = sorted({level for level, _ in self.pending})
        steps = [[column for level, column in self.pending if level == wanted] for wanted in levels]
        self.pending.clear()
        return steps

    def logic(self, node: p.Logic) -> exp.Expr:
        parts = [paren(self.cond(o)) for o in node.operands]
        match node.kind:
            case BoolKind.AND | BoolKind.ALL_OF:
                return exp.and_(*parts, copy=False) if len(parts) > 1 else parts[0]
            case BoolKind.OR | BoolKind.ANY_OF:
                return exp.or_(*parts, copy=False) if len(parts) > 1 else parts[0]
            case BoolKind.IMPLIES:
                premise, conclusion = parts
                return exp.or_(exp.Not(this=premise), conclusion, copy=False)  # Kleene: a false premise or a true conclusion decides
            case BoolKind.XOR:
                unknown = any_of(is_null(part) for part in parts)
                parity = parts[0]
                for part in parts[1:]:
                    parity = paren(exp.NEQ(this=parity, expression=part))
                return case_of((unknown, exp.null()), otherwise=parity)
        raise AssertionError(node.kind)

    def input_columns(self, node: p.InputRef | p.Presence) -> list[exp.Expr]:
        """An input's columns where `node` reads it (a series has none: refused where it is read)."""
        info = node.input
        if info.type.kind is Kind.SERIES:
            raise NotCompiled(node, f"the series '{info.name}'")
        self.read.setdefault(info.name, info)
        if info.type.kind is Kind.DURATION:
            return [_column(part_column(info.name, part)) for part in DURATION_PARTS]
        return [_column(info.name)]

    def compare(self, node: p.Compare) -> exp.Expr:
        left, right, op = oriented(node)
        kinds = operand_kinds(left, right)
        if kinds not in {(k[1], k[2]) for k in SQL_OPERANDS}:
            raise NotCompiled(node, f"the comparison '{node.text}' of event days")
        match kinds:
            case (Operand.DURATION, Operand.MONTHS):
                return against_months(op, self.duration(left), constant_of(right)[1])
            case (Operand.DURATION, Operand.DAYS):
                return against_days(op, self.duration(left), constant_of(right)[1])
            case (Operand.DURATION, Operand.DURATION):
                return durations(op, self.duration(left), self.duration(right))
        if self._numeric(left) or self._numeric(right):
            return self.exact_compare(node, left, op, right)
        return compare_values(self.plain(left), op, self.plain(right))  # enumeration members, booleans, text, dates: their own order

    def duration(self, node: Any) -> dict[str, exp.Expr]:
        if isinstance(node, p.InputRef):
            return dict(zip(DURATION_PARTS, self.input_columns(node), strict=True))
        raise NotCompiled(node, f"the duration '{node.text}'")

    def plain(self, node: Any) -> exp.Expr:
        if isinstance(node, p.InputRef):
            return self.input_columns(node)[0]
        if isinstance(node, p.Const):
            return _literal(node.value, node)
        return self.cond(node)

    def _numeric(self, node: Any) -> bool:
        kind = node.input.type.kind if isinstance(node, p.InputRef) else getattr(getattr(node, "type", None), "kind", None)
        return isinstance(node, (p.Arith, p.Call)) or kind in (Kind.QUANTITY, Kind.NUMBER)

    # -- exact numbers --

    def exact_compare(self, node: p.Compare, left: Any, op: Comparator, right: Any) -> exp.Expr:
        """`a op b` on exact numbers: a quotient is compared through the sign of the cross difference, so nothing rounds."""
        a = self.number(left)
        b = self.number(right)
        if node.scale != 1:
            b = scaled(b, node.scale, node)
        undefined = any_of(divisor.copy().eq(0) for divisor in (*a.divisors, *b.divisors))
        if a.den is None and b.den is None:
            shared = common(a, b, node)
            compared = compare_values(cast_to(a, *shared), op, cast_to(b, *shared))
            return compared if isinstance(undefined, exp.Boolean) else case_of((undefined, exp.null()), otherwise=compared)
        # a/x op b/y  ⇔  sign(a·y − b·x) · sign(x) · sign(y) op 0, and unknown when a divisor is zero
        a_num, a_den = split(a)
        b_num, b_den = split(b)
        difference = minus(times(a_num, b_den, node), times(b_num, a_den, node), node)
        signs = exp.Mul(this=exp.Mul(this=exp.func("SIGN", difference.expr), expression=exp.func("SIGN", a_den.expr)),
                        expression=exp.func("SIGN", b_den.expr))
        return case_of((undefined, exp.null()), otherwise=compare_values(paren(signs), op, exp.Literal.number(0)))

    def number(self, node: Any) -> Decimalish:
        match node:
            case p.InputRef():
                column = self.input_columns(node)[0]
                precision, scale = number_type(node.input)
                return Decimalish(typed(column, decimal_type(precision, scale)), precision, scale)
            case p.Const():
                return constant(exact_value(node.value), node)
            case p.Arith():
                return self.arith(node)
            case p.Call():
                raise NotCompiled(node, f"the function call '{node.text}'")
        raise NotCompiled(node, f"'{getattr(node, 'text', node)}' as a number")

    def arith(self, node: p.Arith) -> Decimalish:
        a, b = self.number(node.left), self.number(node.right)
        if node.right_scale != 1:
            b = scaled(b, node.right_scale, node)
        match node.op:
            case ArithOp.MULTIPLY:
                made = over(times(*whole_parts(a, b), node), den_times(a, b, node))
            case ArithOp.DIVIDE:
                a_num, a_den = split(a)
                b_num, b_den = split(b)
                made = Decimalish(*fields(times(a_num, b_den, node)), den=times(a_den, b_num, node),
                                  divisors=(b_num.expr.copy(),))
            case ArithOp.ADD | ArithOp.SUBTRACT if a.den is None and b.den is None:
                made = plus(a, b, node) if node.op is ArithOp.ADD else minus(a, b, node)
            case ArithOp.ADD | ArithOp.SUBTRACT:
                a_num, a_den = split(a)
                b_num, b_den = split(b)
                left, right = times(a_num, b_den, node), times(b_num, a_den, node)
                top = plus(left, right, node) if node.op is ArithOp.ADD else minus(left, right, node)
                made = Decimalish(*fields(top), den=times(a_den, b_den, node))
        return Decimalish(made.expr, made.precision, made.scale, made.den, (*a.divisors, *b.divisors, *made.divisors))

    # -- needs --

    def needs(self, node: Any, name: str) -> exp.Expr:
        """Whether the input `name` is among those an unknown `node` waits for (`compile.needs`, in SQL)."""
        match node:
            case p.InputRef():
                if node.input.name != name:
                    return false()
                return self.unsettled(node)
            case p.DefRef():
                return _column(_need_column(node.name, name)) if name in self.reaches.get(node.name, ()) else false()
            case p.Const() | p.CalendarConst() | p.Presence():
                return false()
            case p.Negation():
                return self.needs(node.operand, name)
            case p.Logic():
                return any_of(exp.and_(is_null(self.cond(o)), paren(self.needs(o, name)), copy=False)
                            for o in node.operands if name in self._inputs(o))
            case p.Compare():  # an input's own `needs` is already "unsettled": no need to ask twice
                return any_of(self.needs(s, name) if isinstance(s, p.InputRef) else exp.and_(paren(self.unsettled(s)), paren(self.needs(s, name)), copy=False)
                            for s in (node.left, node.right) if not isinstance(s, (p.Const, p.CalendarConst)) and name in self._inputs(s))
            case p.Arith():
                return any_of(exp.and_(paren(unknown(self.number(s))), paren(self.needs(s, name)), copy=False)
                            for s in (node.left, node.right) if name in self._inputs(s))
        raise NotCompiled(node, f"'{getattr(node, 'text', node)}'")

    def unsettled(self, node: Any) -> exp.Expr:
        """`values.unsettled`: missing, or a duration known only within bounds."""
        if isinstance(node, p.InputRef) and node.input.type.kind is Kind.DURATION:
            low, high, day_low, day_high = self.input_columns(node)
            return exp.or_(is_null(low), exp.NEQ(this=low, expression=high), exp.NEQ(this=day_low, expression=day_high), copy=False)
        if isinstance(node, p.InputRef):
            return is_null(self.input_columns(node)[0])
        if isinstance(node, (p.Arith, p.Call)):
            return unknown(self.number(node))
        return is_null(self.cond(node))

    # -- the query --

    def query(self, table: str, steps: list[tuple[str, list[exp.Expr]]], criteria: tuple[str, ...]) -> exp.Query:
        """One CTE per definition's value, in evaluation order (each reads the columns before it), one per definition's
        `needs`, then the result."""
        source = exp.to_table(table, quoted=True)
        query: exp.Select | None = None
        previous = table
        ctes: list[tuple[str, exp.Select]] = []
        for index, columns in enumerate([columns for _, columns in steps] + [needs for needs in self.need_steps if needs]):
            name = f"step_{index}"
            ctes.append((name, exp.select(exp.Star(), *columns).from_(exp.to_table(previous, quoted=True) if index else source)))
            previous = name
        decisions = [d.name for d in self.checked.decisions]
        undetermined = any_of(is_null(_column(_def_column(name))) for name in decisions)
        status = case_of((undetermined, exp.Literal.string("undetermined")), otherwise=exp.Literal.string("ok"))
        needed = []
        for info in self.checked.inputs:
            wanted = [exp.and_(is_null(_column(_def_column(d))), _column(_need_column(d, info.name)), copy=False)
                      for d in decisions if info.name in self.reaches.get(d, ())]
            if wanted:
                needed.append(case_of((any_of(wanted), exp.Literal.string("," + info.name)), otherwise=exp.Literal.string("")))
        joined: exp.Expr = exp.Literal.string("")
        for part in needed:
            joined = exp.DPipe(this=joined, expression=part, safe=True)
        needs = case_of((undetermined.copy(), exp.Substring(this=paren(joined), start=exp.Literal.number(2))), otherwise=exp.null())
        outputs: list[exp.Expr] = [_column(ID).as_(ID, quoted=True), status.as_(STATUS, quoted=True),
                                         *(_column(_def_column(name)).as_(name, quoted=True) for name in decisions),
                                         needs.as_(NEEDS, quoted=True),
                                         *(_column(_def_column(name)).as_(name, quoted=True) for name in criteria)]
        if self.want_atoms:
            outputs.extend(_column(name).as_(name, quoted=True) for name in self.atom_names)
        query = exp.select(*outputs).from_(exp.to_table(previous, quoted=True) if steps else source)
        for name, select in ctes:
            query = query.with_(name, as_=select, copy=False)
        return query


def _literal(value: object, node: Any) -> exp.Expr:
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, str):
        return exp.Literal.string(value)
    if value is None:
        return exp.null()
    import datetime as dt

    if isinstance(value, dt.date):
        return exp.cast(exp.Literal.string(value.isoformat()), exp.DataType.build("DATE"))
    raise NotCompiled(node, f"the value '{getattr(node, 'text', value)}'")
