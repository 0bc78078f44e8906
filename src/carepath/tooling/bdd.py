"""carepath's pytest plugin: generic Gherkin steps, so a protocol author writes `.feature` files and no Python.

The plugin is registered through the `pytest11` entry point, so installing carepath with its `test` extra
(which brings pytest-bdd) is all it takes. Without pytest-bdd the module still imports and does nothing.

How feature files are collected
  * A `.feature` file whose `Feature:` carries the tag `@carepath` is collected by this plugin directly
    (`pytest_collect_file`): `pytest features/` runs it with no Python glue at all. The tag is the opt-in, so
    other projects' feature files are left alone; it also becomes the `carepath` marker (`pytest -m carepath`).
  * Where `testpaths` does not reach the features directory (carepath's own `testpaths` is `tests/`), one
    module binds them: `scenarios("../features")` in tests/test_features.py. A scenario collected both ways
    (e.g. `pytest tests features`) runs once: the directly collected copy is deselected.

Step vocabulary (quoted values are written in double quotes; lists are comma-separated):

  Given the protocol "protocols/severance_2011.care"        path relative to pytest's rootdir
  Given the protocol:                                       protocol text in a docstring
  Given the patients in "cohorts/severance_2011.yaml"       a records file or directory (YAML, JSON, CSV, Parquet,
                                                            a FHIR Bundle or NDJSON)
  Given the patients in "cohorts/severance_2011.csv" read through the map "cohorts/severance_2011.csv.map.yaml"
                                                            a data file read through its data map
  Given a patient "X" with:                                 data table of | field | value | rows; an empty
                                                            value cell means the field is absent; values are
                                                            written as in a records file ("123.8 10*9/L"); a
                                                            cell in braces is a series ({1: 600, 2: 700})
  Given the evaluation date is "2026-01-01"                 default 2026-01-01, so runs are reproducible
  Given the parameter "busulfan_per_dose_light" is "1.1 mg/kg"   a site's override, written as in the protocol
  Given the site parameters in "site.yaml"                  a parameters file (name: value)
  When the protocol is evaluated
  When the protocol is checked
  Then the protocol is accepted
  Then the protocol is accepted with warning "CP402"
  Then the protocol is rejected with "CP302"                optionally `at line 7` and/or `mentioning "text"`
  Then patient "6" is assigned "high" for "risk_group"
  Then the decision "hsct_referral" for patient "6" is "yes"      yes | no | undetermined | a branch name
  Then "risk_group" for patient "6" was decided by "infant_under_6_months, hyperleukocytosis"   exact set;
                                                            for an `otherwise` branch these are the criteria
                                                            that failed
  Then "risk_group" for patient "4" was not decided by "mll_translocation"
  Then "hyperleukocytosis" holds for patient "6"            also `does not hold for`, `is unknown for`
  Then patient "X" is undetermined and needs "wbc_at_diagnosis"    exact set
  Then patient "X" is accepted                              not rejected (decided or undetermined)
  Then patient "X" is rejected with an error on "wbc_at_diagnosis" mentioning "plausible"
  Then no patient is rejected
  Then patient "1" has "wbc_at_diagnosis" recorded as "33,900 /µL"   an input as the rules saw it (or as
                                                            written), or a descriptive field under `about:`
  Then 7 of the 9 patients are assigned "high" for "risk_group"    `of the patients` skips the total check
  Then 4 of the 9 patients meet "hyperleukocytosis"
  Then every patient whose "mll" is "translocation" is assigned "high" for "risk_group"
  Then for every patient whose "mll" is "duplication", "mll_translocation" does not hold
                                                            also `holds` / `is unknown`; an `every` step
                                                            fails when no patient matches
  Then the explanation for patient "6" cites "[12]"         searched in the explanation's citations
  Then the explanation for patient "6" shows "123,800 /µL ≥ 50,000 /µL"   searched in all its text
  Then the dose "busulfan" for patient "P" is above its limit per dose by "37.5 %"   also per day / per course
  Then the dose "busulfan" for patient "P" is within its limits    computed, and above none of its limits

Comparing two protocols on the same patients (the patients and evaluation date are given as above; a
field either protocol declares is accepted by both; values are words: yes, no, a branch name,
undetermined, or invalid for a record that protocol rejected):

  Given the protocols "protocols/severance_2011.care" and "protocols/interfant06.care"    first is A, second B
  When the protocols are compared
  Then 3 patients change "hsct_referral" from "yes" to "undetermined"    exact count; 0 is allowed
  Then patient "1" changes "risk_group" from "high" to "medium"
  Then patient "2" keeps "hsct_referral" at "no"
  Then 7 of the 9 patients change "hsct_referral"                       `of the patients` skips the total check
  Then under "interfant06" patient "1" is undetermined and needs "mrd_before_octadad"   exact set; a protocol
                                                            is named by its declared name or its path as given
  Then under "interfant06", "risk_group" for patient "1" was decided by "mll_rearranged"
  Then patient "X" is rejected under "interfant06"          also `is accepted under`

Outcomes and audit (the records' `follow_up:` and `care:`, docs/outcomes.md and docs/audit.md):

  Then the event-free survival of all patients at "3 years" is "66.7 ± 15.7 %"      also `overall survival`
  Then the event-free survival of group "high" by "risk_group" at "3 years" is "57.1 ± 18.7 %"
  Then the log-rank P for the event-free survival by "infant_under_6_months" is "0.046"
  Then the audit finds 1 deviation
  Then patient "1" has the deviation "recommendation not followed" on "hsct_referral" with "economic"
  Then no patient is rejected by either protocol

Steps read and write one `carepath_state` fixture (and `carepath_comparison` for two protocols). This module is
the plugin: the fixtures and how feature files are collected. The state and helpers are in
`carepath.tooling.scenario`, the steps in `carepath.tooling.steps`, `carepath.tooling.comparesteps` and `carepath.tooling.outcomesteps`, which
pytest registers with this plugin; a protocol is checked through `check_source`, as `carepath check` does.
"""

