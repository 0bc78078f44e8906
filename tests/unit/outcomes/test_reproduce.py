"""Printed figures against what the data give: the three that reproduce, the two that do not, with the note."""

from __future__ import annotations

from carepath.compile.compiler import CompiledProtocol
from carepath.data.published import load_published
from carepath.data.records import InvalidRecord, PatientRecord
from carepath.outcomes.groups import assign, group_order
from carepath.outcomes.reproduce import check, lines
from carepath.outcomes.survival import EndpointKind, Survival, survival
from tests.unit.outcomes.conftest import AS_OF, ROOT

PUBLISHED = load_published([ROOT / "cohorts" / "severance_2011.yaml"])


def _survival(seed: CompiledProtocol, cohort: list[PatientRecord | InvalidRecord], by: str | None) -> Survival:
    members = assign(seed, cohort, AS_OF, by)
    return survival(members, EndpointKind.EFS, by, group_order(seed, by, [m.group for m in members]))


def test_the_figures_that_reproduce(seed: CompiledProtocol, cohort: list[PatientRecord | InvalidRecord]) -> None:
    for by, computed in ((None, "66.7 ± 15.7 %"), ("risk_group", "57.1 ± 18.7 %")):
        (only,) = check(PUBLISHED, _survival(seed, cohort, by), "severance_2011", 36.0)
        assert (only.computed, only.reproduces) == (computed, True)
    estimate, logrank = check(PUBLISHED, _survival(seed, cohort, "infant_under_6_months"), "severance_2011", 36.0)
    assert (estimate.reproduces, logrank.reproduces, logrank.computed) == (True, False, "P = 0.046")


def test_the_transplanted_group_does_not_and_says_why(seed: CompiledProtocol, cohort: list[PatientRecord | InvalidRecord]) -> None:
    checks = check(PUBLISHED, _survival(seed, cohort, "follow_up.transplant"), "severance_2011", 36.0)
    (line,) = lines(PUBLISHED, checks)
    assert line.startswith("Lee 2011 (Results, HSCT group), group done at 3 years: printed 60 ± 21.9 %, the data give 66.7 ± 19.2 %: "
                           "does not reproduce: 60 ± 21.9 % is 3 of 5")


def test_figures_that_do_not_apply_are_left_out(seed: CompiledProtocol, cohort: list[PatientRecord | InvalidRecord]) -> None:
    assert check(PUBLISHED, _survival(seed, cohort, "risk_group"), "interfant06", 36.0) == []  # the seed rule's groups only
    assert check(PUBLISHED, _survival(seed, cohort, None), "severance_2011", None) == []  # no --at: no estimate to set beside
    assert check(None, _survival(seed, cohort, None), "severance_2011", 36.0) == []
