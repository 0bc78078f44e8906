"""Events over dated series, checked against a brute-force reference that tries every way the gaps could be filled.

Why: a missing day must never pass. The reference fills each unknown day (gaps, and the days after the data
ends) both ways; an event is decided only when every filling puts it on the same day, and carepath's "not
before day N" must be exactly the earliest day any filling allows.
"""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

import carepath
from carepath import Source
from carepath.semantics.values import NotBefore

AS_OF = dt.date(2026, 1, 1)
LAST_DAY = 10


def protocol(run: int) -> carepath.CompiledProtocol:
    text = f"""protocol events
input
  anc : series of quantity /uL plausible 0 /uL .. 100000 /uL
event engraftment:
  first of {run} consecutive days from day 1 where anc >= 500 /uL
criterion late: engraftment > day 6
recommend graft_failure: when late
"""
    return carepath.compile_source(Source("events.care", text))


PROTOCOLS = {run: protocol(run) for run in (1, 2, 3)}

# None: the day was not recorded; True/False: the count was at or above / below 500
days = st.lists(st.sampled_from((True, False, None)), min_size=0, max_size=LAST_DAY).filter(
    lambda values: sum(v is None for v in values) <= 6)


def first_event(values: dict[int, bool], run: int, horizon: int) -> int | None:
    for day in range(1, horizon + 1):
        if all(values.get(day + k, False) for k in range(run)):
            return day
    return None  # not within the horizon: later than every day compared here


def reference(observed: list[bool | None], run: int) -> tuple[set[int | None], int | None]:
    """Every event day the unknown days allow, and the earliest of them (None: later than the horizon)."""
    last = len(observed)
    horizon = last + run + 1
    unknown = [day for day in range(1, horizon + run + 1) if day > last or observed[day - 1] is None]
    outcomes: set[int | None] = set()
    for filling in itertools.product((True, False), repeat=len(unknown)):
        values = {day: value for day, value in enumerate(observed, 1) if value is not None}
        values.update(zip(unknown, filling, strict=True))
        outcomes.add(first_event(values, run, horizon))
    earliest = min((o for o in outcomes if o is not None), default=None)
    return outcomes, earliest


@settings(max_examples=150, deadline=None)
@given(days, st.sampled_from((1, 2, 3)))
def test_events_agree_with_every_way_of_filling_the_gaps(observed: list[bool | None], run: int) -> None:
    compiled = PROTOCOLS[run]
    recorded = {day: (800 if value else 100) for day, value in enumerate(observed, 1) if value is not None}
    values = ", ".join(f"{day}: {count}" for day, count in recorded.items())
    (record,) = carepath.records_from_text(compiled, f"- id: p\n  anc: {{unit: /uL, values: {{{values}}}}}\n", "r.yaml")
    result = carepath.evaluate(compiled, record, AS_OF, trace=True)
    env = carepath.runtime.engine.decide(compiled, record.values)
    raw = env[compiled.decisions[0].slot]
    outcomes, earliest = reference(observed, run)
    if len(outcomes) == 1 and None not in outcomes:
        assert result.decisions["engraftment"] == next(iter(outcomes))
    else:
        assert result.decisions["engraftment"] is None
        assert isinstance(raw, NotBefore)
        if earliest is not None:
            assert raw.day == earliest  # "not before" is the earliest day any filling allows: sound and tight
        assert "anc" in result.needs
    late = {o is None or o > 6 for o in outcomes}
    assert result.decisions["graft_failure"] == (late.pop() if len(late) == 1 else None)
    # the trace path reaches the same event value
    (step,) = [s for s in result.steps if s.text == "engraftment"]
    assert step.outcome == result.decisions["engraftment"]
