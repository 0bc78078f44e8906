"""The built-in functions, in one table: a signature for the checker and an exact implementation for the runtime.

Arguments arrive as exact rationals already scaled into the unit each function expects, so an
implementation never sees a unit; a result of `None` means unknown (for example a negative square root).
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from carepath.semantics.types import NUMBER, Kind, Type
from carepath.semantics.units import Unit, parse_unit

Signature = Callable[[Sequence[Type]], "tuple[Type, tuple[Fraction, ...]] | str"]
Implementation = Callable[[Sequence[Fraction]], Fraction | None]


@dataclass(frozen=True, slots=True)
class Builtin:
    name: str
    usage: str  # as the reference and error messages show it
    signature: Signature  # argument types → (result type, a scale per argument), or why they do not fit
    run: Implementation


def _sqrt(value: Fraction) -> Fraction | None:
    """A square root to 28 significant digits, the same on every machine (decimal, not the platform's float)."""
    if value < 0:
        return None
    with decimal.localcontext() as context:
        context.prec = 28
        root = (decimal.Decimal(value.numerator) / decimal.Decimal(value.denominator)).sqrt()
    return Fraction(root)


def _unit(text: str) -> Unit:
    unit = parse_unit(text)
    assert isinstance(unit, Unit)
    return unit


def _mosteller_signature(types: Sequence[Type]) -> tuple[Type, tuple[Fraction, ...]] | str:
    if len(types) != 2:
        return "bsa_mosteller takes two arguments: bsa_mosteller(height, weight)"
    height, weight = types
    centimetre, kilogram = _unit("cm"), _unit("kg")
    if not (height.kind is Kind.QUANTITY and isinstance(height.unit, Unit) and height.unit.dimension == centimetre.dimension):
        return f"bsa_mosteller's first argument is a height (a length, e.g. cm), not {height.describe()}"
    if not (weight.kind is Kind.QUANTITY and isinstance(weight.unit, Unit) and weight.unit.dimension == kilogram.dimension):
        return f"bsa_mosteller's second argument is a weight (a mass, e.g. kg), not {weight.describe()}"
    return Type(Kind.QUANTITY, _unit("m2")), (height.unit.factor_to(centimetre), weight.unit.factor_to(kilogram))


def _mosteller(args: Sequence[Fraction]) -> Fraction | None:
    height_cm, weight_kg = args
    return _sqrt(height_cm * weight_kg / 3600)  # Mosteller, N Engl J Med 1987;317:1098


def _same_dimension(name: str, minimum: int, maximum: int | None) -> Signature:
    """Every argument of the first one's dimension; each is scaled into the first one's unit."""

    def signature(types: Sequence[Type]) -> tuple[Type, tuple[Fraction, ...]] | str:
        if len(types) < minimum or (maximum is not None and len(types) > maximum):
            count = f"{minimum}" if minimum == maximum else f"at least {minimum}"
            return f"{name} takes {count} arguments"
        first = types[0]
        if first.kind not in (Kind.QUANTITY, Kind.NUMBER):
            return f"{name} works on quantities and numbers, not {first.describe()}"
        scales = []
        for other in types:
            if other.kind is not first.kind:
                return f"{name}'s arguments must all be {first.describe()}; one is {other.describe()}"
            if isinstance(first.unit, Unit) and isinstance(other.unit, Unit):
                if other.unit.dimension != first.unit.dimension:
                    return f"{name}'s arguments must share a dimension: {first.unit.display} and {other.unit.display} do not"
                scales.append(other.unit.factor_to(first.unit))
            else:
                scales.append(Fraction(1))
        return first, tuple(scales)

    return signature


def _rounded(mode: str) -> Implementation:
    def run(args: Sequence[Fraction]) -> Fraction | None:
        value, step = args
        return round_to(value, step, mode)

    return run


def round_to(value: Fraction, step: Fraction, mode: str) -> Fraction | None:
    """To a multiple of `step`: "nearest" rounds halves away from zero, as dosing tables do; "down"/"up" floor/ceil."""
    if step <= 0:
        return None
    ratio = value / step
    if mode == "down":
        whole = math.floor(ratio)
    elif mode == "up":
        whole = math.ceil(ratio)
    else:
        whole = math.floor(abs(ratio) + Fraction(1, 2)) * (1 if ratio >= 0 else -1)
    return whole * step


BUILTINS: dict[str, Builtin] = {
    b.name: b
    for b in (
        Builtin("bsa_mosteller", "bsa_mosteller(height, weight) → m2: √(height in cm × weight in kg / 3600)", _mosteller_signature, _mosteller),
        Builtin("round", "round(x, step): to the nearest multiple of step, halves away from zero", _same_dimension("round", 2, 2),
                _rounded("nearest")),
        Builtin("round_down", "round_down(x, step): down to a multiple of step", _same_dimension("round_down", 2, 2), _rounded("down")),
        Builtin("round_up", "round_up(x, step): up to a multiple of step", _same_dimension("round_up", 2, 2), _rounded("up")),
        Builtin("min", "min(a, b, …): the smallest, e.g. a dose cap", _same_dimension("min", 2, None), lambda args: min(args)),
        Builtin("max", "max(a, b, …): the largest, e.g. a floor", _same_dimension("max", 2, None), lambda args: max(args)),
    )
}

__all__ = ["BUILTINS", "NUMBER", "Builtin", "round_to"]
