"""`nodes.Protocol` → `CheckedProtocol`: names, types, units, cycles and branch structure, every problem at once.

The driver: it declares inputs, parameters and definitions into one `Resolver`, has each family module check
its part, and orders the definitions so every reference is evaluated before its user.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import replace
from typing import assert_never

from carepath.check import clinical, limits
from carepath.check.inputs import check_derivations, declare_input
from carepath.check.parameters import declare_parameter
from carepath.check.resolver import AS_OF, Resolver
from carepath.ir import program as p
from carepath.language import nodes as n
from carepath.language.diagnostics import Diagnostic, ParameterError, ProtocolError, Severity, did_you_mean
from carepath.language.limits import MAX_CHAIN, node_depth
from carepath.language.source import Source
from carepath.semantics.types import BOOLEAN, DAY, Kind, Type

__all__ = ["AS_OF", "TARGET_BANDS", "check"]

TARGET_BANDS = ("below", "within", "above")


def check(protocol: n.Protocol, source: Source, overrides: dict[str, n.Parameter] | None = None) -> p.CheckedProtocol:
    """Check a parsed protocol; raise `ProtocolError` listing every error, keep warnings on the result.

    `overrides` replace parameters' values (a site's `--param`); each must keep its parameter's type and
    unit dimension, or `ParameterError` says which and why.
    """
    unknown = sorted(set(overrides or {}) - {d.name.name for d in protocol.definitions if isinstance(d, n.Parameter)})
    if unknown:
        names = [d.name.name for d in protocol.definitions if isinstance(d, n.Parameter)]
        hint = did_you_mean(unknown[0], names)
        raise ParameterError(f"{source.name} has no parameter '{unknown[0]}'" + (f"; {hint}" if hint else
                             f"; its parameters are {', '.join(names)}" if names else "; it declares no parameters"))
    resolver = Resolver(overrides or {})
    checked = _run(protocol, source, resolver)
    errors = [d for d in resolver.diagnostics if d.severity is Severity.ERROR]
    if errors or checked is None:
        raise ProtocolError(source, sorted(resolver.diagnostics, key=_position))
    return checked


def _position(d: Diagnostic) -> tuple[int, int, str]:
    return d.span.line, d.span.column, d.code


def _run(protocol: n.Protocol, source: Source, r: Resolver) -> p.CheckedProtocol | None:
    for decl in protocol.inputs:
        declare_input(r, decl)
    check_derivations(r)
    slot = len(r.inputs)
    for definition in protocol.definitions:
        name = definition.name.name
        if name in r.inputs or name in r.definitions or name in r.parameters:
            r.error("CP202", f"'{name}' is already defined", definition.name.span, "every input and definition needs its own name")
            continue
        if isinstance(definition, n.Parameter):
            declare_parameter(r, definition)
            continue
        r.definitions[name] = definition
        r.def_slots[name] = slot
        slot += 1
        r.def_types[name] = _result_type(r, definition)
    checked = {name: _check_definition(r, d) for name, d in r.definitions.items()}
    order = _evaluation_order(r)
    if any(d.severity is Severity.ERROR for d in r.diagnostics):
        return None
    return p.CheckedProtocol(
        source=source,
        sha256=hashlib.sha256(source.text.encode("utf-8")).hexdigest(),
        ast=protocol,
        name=protocol.name.name,
        title=protocol.title,
        version=protocol.version,
        reference=protocol.source,
        inputs=tuple(r.inputs.values()),
        definitions=tuple(checked[name] for name in order),
        warnings=tuple(r.diagnostics),
        parameters=tuple(r.parameters.values()),
        input_index=dict(r.inputs),
    )


def _result_type(r: Resolver, definition: n.Definition) -> Type:
    """What a definition's name stands for where another rule reads it; known before any body is checked."""
    name = definition.name.name
    match definition:
        case n.Classification():
            return Type(Kind.ENUM, members=tuple(b.name.name for b in definition.branches), owner=name)
        case n.Target():
            return Type(Kind.ENUM, members=TARGET_BANDS, owner=name)
        case n.Event():
            return DAY
        case n.Dose():
            r.doses.add(name)
            return Type(Kind.QUANTITY)
        case _:
            return BOOLEAN


# ---- definitions -----------------------------------------------------------------------