from __future__ import annotations

import re
import types
from pathlib import Path

import pytest

from carepath.tooling.scenario import CarepathState, ComparisonState

try:
    import pytest_bdd
    from pytest_bdd.feature import get_feature
    from pytest_bdd.scenario import get_python_name_generator, scenario_wrapper_template_registry
    from pytest_bdd.utils import registry_get_safe
except ImportError:  # pragma: no cover - pytest-bdd is in the `test` extra; without it the plugin is inert
    pytest_bdd = None  # type: ignore[assignment]
else:
    # pytest registers these with this plugin; their step definitions are fixtures in their own modules
    pytest_plugins = ["carepath.tooling.steps", "carepath.tooling.comparesteps", "carepath.tooling.outcomesteps"]

TAG = "carepath"
_TAG_LINE = re.compile(r"^\s*(?:@\S+\s+)*@carepath(?:\s|$)", re.MULTILINE)
_FEATURE_LINE = re.compile(r"^\s*Feature:", re.MULTILINE)


def is_tagged(text: str) -> bool:
    """Whether a feature file's text opts in to direct collection: `@carepath` among its Feature's tags."""
    feature_at = _FEATURE_LINE.search(text)
    tagged = _TAG_LINE.search(text)
    return tagged is not None and (feature_at is None or tagged.start() <= feature_at.start())


# ---- the fixtures the steps share ------------------------------------------------------------


@pytest.fixture
def carepath_state(request: pytest.FixtureRequest) -> CarepathState:
    """A fresh scenario state; relative paths in steps are read from pytest's rootdir."""
    return CarepathState(Path(request.config.rootpath))


@pytest.fixture
def carepath_comparison() -> ComparisonState:
    return ComparisonState()


# ---- collection ----------------------------------------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{TAG}: a carepath feature scenario (tag a Feature @{TAG} to collect it)")


if pytest_bdd is not None:

    class FeatureFile(pytest.Module):
        """A tagged `.feature` file as a test module: one test per scenario, bound with pytest-bdd."""

        def _getobj(self) -> types.ModuleType:
            base, name = str(self.path.parent), self.path.name
            module = types.ModuleType("carepath_feature_" + re.sub(r"\W", "_", self.path.stem))
            module.__file__ = str(self.path)
            for scenario_name in get_feature(base, name).scenarios:
                test = pytest_bdd.scenario(name, scenario_name, features_base_dir=base)(_scenario_body)
                test_name = next(n for n in get_python_name_generator(scenario_name) if not hasattr(module, n))
                setattr(module, test_name, test)
            return module

    def _scenario_body() -> None:
        """Every step lives in the feature file; nothing is left to do after them."""

    def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
        if file_path.suffix != ".feature" or not parent.config.pluginmanager.hasplugin("pytest-bdd"):
            return None  # not a feature file, or pytest-bdd is installed but disabled (-p no:pytest-bdd)
        if not is_tagged(file_path.read_text(encoding="utf-8")):
            return None
        collector: pytest.Collector = FeatureFile.from_parent(parent, path=file_path)
        return collector

    def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
        """A scenario bound by a test module and also collected from its file runs once, from the module."""

        def key(item: pytest.Item) -> tuple[str, str, str] | None:
            template = registry_get_safe(scenario_wrapper_template_registry, getattr(item, "obj", None))
            if template is None:
                return None
            callspec = getattr(item, "callspec", None)
            return template.feature.filename, template.name, callspec.id if callspec else ""

        bound = {key(i) for i in items if not isinstance(i.parent, FeatureFile)} - {None}
        dropped = [i for i in items if isinstance(i.parent, FeatureFile) and key(i) in bound]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            gone = {id(i) for i in dropped}
            items[:] = [i for i in items if id(i) not in gone]
