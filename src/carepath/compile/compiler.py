"""`CheckedProtocol` → `CompiledProtocol`: each node becomes two closures, decided once.

`value` closures are the fast path (no allocation beyond the result); `explain` closures build the
trace. Both read one environment list: the record's input values followed by each definition's
result, filled in evaluation order. No source text is generated and nothing is `exec`-ed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, assert_never

from carepath.compile import clinical
from carepath.compile.closures import cond, value_of
from carepath.compile.columns import ColumnPlan, Unsupported, compile_columns
from carepath.compile.explain import DAY_SLOT, Env, ExplainContext, ExplainFn, Scope, ValueFn
from carepath.compile.needs import NeedsFn, compile_definition_needs
from carepath.ir import program as p
from carepath.semantics.deadlines import due_date
from carepath.semantics.operators import either, first_true
from carepath.semantics.trace import Step, StepKind

__all__ = ["CompiledDefinition", "CompiledProtocol", "ExplainContext", "ValueFn", "compile_choice", "compile_condition", "compile_protocol"]


@dataclass(frozen=True, slots=True)
class CompiledDefinition:
    definition: p.Definition
    value: ValueFn
    explain: ExplainFn


@dataclass(frozen=True, slots=True)
class CompiledProtocol:
    checked: p.CheckedProtocol
    definitions: tuple[CompiledDefinition, ...]  # evaluation order
    plan: tuple[tuple[int, ValueFn], ...]  # (slot, value) for every definition: fills the environment for a trace
    decision_plan: tuple[tuple[int, ValueFn], ...]  # decisions only: the fast path
    columns: ColumnPlan | None  # every definition over a whole cohort at once (batch.py); None where a node has no column form
    decisions: tuple[p.Decision, ...]  # declaration order
    needs: tuple[NeedsFn, ...]  # per decision: the inputs an undetermined result is waiting for
    slots: int
    padding: tuple[None, ...]  # one None per definition slot, appended to a record's values
    input_order: dict[str, int]
    read_inputs: tuple[p.InputInfo, ...] = ()  # the inputs some rule reads (not, say, dates an age is derived from)
    always_classified: bool = True  # every classification ends in `otherwise`
    as_of_inputs: tuple[p.InputInfo, ...] = ()  # durations derived `to as_of`, computed per evaluation
    has_events: bool = False  # an event not yet reached is carried as `NotBefore`, published as undetermined

    @property
    def name(self) -> str:
        return self.checked.name


def compile_protocol(checked: p.CheckedProtocol) -> CompiledProtocol:
    # Criteria are pure and cheap, so the fast path calls them where they are referenced (and only
    # when a short-circuit needs them); decisions are computed once each, in order, into the environment.
    scope: Scope = {}
    compiled = []
    needs: dict[str, NeedsFn] = {}
    try:
        columns: ColumnPlan | None = compile_columns(checked)
    except Unsupported:
        columns = None  # doses, targets, events and arithmetic are evaluated record by record
    for definition in checked.definitions:
        item = _definition(definition, scope)
        compiled.append(item)
        if isinstance(definition, p.Criterion):
            scope[definition.name] = item.value
    frozen_scope = dict(scope)
    for definition in checked.definitions:
        needs[definition.name] = compile_definition_needs(definition, lambda node: value_of(node, frozen_scope), needs)
    return CompiledProtocol(
        checked=checked,
        definitions=tuple(compiled),
        plan=tuple((c.definition.slot, c.value) for c in compiled),
        decision_plan=tuple((c.definition.slot, c.value) for c in compiled if c.definition.is_decision),
        columns=columns,
        decisions=checked.decisions,
        needs=tuple(needs[d.name] for d in checked.decisions),
        slots=len(checked.inputs) + len(checked.definitions),
        padding=(None,) * (len(checked.definitions) + 1),  # the last slot is the day an event is examining
        read_inputs=_read_inputs(checked),
        always_classified=all(d.otherwise is not None for d in checked.definitions if isinstance(d, p.Classification)),
        input_order={i.name: i.slot for i in checked.inputs},
        has_events=any(isinstance(d, p.Event) for d in checked.decisions),
        as_of_inputs=tuple(i for i in checked.inputs if i.derived_from and i.derived_from[1] == "as_of" and checked.input("as_of") is None),
    )


def compile_condition(compiled: CompiledProtocol, condition: p.Cond) -> ValueFn:
    """A condition on its own, as a value closure over an environment `engine.decide` filled: for analyses that
    test a condition (a branch's, an atom's) apart from the definition it belongs to."""
    return cond(condition, _criteria(compiled))[0]


def compile_choice(compiled: CompiledProtocol, branches: Sequence[p.Branch | p.DoseBranch]) -> ValueFn:
    """Which branch the first-true rule picks (its name), None while an earlier branch is unknown: a dose's band
    choice on its own, without computing an amount."""
    scope = _criteria(compiled)
    return _first_true(tuple((b.name, None if b.condition is None else cond(b.condition, scope)[0]) for b in branches))


def _criteria(compiled: CompiledProtocol) -> Scope:
    """The criteria by name, made once per compiled protocol (kept by identity, with it, for the last few): the deep
    analysis compiles a condition per branch and threshold, and remaking this each time was quadratic."""
    hit = _SCOPES.get(id(compiled))
    if hit is not None and hit[0] is compiled:
        return hit[1]
    scope: Scope = {c.definition.name: c.value for c in compiled.definitions if isinstance(c.definition, p.Criterion)}
    if len(_SCOPES) >= 8:
        _SCOPES.clear()
    _SCOPES[id(compiled)] = (compiled, scope)
    return scope


_SCOPES: dict[int, tuple[CompiledProtocol, Scope]] = {}


def _read_inputs(checked: p.CheckedProtocol) -> tuple[p.InputInfo, ...]:
    found: dict[int, p.InputInfo] = {}
    for definition in checked.definitions:
        for info in p.inputs_in(definition):
            found[info.slot] = info
    return tuple(found[slot] for slot in sorted(found))


# ---- definitions ---------------------------------------------------------------------------


def _definition(definition: p.Definition, scope: Scope) -> CompiledDefinition:
    def cond_here(node: Any) -> tuple[ValueFn, ExplainFn]:
        return cond(node, scope)

    def value_here(node: Any) -> ValueFn:
        return value_of(node, scope)

    match definition:
        case p.Classification():
            return _classification(definition, scope)
        case p.Dose():
            return CompiledDefinition(definition, *clinical.dose(definition, cond_here, value_here))
        case p.Target():
            return CompiledDefinition(definition, *clinical.target(definition, value_here))
        case p.Event():
            return CompiledDefinition(definition, *clinical.event(definition, cond_here, value_here, DAY_SLOT))
        case p.Criterion() | p.Recommendation():
            return _truth(definition, scope)
        case _:
            assert_never(definition)


def _truth(definition: p.Criterion | p.Recommendation, scope: Scope) -> CompiledDefinition:
    value, explain_condition = cond(definition.condition, scope)
    slot = definition.slot

    deadline = definition.deadline if isinstance(definition, p.Recommendation) else None

    def explain(ctx: ExplainContext) -> Step:
        inner = explain_condition(ctx)
        detail = deadline_text(deadline, ctx.env) if deadline is not None and ctx.env[slot] is True else None
        return Step(definition.step_kind, definition.name, ctx.env[slot], (inner,), (0,), detail=detail, title=definition.title,
                    citation=definition.citation, wanting=(), span=definition.span)

    return CompiledDefinition(definition, value, explain)


def deadline_text(deadline: p.Deadline, env: Env) -> str:
    """`due within 6 months of date_of_diagnosis: by 2008-09-30 [cites …]`, the date when the anchor is known."""
    anchor = env[deadline.anchor_slot]
    when = f": by {due_date(deadline, anchor).isoformat()}" if isinstance(anchor, dt.date) else f" ({deadline.anchor} not recorded)"
    cited = f" [cites {deadline.citation}]" if deadline.citation else ""
    return f"due within {deadline.text} of {deadline.anchor}{when}{cited}"


def _classification(definition: p.Classification, scope: Scope) -> CompiledDefinition:
    branches = tuple((b.name, None if b.condition is None else cond(b.condition, scope), b) for b in definition.branches)
    fast = tuple((name, None if pair is None else pair[0]) for name, pair, _ in branches)

    if len(fast) == 2 and fast[1][1] is None and fast[0][1] is not None:
        (first_name, first_condition), (otherwise_name, _) = fast  # `X when …, Y otherwise`, the common shape
        assert first_condition is not None
        pick = either((first_name, otherwise_name))

        def two_way(env: Env) -> str | None:
            return pick(first_condition(env))

        value: ValueFn = two_way
    else:
        value = _first_true(fast)

    def explain(ctx: ExplainContext) -> Step:
        steps: list[Step] = []
        deciding: tuple[int, ...] = ()
        detail: str | None = None
        for index, (name, pair, branch) in enumerate(branches):
            if pair is None:
                steps.append(Step(StepKind.OTHERWISE, f"{name} otherwise", True, span=branch.span))
                deciding = tuple(range(index + 1))  # every earlier branch was false
                break
            inner = pair[1](ctx)
            steps.append(Step(StepKind.BRANCH, f"{name} when {inner.text}", inner.outcome, (inner,), (0,), reference=name, span=branch.span))
            if inner.outcome is not False:
                deciding = (index,)
                break
        else:
            deciding = tuple(range(len(steps)))
            detail = no_branch_applies(steps)
        return Step(StepKind.CLASSIFICATION, definition.name, ctx.env[definition.slot], tuple(steps), deciding, detail=detail,
                    title=definition.title, citation=definition.citation, span=definition.span)

    return CompiledDefinition(definition, value, explain)


def no_branch_applies(branches: list[Step]) -> str:
    """Why a classification without `otherwise` places nobody: each branch's condition, every one false.
    Only such a classification's step carries a detail, so the engine reads it as the decision's reason."""
    return "no branch applies: " + "; ".join(f"{step.text} is false" for step in branches)


def _always(env: Env) -> bool:
    return True  # `otherwise`: a condition that always holds


def _first_true(fast: tuple[tuple[str, ValueFn | None], ...]) -> ValueFn:
    names = tuple(name for name, _ in fast)
    conditions = tuple(_always if condition is None else condition for _, condition in fast)

    def value(env: Env) -> str | None:
        index = first_true(condition(env) for condition in conditions)  # later conditions are read only when needed
        return None if index is None else names[index]

    return value
