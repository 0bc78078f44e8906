"""The Gherkin steps on what happened after the decisions: survival estimates by a decision or criterion, the
log-rank test, and the audit's deviations. Registered by the `carepath.tooling.bdd` plugin; the protocol,
patients and evaluation date are the scenario's own.
"""

from __future__ import annotations

from pytest_bdd import parsers, then

from carepath import InvalidRecord, PatientRecord, load_records, records_from_text
from carepath.data.followup import months_of
from carepath.outcomes.audit import Deviation, audit
from carepath.outcomes.groups import assign, group_order
from carepath.outcomes.survival import EndpointKind, Survival, survival
from carepath.render.outcomes import estimate_text
from carepath.tooling.scenario import DECISION, PATIENT, CarepathState

re_ = parsers.re
ENDPOINT = r"(?P<endpoint>event-free|overall) survival"
AT = r'at "(?P<at>[^"]+)"'


def records_of(state: CarepathState) -> list[PatientRecord | InvalidRecord]:
    """The scenario's patients, bound to its protocol, invalid ones included."""
    bound: list[PatientRecord | InvalidRecord] = []
    for kind, what in state.records:
        bound.extend(records_from_text(state.compiled, what, kind) if isinstance(what, str) else load_records(state.compiled, [what]))
    assert bound, 'no patients given: add Given the patients in "…"'
    return bound


def estimates(state: CarepathState, endpoint: str, by: str | None) -> Survival:
    kind = EndpointKind.EFS if endpoint == "event-free" else EndpointKind.OS
    members = assign(state.compiled, records_of(state), state.as_of, by)
    return survival(members, kind, by, group_order(state.compiled, by, [m.group for m in members]))


def _months(at: str) -> float:
    months = months_of(at)
    assert months is not None, f"'{at}' is not a time from diagnosis, e.g. 3 years"
    return months


@then(re_(rf'the {ENDPOINT} of all patients {AT} is "(?P<estimate>[^"]+)"'))
def then_overall_estimate(carepath_state: CarepathState, endpoint: str, at: str, estimate: str) -> None:
    found = estimate_text(estimates(carepath_state, endpoint, None).overall, _months(at))
    assert found == estimate, f"the {endpoint} survival of all patients at {at} is {found}"


@then(re_(rf'the {ENDPOINT} of group "(?P<group>[^"]+)" by {DECISION} {AT} is "(?P<estimate>[^"]+)"'))
def then_group_estimate(carepath_state: CarepathState, endpoint: str, group: str, name: str, at: str, estimate: str) -> None:
    result = estimates(carepath_state, endpoint, name)
    curves = {c.group: c for c in result.groups}
    assert group in curves, f"no group {group!r} by {name}; the groups are {', '.join(curves)}"
    found = estimate_text(curves[group], _months(at))
    assert found == estimate, f"the {endpoint} survival of {group} by {name} at {at} is {found} ({curves[group].size} patients)"


@then(re_(rf'the log-rank P for the {ENDPOINT} by {DECISION} is "(?P<p>[^"]+)"'))
def then_logrank(carepath_state: CarepathState, endpoint: str, name: str, p: str) -> None:
    test = estimates(carepath_state, endpoint, name).logrank
    assert test is not None, f"no log-rank test by {name}: fewer than two groups with patients, or no event"
    assert f"{test.p:.3f}" == p, f"the log-rank P by {name} is {test.p:.3f}"


def _deviations(state: CarepathState) -> tuple[Deviation, ...]:
    return audit(state.compiled, records_of(state), state.as_of).deviations


@then(re_(r"the audit finds (?P<count>\d+) deviations?"))
def then_deviation_count(carepath_state: CarepathState, count: str) -> None:
    found = _deviations(carepath_state)
    assert len(found) == int(count), f"{len(found)} deviations: " + "; ".join(f"{d.patient} {d.kind.title} ({d.decision})" for d in found)


@then(re_(rf'patient {PATIENT} has the deviation "(?P<title>[^"]+)" on {DECISION}(?: with "(?P<detail>[^"]+)")?'))
def then_patient_deviation(carepath_state: CarepathState, patient: str, title: str, name: str, detail: str | None) -> None:
    found = [d for d in _deviations(carepath_state) if d.patient == patient]
    matching = [d for d in found if d.kind.title == title and d.decision == name]
    assert matching, f"patient {patient!r} has " + ("; ".join(f"{d.kind.title} on {d.decision}" for d in found) or "no deviation")
    if detail is not None:
        assert any(detail in (d.detail or "") for d in matching), f"no {title} on {name} for {patient!r} mentions {detail!r}: {matching}"