def _check_definition(r: Resolver, definition: n.Definition) -> p.Definition:
    name = definition.name.name
    r.current = name
    r.dependencies[name] = set()
    slot = r.def_slots[name]
    match definition:
        case n.Criterion(condition=condition):
            return p.Criterion(name, slot, definition.title, definition.citation, BOOLEAN, definition.span, r.condition(condition))
        case n.Recommendation(condition=condition):
            return p.Recommendation(name, slot, definition.title, definition.citation, BOOLEAN, definition.span, r.condition(condition),
                                    limits.deadline(r, definition))
        case n.Classification(branches=branches):
            return p.Classification(name, slot, definition.title, definition.citation, r.def_types[name], definition.span,
                                    _branches(r, name, branches))
        case n.Dose():
            checked = clinical.dose(r, definition, slot)
            return replace(checked, limits=limits.dose_limits(r, definition, checked.type, checked.days)) if definition.limits else checked
        case n.Target():
            return clinical.target(r, definition, slot)
        case n.Event():
            return clinical.event(r, definition, slot)
        case n.Parameter():
            raise AssertionError(definition)  # declared by `declare_parameter`, never checked as a definition
        case _:
            assert_never(definition)


def _branches(r: Resolver, name: str, branches: tuple[n.Branch, ...]) -> tuple[p.Branch, ...]:
    checked = []
    seen: set[str] = set()
    otherwise: n.Branch | None = None
    for branch in branches:
        if branch.name.name in seen:
            r.error("CP404", f"'{name}' has two branches named '{branch.name.name}'", branch.name.span)
        seen.add(branch.name.name)
        if otherwise is not None:
            r.error("CP403", f"branch '{branch.name.name}' can never be reached: '{otherwise.name.name} otherwise' comes before it",
                    branch.span, "put 'otherwise' last")
        condition = None if branch.condition is None else r.condition(branch.condition)
        if branch.condition is None:
            otherwise = branch
        checked.append(p.Branch(branch.name.name, condition, branch.span))
    if otherwise is None:
        last = branches[-1]
        r.warn("CP402", f"'{name}' has no 'otherwise' branch: a patient matching no branch is left undetermined", last.span,
               "add a final 'NAME otherwise' branch")
    return tuple(checked)


# ---- order and cycles ------------------------------------------------------------------


def _evaluation_order(r: Resolver) -> list[str]:
    """Definitions in an order where each comes after those it reads; reports cycles (CP401) and a definition whose
    expression, with those of the definitions it reads (and they read) in place of their names, is more than `MAX_CHAIN`
    levels deep (CP440): the deep analysis and explanations follow the references. Iterative, so no chain, however
    long, can exhaust Python's stack here."""
    order: list[str] = []
    state: dict[str, int] = {}  # 1 visiting, 2 done
    chain: dict[str, int] = {}  # levels of expression through the definitions read, from here down
    reported: set[str] = set()
    too_long: list[str] = []
    for root in r.definitions:
        if state.get(root) is not None:
            continue
        state[root] = 1
        path = [root]
        stack: list[Iterator[str]] = [iter(sorted(r.dependencies.get(root, ())))]
        while stack:
            name = path[-1]
            dep = next(stack[-1], None)
            if dep is None:
                stack.pop()
                path.pop()
                state[name] = 2
                own = node_depth(r.definitions[name]) - 1  # the levels below the definition itself
                chain[name] = max(1, own) + max((chain.get(d, 0) for d in r.dependencies.get(name, ())), default=0)
                if chain[name] > MAX_CHAIN and not any(chain.get(d, 0) > MAX_CHAIN for d in r.dependencies.get(name, ())):
                    too_long.append(name)
                order.append(name)
            elif state.get(dep) == 1:
                if dep not in reported:
                    cycle = [*path[path.index(dep):], dep] if dep in path else [name, dep]
                    reported.update(cycle)
                    r.error("CP401", "circular definition: " + " → ".join(cycle), r.definitions[dep].name.span,
                            "a definition cannot depend on itself, directly or through others")
            elif state.get(dep) is None:
                state[dep] = 1
                path.append(dep)
                stack.append(iter(sorted(r.dependencies.get(dep, ()))))
    for name in too_long[:1] if not reported else ():  # in a cycle the depth means nothing: CP401 says what is wrong
        r.error("CP440", f"'{name}' is nested {chain[name]} levels deep through the definitions it reads; the limit is {MAX_CHAIN}",
                r.definitions[name].name.span, "read the criteria a chain of definitions is built from directly")
    return order
