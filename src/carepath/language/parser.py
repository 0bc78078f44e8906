"""Protocol text → `nodes.Protocol`. The only module that imports lark; its trees never leave this file."""

from __future__ import annotations

import contextvars
import functools
from fractions import Fraction
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from carepath.language import limits, tables
from carepath.language import nodes as n
from carepath.language.clauses import ClauseNodes
from carepath.language.diagnostics import Diagnostic, ProtocolError, Severity, did_you_mean
from carepath.language.source import MAX_SOURCE_BYTES, Source, Span
from carepath.language.syntax_hints import CHARACTER_HINT, FRIENDLY_TERMINALS, MIXING_HINT, UNMIXED, unit_misread

MAX_NESTING = 128  # parse-tree levels; every pass after parsing recurses once or twice per level

def grammar_path() -> Path:
    """The grammar ships inside the wheel; an editable install finds it at the repository root."""
    here = Path(__file__).resolve().parents[1]  # the package root, where the wheel puts grammar/
    for candidate in (here / "grammar" / "carepath.lark", here.parents[1] / "grammar" / "carepath.lark"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("carepath.lark not found beside the package or at the repository root")


@functools.cache
def _lark() -> Lark:
    # strict=False on purpose: units and names share spellings ("kg" is both); the contextual lexer
    # tells them apart by position, which strict mode would reject as a collision.
    # The LALR tables are cached in a directory only this user can write (`tables`): building them takes
    # 0.15–0.35 s, loading them about 6 ms, which is most of a `carepath check` start-up.
    cache = tables.cache_file("protocol")
    parser = Lark(grammar_path().read_text(encoding="utf-8"), parser="lalr", propagate_positions=True, maybe_placeholders=False,
                  cache=cache)
    tables.seal(cache)
    return parser


def parse(source: Source) -> n.Protocol:
    """Parse a protocol, raising `ProtocolError` with a located diagnostic on bad syntax or a crossed limit (`limits`)."""
    if len(source.text) > MAX_SOURCE_BYTES or len(source.text.encode("utf-8", errors="surrogatepass")) > MAX_SOURCE_BYTES:
        raise ProtocolError(source, [Diagnostic("CP104", Severity.ERROR, f"protocol is larger than {MAX_SOURCE_BYTES} bytes", Span.point(1, 1))])
    problem = limits.text_problem(source.text)
    if problem is not None:
        raise ProtocolError(source, [problem])
    try:
        tree = _read(source)  # LALR keeps its own stack: deep input cannot overflow here
    except UnexpectedInput as error:
        raise ProtocolError(source, [_syntax_diagnostic(error, source.text)]) from None
    depth, deepest = limits.deepest(tree)
    if depth > MAX_NESTING:
        # every later pass walks the tree recursively: refuse what would overflow Python's stack
        message = f"expression nested {depth} levels deep; the limit is {MAX_NESTING}"
        span = Span.point(deepest.meta.line, deepest.meta.column) if not deepest.meta.empty else Span.point(1, 1)
        raise ProtocolError(source, [Diagnostic("CP105", Severity.ERROR, message, span, "name parts of the condition as criteria")])
    try:
        result = _ToNodes().transform(tree)
    except VisitError as error:
        raise error.orig_exc from None
    assert isinstance(result, n.Protocol)
    problems = limits.tree_problems(result)
    if problems:
        raise ProtocolError(source, problems)
    return result


def _read(source: Source) -> Tree[Token]:
    """The parse tree, read token by token so that a token crossing a limit stops the parse at once: 200,000 `(`
    or 10 MB of digits cost no more than the first one past the limit."""
    parser = _lark().parse_interactive(source.text)
    checks = limits.TokenLimits()
    last: Token | None = None
    for token in parser.iter_parse():
        last = token
        crossed = checks.check(token.type, str(token))
        if crossed is not None:
            span = _token_span(token) if len(token) <= 40 else Span.point(token.line or 1, token.column or 1)  # not 20,000 carets
            raise ProtocolError(source, [limits.error(crossed[0], crossed[1], span, crossed[2])])
    return parser.feed_eof(last)  # type: ignore[no-any-return,no-untyped-call]


def parse_parameter_value(name: str, text: str) -> n.Parameter:
    """A site's override (`--param name=value`), read with the protocol grammar so it means what it would in the file."""
    from carepath.language.diagnostics import ParameterError

    if "\n" in text or "#" in text:
        raise ParameterError(f"parameter {name}={text}: a value is one line, without comments")
    try:
        protocol = parse(Source(f"--param {name}", f"protocol override parameter {name}: {text}\n"))
    except ProtocolError as error:
        raise ParameterError(f"parameter {name}={text}: not a value ({error.diagnostics[0].message}); "
                             "write e.g. 1.1 mg/kg, 3, 7 days, day 30, days 1, 3, 6 or true") from None
    definitions = protocol.definitions
    if len(definitions) != 1 or not isinstance(definitions[0], n.Parameter) or definitions[0].plausible is not None:
        raise ParameterError(f"parameter {name}={text}: one value only")
    return definitions[0]


def parse_text(text: str, name: str = "<protocol>") -> n.Protocol:
    return parse(Source(name, text))


def parse_with_comments(source: Source) -> tuple[n.Protocol, tuple[tuple[int, int, str], ...]]:
    """The protocol and its comments as (line, column, text): the grammar ignores comments, the formatter keeps them."""
    protocol = parse(source)
    collected: list[tuple[int, int, str]] = []
    reset = _COMMENTS.set(collected)  # per call and per thread: one cached parser serves them all
    try:
        _lark_with_comments().parse(source.text)
    finally:
        _COMMENTS.reset(reset)
    return protocol, tuple(collected)


_COMMENTS: contextvars.ContextVar[list[tuple[int, int, str]]] = contextvars.ContextVar("comments")


def _keep_comment(token: Token) -> Token:
    _COMMENTS.get().append((token.line or 0, token.column or 0, str(token)))
    return token


@functools.cache
def _lark_with_comments() -> Lark:
    cache = tables.cache_file("protocol-with-comments")
    parser = Lark(grammar_path().read_text(encoding="utf-8"), parser="lalr", propagate_positions=True, maybe_placeholders=False,
                  cache=cache, lexer_callbacks={"COMMENT": _keep_comment})
    tables.seal(cache)
    return parser


def _describe(terminal: str) -> str:
    if terminal in FRIENDLY_TERMINALS:
        return FRIENDLY_TERMINALS[terminal]
    try:
        pattern = _lark().get_terminal(terminal).pattern
    except KeyError:
        return terminal
    return f"'{pattern.value}'" if pattern.type == "str" else terminal


def _syntax_diagnostic(error: UnexpectedInput, text: str = "") -> Diagnostic:
    line, column = max(1, error.line), max(1, error.column)
    if isinstance(error, UnexpectedToken) and error.token.type == "$END":
        expected = sorted({_describe(t) for t in error.expected})
        return Diagnostic("CP103", Severity.ERROR, "the file ends too early; expected " + ", ".join(expected), Span.point(line, column))
    if isinstance(error, UnexpectedEOF):
        return Diagnostic("CP103", Severity.ERROR, "the file ends too early", Span.point(line, column))
    if isinstance(error, UnexpectedToken):
        token = error.token
        expected = sorted({_describe(t) for t in error.expected})
        keywords = [d.strip("'") for d in expected if d.startswith("'") and d[1:2].isalpha()]
        hint = did_you_mean(str(token), keywords) if str(token)[:1].isalpha() else None
        if str(token) in UNMIXED:
            hint = MIXING_HINT
        if str(token) in ("otherwise", "when", ":"):
            hint = unit_misread(text, line, column) or hint
        span = Span(line, column, token.end_line or line, token.end_column or column + 1)
        return Diagnostic("CP101", Severity.ERROR, f"unexpected {str(token)!r}; expected " + ", ".join(expected), span, hint)
    assert isinstance(error, UnexpectedCharacters)
    return Diagnostic("CP102", Severity.ERROR, f"unexpected character {error.char!r}", Span.point(line, column),
                      CHARACTER_HINT if error.char in "'/*" else None)


def _span_of(meta: Any) -> Span:
    if getattr(meta, "empty", True):
        return n.NO_SPAN
    return Span(meta.line, meta.column, meta.end_line, meta.end_column)


def _token_span(token: Token) -> Span:
    return Span(token.line or 0, token.column or 0, token.end_line or 0, token.end_column or 0)


def _name(token: Token) -> n.Name:
    return n.Name(str(token), _token_span(token))


def _string(token: Token) -> str:
    return str(token)[1:-1].replace('\\"', '"').replace("\\\\", "\\")


def _number(token: Token, negative: bool = False) -> Fraction:
    value = Fraction(str(token).replace("_", ""))
    return -value if negative else value


def _comparator(token: Token) -> n.Comparator:
    text = {"≥": ">=", "≤": "<=", "≠": "!="}.get(str(token), str(token))
    return n.Comparator(text)


@v_args(meta=True)
class _ToNodes(ClauseNodes, Transformer[Token, Any]):
    """Builds our own nodes at once, so nothing downstream ever sees a lark tree."""

    dose_limit, deadline = ClauseNodes.dose_limit, ClauseNodes.deadline  # in this class body, so v_args passes them `meta`
    per_dose, per_day, per_course = ClauseNodes.per_dose, ClauseNodes.per_day, ClauseNodes.per_course

    def start(self, meta: Any, children: list[Any]) -> n.Protocol:
        header, rest = children[0], children[1:]
        inputs: tuple[n.InputDecl, ...] = ()
        if rest and isinstance(rest[0], tuple):
            inputs, rest = rest[0], rest[1:]
        name, title, items = header
        return n.Protocol(name, title, items.get("version"), items.get("source"), inputs, tuple(rest), _span_of(meta))

    def header(self, meta: Any, children: list[Any]) -> tuple[n.Name, str | None, dict[str, str]]:
        name = _name(children[0])
        title = None
        items: dict[str, str] = {}
        for child in children[1:]:
            if isinstance(child, Token):
                title = _string(child)
            else:
                items[child[0]] = child[1]
        return name, title, items

    def version(self, meta: Any, children: list[Token]) -> tuple[str, str]:
        return "version", _string(children[0])

    def source(self, meta: Any, children: list[Token]) -> tuple[str, str]:
        return "source", _string(children[0])

    def input_block(self, meta: Any, children: list[n.InputDecl]) -> tuple[n.InputDecl, ...]:
        return tuple(children)

    def input_decl(self, meta: Any, children: list[Any]) -> n.InputDecl:
        name, type_spec, *options = children
        plausible = next((o for o in options if isinstance(o, n.Plausible)), None)
        derived = next((o for o in options if isinstance(o, n.DerivedFrom)), None)
        anchor = next((o[1] for o in options if isinstance(o, tuple) and o[0] == "relative"), None)
        optional = any(o == "optional" for o in options)
        return n.InputDecl(_name(name), type_spec, plausible, optional, derived, anchor, _span_of(meta))

    def series_type(self, meta: Any, children: list[Any]) -> n.SeriesType:
        return n.SeriesType(children[0], _span_of(meta))

    def relative_to(self, meta: Any, children: list[Token]) -> tuple[str, n.Name]:
        return "relative", _name(children[0])

    def quantity_type(self, meta: Any, children: list[Token]) -> n.QuantityType:
        return n.QuantityType(str(children[0]), _span_of(meta))

    def duration_type(self, meta: Any, children: list[Any]) -> n.DurationType:
        return n.DurationType(_span_of(meta))

    def boolean_type(self, meta: Any, children: list[Any]) -> n.BooleanType:
        return n.BooleanType(_span_of(meta))

    def text_type(self, meta: Any, children: list[Any]) -> n.TextType:
        return n.TextType(_span_of(meta))

    def date_type(self, meta: Any, children: list[Any]) -> n.DateType:
        return n.DateType(_span_of(meta))

    def enum_type(self, meta: Any, children: list[Token]) -> n.EnumType:
        return n.EnumType(tuple(_name(t) for t in children), _span_of(meta))

    def plausible(self, meta: Any, children: list[Any]) -> n.Plausible:
        return n.Plausible(children[0], children[1], _span_of(meta))

    def optional(self, meta: Any, children: list[Any]) -> str:
        return "optional"

    def derived_from(self, meta: Any, children: list[Token]) -> n.DerivedFrom:
        return n.DerivedFrom(_name(children[0]), _name(children[1]), _span_of(meta))

    def citation(self, meta: Any, children: list[Token]) -> tuple[str, str]:
        return "cites", _string(children[0])

    @staticmethod
    def _heading(children: list[Any]) -> tuple[n.Name, str | None, str | None, list[Any]]:
        name = _name(children[0])
        title = citation = None
        rest = []
        for child in children[1:]:
            if isinstance(child, Token) and child.type == "STRING":
                title = _string(child)
            elif isinstance(child, tuple) and child and child[0] == "cites":
                citation = child[1]
            else:
                rest.append(child)
        return name, title, citation, rest

    def criterion(self, meta: Any, children: list[Any]) -> n.Criterion:
        name, title, citation, rest = self._heading(children)
        return n.Criterion(name, title, citation, rest[0], _span_of(meta))

    def classification(self, meta: Any, children: list[Any]) -> n.Classification:
        name, title, citation, rest = self._heading(children)
        return n.Classification(name, title, citation, tuple(rest), _span_of(meta))

    def when_branch(self, meta: Any, children: list[Any]) -> n.Branch:
        return n.Branch(_name(children[0]), children[1], _span_of(meta))

    def otherwise_branch(self, meta: Any, children: list[Token]) -> n.Branch:
        return n.Branch(_name(children[0]), None, _span_of(meta))

    def recommendation(self, meta: Any, children: list[Any]) -> n.Recommendation:
        name, title, citation, rest = self._heading(children)
        return n.Recommendation(name, title, citation, rest[0], _span_of(meta), rest[1] if len(rest) > 1 else None)

    # ---- parameters, doses, targets, events ----

    def parameter(self, meta: Any, children: list[Any]) -> n.Parameter:
        name, title, citation, rest = self._heading(children)
        plausible = rest[1] if len(rest) > 1 else None
        return n.Parameter(name, title, citation, rest[0], plausible, _span_of(meta))

    def parameter_plausible(self, meta: Any, children: list[Any]) -> n.Plausible:
        return n.Plausible(children[0], children[1], _span_of(meta))

    def day_list(self, meta: Any, children: list[Fraction]) -> n.DayList:
        return n.DayList(tuple(children), _span_of(meta))

    def day_literal(self, meta: Any, children: list[Fraction]) -> n.DayLiteral:
        return n.DayLiteral(children[0], _span_of(meta))

    def signed_int(self, meta: Any, children: list[Token]) -> Fraction:
        return _number(children[-1], children[0].type == "MINUS")

    def dose(self, meta: Any, children: list[Any]) -> n.Dose:
        name, title, citation, rest = self._heading(children)
        unit = str(rest[0])
        branches = tuple(r for r in rest[1:] if isinstance(r, n.DoseBranch))
        rounding = next((r for r in rest if isinstance(r, n.Rounding)), None)
        schedule = next((r for r in rest if isinstance(r, n.Schedule)), None)
        limits = tuple(r for r in rest if isinstance(r, n.DoseLimit))
        return n.Dose(name, title, citation, unit, branches, rounding, schedule, _span_of(meta), limits)

    def dose_when(self, meta: Any, children: list[Any]) -> n.DoseBranch:
        return n.DoseBranch(children[0], children[1], False, _span_of(meta))

    def dose_otherwise(self, meta: Any, children: list[Any]) -> n.DoseBranch:
        return n.DoseBranch(children[0], None, True, _span_of(meta))

    def dose_always(self, meta: Any, children: list[Any]) -> n.DoseBranch:
        return n.DoseBranch(children[0], None, False, _span_of(meta))

    def round_nearest(self, meta: Any, children: list[Any]) -> n.Rounding:
        return n.Rounding(n.RoundingMode.NEAREST, children[0], _span_of(meta))

    def round_down(self, meta: Any, children: list[Any]) -> n.Rounding:
        return n.Rounding(n.RoundingMode.DOWN, children[0], _span_of(meta))

    def round_up(self, meta: Any, children: list[Any]) -> n.Rounding:
        return n.Rounding(n.RoundingMode.UP, children[0], _span_of(meta))

    def schedule(self, meta: Any, children: list[Any]) -> n.Schedule:
        frequency, count = children[0]
        days = children[1] if len(children) > 1 else None
        return n.Schedule(frequency, count, days, _span_of(meta))

    def once(self, meta: Any, children: list[Any]) -> tuple[n.Frequency, None]:
        return n.Frequency.ONCE, None

    def once_daily(self, meta: Any, children: list[Any]) -> tuple[n.Frequency, None]:
        return n.Frequency.ONCE_DAILY, None

    def daily(self, meta: Any, children: list[Any]) -> tuple[n.Frequency, None]:
        return n.Frequency.DAILY, None

    def times_daily(self, meta: Any, children: list[Token]) -> tuple[n.Frequency, Fraction]:
        return n.Frequency.TIMES_DAILY, _number(children[0])

    def every_hours(self, meta: Any, children: list[Token]) -> tuple[n.Frequency, Fraction]:
        return n.Frequency.EVERY_HOURS, _number(children[0])

    def continuously(self, meta: Any, children: list[Any]) -> tuple[n.Frequency, None]:
        return n.Frequency.CONTINUOUSLY, None

    def on_day(self, meta: Any, children: list[Fraction]) -> n.DaySet:
        return n.DaySet(n.DayKind.DAY, tuple(children), None, _span_of(meta))

    def on_day_range(self, meta: Any, children: list[Fraction]) -> n.DaySet:
        return n.DaySet(n.DayKind.RANGE, tuple(children), None, _span_of(meta))

    def on_day_list(self, meta: Any, children: list[Fraction]) -> n.DaySet:
        return n.DaySet(n.DayKind.LIST, tuple(children), None, _span_of(meta))

    def on_day_parameter(self, meta: Any, children: list[Token]) -> n.DaySet:
        return n.DaySet(n.DayKind.PARAMETER, (), _name(children[0]), _span_of(meta))

    def on_day_named(self, meta: Any, children: list[Token]) -> n.DaySet:
        return n.DaySet(n.DayKind.DAY, (), _name(children[0]), _span_of(meta))

    def from_day_named(self, meta: Any, children: list[Token]) -> n.DaySet:
        return n.DaySet(n.DayKind.FROM, (), _name(children[0]), _span_of(meta))

    def from_day(self, meta: Any, children: list[Fraction]) -> n.DaySet:
        return n.DaySet(n.DayKind.FROM, tuple(children), None, _span_of(meta))

    def target(self, meta: Any, children: list[Any]) -> n.Target:
        name, title, citation, rest = self._heading(children)
        measured, low, high, *actions = rest
        return n.Target(name, title, citation, measured, low, high, tuple(actions), _span_of(meta))

    def below_action(self, meta: Any, children: list[Token]) -> tuple[str, str]:
        return "below", _string(children[0])

    def within_action(self, meta: Any, children: list[Token]) -> tuple[str, str]:
        return "within", _string(children[0])

    def above_action(self, meta: Any, children: list[Token]) -> tuple[str, str]:
        return "above", _string(children[0])

    def event(self, meta: Any, children: list[Any]) -> n.Event:
        name, title, citation, rest = self._heading(children)
        run = rest[0]
        start = rest[1] if len(rest) == 3 else None
        return n.Event(name, title, citation, None if run == "single" else run, start, rest[-1], _span_of(meta))

    def single_day(self, meta: Any, children: list[Any]) -> str:
        return "single"

    def consecutive_days(self, meta: Any, children: list[Any]) -> n.Expr:
        return children[0]  # type: ignore[no-any-return]

    # ---- expressions ----

    def add(self, meta: Any, children: list[Any]) -> n.Arithmetic:
        return n.Arithmetic(n.ArithOp.ADD, children[0], children[-1], _span_of(meta))

    def subtract(self, meta: Any, children: list[Any]) -> n.Arithmetic:
        return n.Arithmetic(n.ArithOp.SUBTRACT, children[0], children[-1], _span_of(meta))

    def multiply(self, meta: Any, children: list[Any]) -> n.Arithmetic:
        return n.Arithmetic(n.ArithOp.MULTIPLY, children[0], children[-1], _span_of(meta))

    def divide(self, meta: Any, children: list[Any]) -> n.Arithmetic:
        return n.Arithmetic(n.ArithOp.DIVIDE, children[0], children[-1], _span_of(meta))

    def call(self, meta: Any, children: list[Any]) -> n.Call:
        return n.Call(_name(children[0]), tuple(children[1:]), _span_of(meta))

    def none_in_previous(self, meta: Any, children: list[Any]) -> n.NoneInPrevious:
        return n.NoneInPrevious(_name(children[0]), children[1], _span_of(meta))

    def or_expr(self, meta: Any, children: list[Any]) -> n.BoolOp:
        return n.BoolOp(n.BoolKind.OR, tuple(children), _span_of(meta))

    def xor_expr(self, meta: Any, children: list[Any]) -> n.BoolOp:
        return n.BoolOp(n.BoolKind.XOR, tuple(children), _span_of(meta))

    def implies_expr(self, meta: Any, children: list[Any]) -> n.BoolOp:
        return n.BoolOp(n.BoolKind.IMPLIES, tuple(children), _span_of(meta))

    def and_expr(self, meta: Any, children: list[Any]) -> n.BoolOp:
        return n.BoolOp(n.BoolKind.AND, tuple(children), _span_of(meta))

    def any_of(self, meta: Any, children: list[Any]) -> n.BoolOp:
        return n.BoolOp(n.BoolKind.ANY_OF, tuple(children), _span_of(meta))

    def all_of(self, meta: Any, children: list[Any]) -> n.BoolOp:
        return n.BoolOp(n.BoolKind.ALL_OF, tuple(children), _span_of(meta))

    def not_(self, meta: Any, children: list[Any]) -> n.Not:
        return n.Not(children[0], _span_of(meta))

    def comparison(self, meta: Any, children: list[Any]) -> n.Comparison:
        left, op, right = children
        return n.Comparison(_comparator(op), left, right, _span_of(meta))

    def name(self, meta: Any, children: list[Token]) -> n.Name:
        return _name(children[0])

    def is_missing(self, meta: Any, children: list[Token]) -> n.Presence:
        return n.Presence(_name(children[0]), False, _span_of(meta))

    def is_known(self, meta: Any, children: list[Token]) -> n.Presence:
        return n.Presence(_name(children[0]), True, _span_of(meta))

    def quantity(self, meta: Any, children: list[Token]) -> n.QuantityLiteral:
        negative = children[0].type == "MINUS"
        number, unit = children[-2], children[-1]
        return n.QuantityLiteral(_number(number, negative), str(unit), _span_of(meta))

    def number(self, meta: Any, children: list[Token]) -> n.NumberLiteral:
        return n.NumberLiteral(_number(children[-1], children[0].type == "MINUS"), _span_of(meta))

    def true(self, meta: Any, children: list[Any]) -> n.BooleanLiteral:
        return n.BooleanLiteral(True, _span_of(meta))

    def false(self, meta: Any, children: list[Any]) -> n.BooleanLiteral:
        return n.BooleanLiteral(False, _span_of(meta))

    def string(self, meta: Any, children: list[Token]) -> n.StringLiteral:
        return n.StringLiteral(_string(children[0]), _span_of(meta))
