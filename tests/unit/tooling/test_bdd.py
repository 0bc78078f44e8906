"""The pytest plugin module: which feature files it collects, and that pytest registers the step modules with it."""

from __future__ import annotations

import pytest

from carepath.tooling import bdd


def test_a_feature_is_collected_only_when_its_feature_line_is_tagged_carepath() -> None:
    assert bdd.is_tagged("@carepath\nFeature: risk\n")
    assert bdd.is_tagged("@slow @carepath\nFeature: risk\n")
    assert not bdd.is_tagged("@carepathology\nFeature: risk\n")
    assert not bdd.is_tagged("Feature: risk\n  @carepath\n  Scenario: one\n")  # a scenario's tag does not opt the file in


def test_the_step_modules_are_plugins_of_this_one(pytestconfig: pytest.Config) -> None:
    assert bdd.pytest_plugins == ["carepath.tooling.steps", "carepath.tooling.comparesteps", "carepath.tooling.outcomesteps"]
    manager = pytestconfig.pluginmanager
    assert all(manager.get_plugin(name) is not None for name in bdd.pytest_plugins)
