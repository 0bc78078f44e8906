"""The protocol layout: a `nodes.Protocol` and its comment-carrying units → the canonical text, line by
line (header, the inputs table, definitions and their bodies: branches, doses, targets, events)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import assert_never

from carepath.language import nodes as n
from carepath.language.formatter.comments import Comment, DefinitionUnits, Unit, Units
from carepath.language.printer import WIDTH, Atom, Doc, End, Items, Seq, end_of, expr_doc, flat, lay, number_text, paren, quote, term_doc, width

INDENT = "  "
CONTINUATION = "    "


def render(protocol: n.Protocol, units: Units) -> str:
    """The canonical text of `protocol`, with the comments `units` carries in their places."""
    out = _Output()
    head = units.header["protocol"]
    title = f" {quote(protocol.title)}" if protocol.title is not None else ""
    out.unit(head, [f"protocol {protocol.name.name}{title}"], indent="", blanks=True, first=True)
    for key, value in (("version", protocol.version), ("source", protocol.source)):
        if value is not None:
            out.unit(units.header[key], [f"{INDENT}{key} {quote(value)}"], indent=INDENT)
    if units.input_unit is not None or protocol.inputs:
        unit = units.input_unit or Unit(0)
        out.blank()
        out.unit(unit, ["input"], indent="", blanks=True, first=True)
        rows = _input_rows(protocol.inputs)
        for index, (decl_unit, lines) in enumerate(zip(units.inputs, rows, strict=True)):
            out.unit(decl_unit, lines, indent=INDENT, blanks=True, first=index == 0)
    _render_definitions(out, protocol.definitions, units.definitions)
    for comment in units.end:
        if comment.blank_before:
            out.blank()
        out.line(comment.text)
    return out.text()


def _render_definitions(out: _Output, definitions: Sequence[n.Definition], all_units: Sequence[DefinitionUnits]) -> None:
    compact = [_one_line(d, u) for d, u in zip(definitions, all_units, strict=True)]
    index = 0
    while index < len(definitions):
        units = all_units[index]
        first = units.heading.leading[0] if units.heading.leading else units.heading
        if index == 0 or first.blank_before or type(definitions[index]) is not type(definitions[index - 1]):
            out.blank()
        if compact[index] is not None:
            run = index + 1  # a table: one-line definitions of one kind, nothing between them
            while run < len(definitions) and compact[run] is not None and type(definitions[run]) is type(definitions[index]) \
                    and all_units[run].heading.quiet and not all_units[run].heading.blank_before:
                run += 1
            rows = _table([c for c in compact[index:run] if c is not None])
            for offset, row in enumerate(rows):
                units = all_units[index + offset]
                last = units.body[-1] if units.body else units.heading
                out.unit(units.heading, [row], indent="", blanks=True, first=offset == 0, trailing=last.trailing)
            index = run
            continue
        _render_definition(out, definitions[index], units)
        index += 1


# ---- one definition -------------------------------------------------------------------------------


def _heading(definition: n.Definition) -> list[str]:
    kind = _KEYWORDS[type(definition)]
    first = f"{kind} {definition.name.name}" + (f" {quote(definition.title)}" if definition.title is not None else "")
    unit = f" in {definition.unit}" if isinstance(definition, n.Dose) else ""
    if definition.citation is None:
        return [first + unit + ":"]
    rest = f"cites {quote(definition.citation)}{unit}:"
    joined = f"{first} {rest}"
    return [joined] if width(joined) <= WIDTH else [first, CONTINUATION + rest]

def _one_line(definition: n.Definition, units: DefinitionUnits) -> list[str] | None:
    """The table cells of a definition written on one line, or None when it takes several."""
    if definition.citation is not None or (definition.title is not None and not isinstance(definition, n.Parameter)):
        return None
    if units.heading.trailing is not None or any(not u.quiet for u in units.body[:-1]) or units.body[-1].leading:
        return None
    heading = _heading(definition)[0]
    cells: list[str]
    match definition:
        case n.Parameter():
            return [heading, _parameter_value(definition)]
        case n.Criterion(condition=condition):
            cells = [heading, flat(expr_doc(condition))]
        case n.Recommendation(condition=condition, deadline=None):
            cells = [heading, "when " + flat(expr_doc(condition))]
        case n.Event():
            cells = [heading, _event_text(definition)]
        case n.Target(actions=()):
            cells = [heading, flat(_target_doc(definition))]
        case n.Dose(branches=(n.DoseBranch(condition=None, otherwise=False, amount=amount),), limits=()):
            head, _, unit = heading.rpartition(" in ")
            cells = [head, f"in {unit}", flat(_amount(amount))]
            if definition.rounding is not None:
                cells.append(flat(_rounding(definition.rounding)))
            if definition.schedule is not None:
                cells.append(_schedule(definition.schedule))
        case _:
            return None
    return cells if width(" ".join(cells)) <= WIDTH else None

def _render_definition(out: _Output, definition: n.Definition, units: DefinitionUnits) -> None:
    out.unit(units.heading, _heading(definition), indent="", blanks=True, first=True)
    for unit, lines in zip(units.body, _body(definition), strict=True):
        out.unit(unit, lines, indent=INDENT)


_KEYWORDS: dict[type, str] = {n.Criterion: "criterion", n.Classification: "classify", n.Recommendation: "recommend",
                              n.Parameter: "parameter", n.Dose: "dose", n.Target: "target", n.Event: "event"}


def _table(rows: list[list[str]]) -> list[str]:
    """Cells padded to a common width per column (a run of one-line definitions reads as a table)."""
    columns = max(len(r) for r in rows)
    widths = [max((width(r[c]) for r in rows if len(r) > c), default=0) for c in range(columns)]
    out = []
    for row in rows:
        cells = [cell + " " * (widths[c] - width(cell)) if c < len(row) - 1 else cell for c, cell in enumerate(row)]
        out.append(" ".join(cells).rstrip())
    return out


# ---- inputs ---------------------------------------------------------------------------------------


def _type_text(spec: n.TypeSpec, column: int) -> list[str]:
    match spec:
        case n.SeriesType(element=element):
            lines = _type_text(element, column + len("series of "))
            return ["series of " + lines[0], *lines[1:]]
        case n.QuantityType(unit=unit):
            return [f"quantity {unit}"]
        case n.DurationType():
            return ["duration"]
        case n.BooleanType():
            return ["boolean"]
        case n.TextType():
            return ["text"]
        case n.DateType():
            return ["date"]
        case n.EnumType(members=members):
            return lay(Items("one of ", tuple(Atom(m.name, End.NAME) for m in members), ""), column, column)
        case _:
            assert_never(spec)


def _input_rows(inputs: Sequence[n.InputDecl]) -> list[list[str]]:
    pad = max((len(d.name.name) for d in inputs), default=0)
    rows = []
    for decl in inputs:
        lead = f"{INDENT}{decl.name.name.ljust(pad)} : "
        lines = _type_text(decl.type, width(lead))
        lines[0] = lead + lines[0]
        options = []
        if decl.plausible is not None:
            options.append(_plausible(decl.plausible))
        if decl.optional:
            options.append("optional")
        later = []
        if decl.derived_from is not None:
            later.append(f"from {decl.derived_from.start.name} to {decl.derived_from.end.name}")
        if decl.relative_to is not None:
            later.append(f"relative to {decl.relative_to.name}")
        if decl.plausible is not None and decl.derived_from is not None:
            lines[-1] += "".join(" " + o for o in options)
            lines.append(" " * width(lead) + " ".join(later))
        else:
            lines[-1] += "".join(" " + o for o in options + later)
        rows.append(lines)
    return rows


def _literal(value: n.Literal | n.DayLiteral | n.DayList) -> str:
    if isinstance(value, n.DayList):
        return "days " + ", ".join(number_text(d) for d in value.days)
    return flat(expr_doc(value))


def _plausible(plausible: n.Plausible) -> str:
    return f"plausible {_literal(plausible.low)} .. {_literal(plausible.high)}"


# ---- definition bodies ----------------------------------------------------------------------------


def _parameter_value(parameter: n.Parameter) -> str:
    text = _literal(parameter.value)
    return text + (" " + _plausible(parameter.plausible) if parameter.plausible is not None else "")


def _body(definition: n.Definition) -> list[list[str]]:
    """The lines of each body unit, indented; continuation lines carry their own indentation."""
    match definition:
        case n.Criterion(condition=condition):
            return [_at(INDENT, expr_doc(condition), 4)]
        case n.Recommendation(condition=condition, deadline=deadline):
            return [_at(INDENT + "when ", expr_doc(condition), 4)] + ([_deadline(deadline)] if deadline is not None else [])
        case n.Parameter():
            return [[INDENT + _parameter_value(definition)]]
        case n.Event():
            return [_event_lines(definition)]
        case n.Classification(branches=branches):
            return _branches(branches)
        case n.Dose():
            return _dose(definition)
        case n.Target(actions=actions):
            pad = max((len(band) for band, _ in actions), default=0)
            return [_at(INDENT, _target_doc(definition), 4)] + [[f"{INDENT}{band.ljust(pad)} {quote(text)}"] for band, text in actions]
        case _:
            assert_never(definition)


def _at(prefix: str, doc: Doc, indent: int, tail: int = 0) -> list[str]:
    lines = lay(doc, width(prefix), indent, tail)
    return [prefix + lines[0], *lines[1:]]


def _ends_with_number(doc: Doc) -> bool:
    return end_of(doc) is End.NUMBER


def _branches(branches: Sequence[n.Branch]) -> list[list[str]]:
    pad = max(len(b.name.name) for b in branches)
    out = []
    for index, branch in enumerate(branches):
        head = f"{INDENT}{branch.name.name.ljust(pad)} "
        if branch.condition is None:
            out.append([head + "otherwise"])
            continue
        doc = expr_doc(branch.condition)
        if index + 1 < len(branches) and _ends_with_number(doc):
            doc = paren(doc)  # `x > 2 low …` would read `2 low` as a quantity: keep the parentheses
        out.append(_at(head + "when ", doc, width(head) + 2))
    return out


def _amount(expr: n.Expr) -> Doc:
    doc = term_doc(expr)
    return paren(doc) if flat(doc).startswith("-") else doc  # never read as a subtraction from the line above


def _dose(dose: n.Dose) -> list[list[str]]:
    """Branches follow each other with nothing between them, so where one ends and the next begins must
    survive: an amount starting with `-` or `(`, or with a name after a bare number, gets parentheses."""
    amounts = [_amount(b.amount) for b in dose.branches]
    conditions = [expr_doc(b.condition) if b.condition is not None else None for b in dose.branches]
    for index in reversed(range(len(dose.branches) - 1)):  # from the end: a parenthesised amount is seen by the one before
        following = flat(amounts[index + 1])
        last = conditions[index] if conditions[index] is not None else None if dose.branches[index].otherwise else amounts[index]
        if last is None:
            continue
        end = end_of(last)
        if (following.startswith("(") and end is End.NAME) or (following[:1].isalpha() and end is End.NUMBER):
            if conditions[index] is not None:
                conditions[index] = paren(last)
            else:
                amounts[index] = paren(last)
    flat_amounts = [flat(a) for a in amounts]
    guarded = [i for i, b in enumerate(dose.branches) if b.condition is not None or b.otherwise]
    pad = max((width(flat_amounts[i]) for i in guarded if width(INDENT + flat_amounts[i]) <= WIDTH), default=0)
    out = []
    for index, branch in enumerate(dose.branches):
        lines = _at(INDENT, amounts[index], 4)
        condition = conditions[index]
        if branch.otherwise or condition is not None:
            lines[-1] += " " * max(0, pad - width(lines[-1]) + len(INDENT)) + "  "
            if branch.otherwise:
                lines[-1] += "otherwise"
            elif condition is not None:
                lines[-1] += "when "
                when = width(lines[-1]) - len("when ")
                tail = lay(condition, width(lines[-1]), when + 2)
                lines[-1] += tail[0]
                lines.extend(tail[1:])
        out.append(lines)
    if dose.rounding is not None:
        out.append(_at(INDENT, _rounding(dose.rounding), 4))
    if dose.schedule is not None:
        out.append([INDENT + _schedule(dose.schedule)])
    out.extend(_limit(limit) for limit in dose.limits)
    return out


def _limit(limit: n.DoseLimit) -> list[str]:
    """`limit AMOUNT per PERIOD [when CONDITION]`, its citation on a line of its own."""
    lines = _at(INDENT + "limit ", term_doc(limit.amount), 4)
    lines[-1] += f" per {limit.period.value}"
    if limit.condition is not None:
        lines[-1] += " when "
        tail = lay(expr_doc(limit.condition), width(lines[-1]), 6)
        lines[-1] += tail[0]
        lines.extend(tail[1:])
    if limit.citation is not None:
        lines.append(f"{INDENT}{CONTINUATION}cites {quote(limit.citation)}")
    return lines


def _deadline(deadline: n.Deadline) -> list[str]:
    line = f"{INDENT}due within {_literal(deadline.within)} of {deadline.anchor.name}"
    return [line] + ([f"{INDENT}{CONTINUATION}cites {quote(deadline.citation)}"] if deadline.citation is not None else [])


def _rounding(rounding: n.Rounding) -> Doc:
    match rounding.mode:
        case n.RoundingMode.NEAREST:
            words = "rounded to "
        case n.RoundingMode.DOWN:
            words = "rounded down to "
        case n.RoundingMode.UP:
            words = "rounded up to "
        case _:
            assert_never(rounding.mode)
    return Seq((Atom(words), term_doc(rounding.step)))


def _schedule(schedule: n.Schedule) -> str:
    count = number_text(schedule.count) if schedule.count is not None else ""
    match schedule.frequency:
        case n.Frequency.TIMES_DAILY:
            frequency = f"{count} times daily"
        case n.Frequency.EVERY_HOURS:
            frequency = f"every {count} hours"
        case _:
            frequency = schedule.frequency.value
    days = schedule.days
    if days is None:
        return f"given {frequency}"
    numbers = [number_text(d) for d in days.days]
    named = days.parameter.name if days.parameter is not None else ""
    match days.kind:
        case n.DayKind.DAY:
            text = f"on day {numbers[0]}" if numbers else f"on {named}"
        case n.DayKind.RANGE:
            text = f"on days {' to '.join(numbers)}"
        case n.DayKind.LIST:
            text = f"on days {', '.join(numbers)}"
        case n.DayKind.PARAMETER:
            text = f"on days {named}"
        case n.DayKind.FROM:
            text = f"from day {numbers[0]}" if numbers else f"from {named}"
        case _:
            assert_never(days.kind)
    return f"given {frequency} {text}"


def _target_doc(target: n.Target) -> Doc:
    return Seq((term_doc(target.measured), Atom(" within "), term_doc(target.low), Atom(" .. "), term_doc(target.high)))


def _event_start(event: n.Event) -> str:
    run = "first day" if event.run is None else f"first of {flat(expr_doc(event.run))} consecutive days"
    return run + (f" from {flat(expr_doc(event.start))}" if event.start is not None else "")


def _event_text(event: n.Event) -> str:
    return f"{_event_start(event)} where {flat(expr_doc(event.condition))}"


def _event_lines(event: n.Event) -> list[str]:
    """`first … where COND` on one line when it fits; else `where` starts a continuation line."""
    line = INDENT + _event_text(event)
    if width(line) <= WIDTH:
        return [line]
    return [INDENT + _event_start(event), *_at(CONTINUATION + "where ", expr_doc(event.condition), len(CONTINUATION) + 2)]


# ---- assembling lines -----------------------------------------------------------------------------


class _Output:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def blank(self) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")

    def line(self, text: str) -> None:
        self.lines.append(text.rstrip())

    def unit(self, unit: Unit, lines: list[str], indent: str, blanks: bool = False, first: bool = False,
             trailing: Comment | None = None) -> None:
        """A unit's comments above it, its lines, and its end-of-line comment on the last of them.

        `blanks`: blank lines the author left above a comment or the unit are kept (at most one); the
        first element's blank line is the caller's business (`first`)."""
        elements: list[tuple[bool, str]] = [(c.blank_before, indent + c.text) for c in unit.leading]
        elements.append((unit.blank_before, lines[0]))
        for position, (blank, text) in enumerate(elements):
            if blanks and blank and not (first and position == 0):
                self.blank()
            self.line(text)
        self.lines.extend(line.rstrip() for line in lines[1:])
        comment = trailing if trailing is not None else unit.trailing
        if comment is not None:
            self.lines[-1] += "  " + comment.text

    def text(self) -> str:
        while self.lines and self.lines[-1] == "":
            self.lines.pop()
        return "\n".join(self.lines) + "\n"
