"""A dose's reference limits as one closure: the computed dose → the limits it exceeds, as `LimitFlag`s.

A limit whose condition is false does not apply; one whose condition is unknown is still compared, and a dose
above it is flagged as uncertain (it is above the limit if the limit applies). A limit whose amount is unknown
(an input it reads is missing) cannot be compared and flags nothing; the dose itself then usually is unknown too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from carepath.ir import program as p
from carepath.semantics.operators import exact
from carepath.semantics.values import LimitFlag

Env = list[Any]
FlagsFn = Callable[[Env, Any], tuple[LimitFlag, ...]]


def limit_flags(definition: p.Dose, cond: Callable[[Any], Any], value_of: Callable[[Any], Any]) -> FlagsFn | None:
    """Over an environment and the computed dose (exact, in the dose's unit, before rounding): the limits it exceeds;
    None for a dose without limits."""
    if not definition.limits:
        return None
    unit = definition.unit.display
    compiled = tuple((None if limit.condition is None else cond(limit.condition)[0], value_of(limit.amount), limit)
                     for limit in definition.limits)

    def flags(env: Env, amount: Any) -> tuple[LimitFlag, ...]:
        out = []
        for applies, ceiling, limit in compiled:
            holds = True if applies is None else applies(env)
            if holds is False:
                continue
            cap = exact(ceiling(env))
            if cap is None:
                continue
            given = amount * limit.administrations
            if given > cap:
                out.append(LimitFlag(limit.period.value, given, cap, unit, limit.text, limit.citation, holds is True))
        return tuple(out)

    return flags
