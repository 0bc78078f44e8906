"""Throughput of doses, a target range and an engraftment event: carepath against the same rules written by hand.

Why: doses use exact rational arithmetic and events scan daily series day by day, both record by record
(there is no column path for them). This measures what that costs next to plain Python doing the same
work with the same care (exact decimals for doses, unknown days for events). Before timing, every
record's results are compared; a disagreement is printed and the script exits with status 1.

    python benchmarks/clinical.py                  # 20,000 records, seed 1, best of 5
    python benchmarks/clinical.py --records 5000 --seed 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import decimal
import gc
import math
import random
import sys
import time
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

import carepath
from carepath import Source
from carepath.data.records import PatientRecord, RawRecord, bind
from carepath.semantics.values import DoseValue

AS_OF = dt.date(2026, 1, 1)
REPEATS = 5

DOSING = """protocol dosing
input
  weight : quantity kg plausible 1 kg .. 80 kg
  height : quantity cm plausible 30 cm .. 200 cm
  cyclosporine_level : quantity ug/L plausible 0 ug/L .. 3000 ug/L
parameter light_per_dose: 0.9 mg/kg
parameter heavy_per_dose: 1.1 mg/kg
dose busulfan in mg:
  light_per_dose * weight when weight <= 12 kg
  heavy_per_dose * weight otherwise
  rounded to 0.1 mg
  given 4 times daily on days -7 to -4
dose prednisone in mg/d:
  60 mg/m2/d * bsa_mosteller(height, weight)
  rounded down to 1 mg/d
target cyclosporine:
  cyclosporine_level within 150 ug/L .. 300 ug/L
"""

ENGRAFTMENT = """protocol engraftment
input
  anc : series of quantity /uL plausible 0 /uL .. 100000 /uL
event neutrophil_engraftment:
  first of 3 consecutive days from day 1 where anc >= 500 /uL
"""


def dosing_records(count: int, rng: random.Random) -> list[dict[str, Any]]:
    out = []
    for index in range(count):
        weight = round(rng.uniform(3, 30), 1)
        height = rng.randint(50, 140)
        level = rng.randint(50, 450)
        out.append({"id": str(index), "weight": f"{weight} kg", "height": f"{height} cm", "cyclosporine_level": f"{level} ug/L"})
    return out


def engraftment_records(count: int, rng: random.Random) -> list[dict[str, Any]]:
    out = []
    for index in range(count):
        rise = rng.randint(8, 28)
        values = {}
        for day in range(1, 31):
            if rng.random() < 0.05:
                continue  # a day not recorded
            values[day] = rng.randint(0, 400) if day < rise else rng.randint(300, 3000)
        out.append({"id": str(index), "anc": {"unit": "/uL", "values": values}})
    return out


# ---- the same rules by hand --------------------------------------------------------------------


def round_half_away(value: Fraction, step: Fraction) -> Fraction:
    ratio = value / step
    return math.floor(abs(ratio) + Fraction(1, 2)) * (1 if ratio >= 0 else -1) * step


def hand_dosing(weight: Any, height: Any, level: Any) -> tuple[Fraction | None, Fraction | None, str | None]:
    w = None if weight is None else Fraction(repr(weight)) if isinstance(weight, float) else Fraction(weight)
    h = None if height is None else Fraction(height)
    busulfan = None if w is None else round_half_away((Fraction(9, 10) if w <= 12 else Fraction(11, 10)) * w, Fraction(1, 10))
    prednisone = None
    if w is not None and h is not None:
        ratio = h * w / 3600
        with decimal.localcontext() as context:
            context.prec = 28  # square roots to 28 digits, as carepath takes them
            bsa = Fraction((decimal.Decimal(ratio.numerator) / decimal.Decimal(ratio.denominator)).sqrt())
        prednisone = Fraction(math.floor(60 * bsa))
    band = None if level is None else "below" if level < 150 else "above" if level > 300 else "within"
    return busulfan, prednisone, band


def hand_engraftment(series: Any) -> int | None:
    if series is None or not series.values:
        return None
    last = series.last
    for day in range(1, last + 1):
        window: bool | None = True
        for offset in range(3):
            value = series.at(day + offset)
            if value is None:
                window = None
            elif value < 500:
                window = False
                break
        if window is True:
            return day
        if window is None:
            return None
    return None


# ---- timing ------------------------------------------------------------------------------------


def best_of(fn: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEATS):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        finally:
            gc.enable()
    return min(times)


def bound(compiled: carepath.CompiledProtocol, raws: Sequence[dict[str, Any]]) -> list[PatientRecord]:
    records = [bind(RawRecord(raw, "generated"), compiled.checked) for raw in raws]
    assert all(isinstance(r, PatientRecord) for r in records)
    return records  # type: ignore[return-value]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)

    dosing = carepath.compile_source(Source("dosing.care", DOSING))
    engraftment = carepath.compile_source(Source("engraftment.care", ENGRAFTMENT))
    dose_records = bound(dosing, dosing_records(args.records, rng))
    event_records = bound(engraftment, engraftment_records(args.records, rng))

    def carepath_doses() -> list[Any]:
        return [carepath.evaluate(dosing, r, AS_OF, trace=False).decisions for r in dose_records]

    def hand_doses() -> list[Any]:
        return [hand_dosing(*r.values) for r in dose_records]

    def carepath_events() -> list[Any]:
        return [carepath.evaluate(engraftment, r, AS_OF, trace=False).decisions["neutrophil_engraftment"] for r in event_records]

    def hand_events() -> list[Any]:
        return [hand_engraftment(r.values[0]) for r in event_records]

    disagreements = 0
    for ours, theirs in zip(carepath_doses(), hand_doses(), strict=True):
        busulfan, prednisone = ours["busulfan"], ours["prednisone"]
        mine = (busulfan.amount if isinstance(busulfan, DoseValue) else None, prednisone.amount if isinstance(prednisone, DoseValue) else None,
                ours["cyclosporine"])
        if mine != theirs:
            disagreements += 1
    for ours, theirs in zip(carepath_events(), hand_events(), strict=True):
        if ours != theirs:
            disagreements += 1
    if disagreements:
        print(f"{disagreements} records disagree with the hand-written rules", file=sys.stderr)
        return 1
    print(f"{args.records:,} records each; every record agrees with the hand-written rules\n")
    print(f"{'what':<58}{'records/s':>12}{'µs/record':>12}")
    rows = [("doses + target, carepath.evaluate (trace off)", carepath_doses), ("doses + target, hand-written (exact)", hand_doses),
            ("engraftment over 30 days, carepath.evaluate (trace off)", carepath_events),
            ("engraftment over 30 days, hand-written", hand_events)]
    seconds = {}
    for label, fn in rows:
        seconds[label] = best_of(fn)
        print(f"{label:<58}{args.records / seconds[label]:>12,.0f}{seconds[label] / args.records * 1e6:>12.2f}")
    print(f"\ndoses: carepath / hand-written throughput {seconds[rows[1][0]] / seconds[rows[0][0]]:.2f}; "
          f"events: {seconds[rows[3][0]] / seconds[rows[2][0]]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
