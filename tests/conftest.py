"""Shared fixtures: the repository root, the seed protocol compiled once, a fixed `as_of`, and the golden opt-in flag."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

import carepath
from carepath import Source
from carepath.compile.compiler import CompiledProtocol

ROOT = Path(__file__).resolve().parents[1]
SEED_PROTOCOL = ROOT / "protocols" / "severance_2011.care"
SEED_COHORT = ROOT / "cohorts" / "severance_2011.yaml"
AS_OF = dt.date(2026, 1, 1)


# Fuzzing profiles (docs/limits.md#fuzzing). The tests under tests/fuzz run `fuzz-short` (a few dozen inputs each,
# derandomised, so the default run stays quick and reproducible) unless `--hypothesis-profile` names another:
# `pytest tests/fuzz --hypothesis-profile=fuzz-nightly` runs thousands each, a fresh random draw every night. The
# nightly deadline is the bound carepath holds: no input keeps it busy for a second. The default run, on machines
# shared with other work, allows five (a hang, such as the minutes an alias bomb took, still fails it).
_FUZZ_HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile("fuzz-short", max_examples=30, deadline=5000, derandomize=True, suppress_health_check=_FUZZ_HEALTH,
                          print_blob=True)
settings.register_profile("fuzz-nightly", max_examples=5000, deadline=1000, suppress_health_check=_FUZZ_HEALTH, print_blob=True)


def pytest_configure(config: pytest.Config) -> None:
    """The fuzz tests read the profile chosen on the command line from here when they are collected."""
    chosen = config.getoption("hypothesis_profile", default=None)
    os.environ["CAREPATH_FUZZ_PROFILE"] = chosen if chosen and str(chosen).startswith("fuzz-") else "fuzz-short"


def pytest_addoption(parser: pytest.Parser) -> None:
    """Goldens change only when someone asks for it; a mismatch otherwise fails with a diff."""
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite tests/golden/expected/ from the current output instead of comparing against it",
    )


@pytest.fixture(scope="session")
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def as_of() -> dt.date:
    """Every evaluation in the suite uses this date, so no result depends on the clock."""
    return AS_OF


@pytest.fixture(scope="session")
def seed() -> CompiledProtocol:
    """The seed protocol, compiled once per session (compiled protocols are immutable)."""
    return carepath.load_protocol(SEED_PROTOCOL)


@pytest.fixture(scope="session")
def compile_text() -> Callable[[str], CompiledProtocol]:
    """Compile protocol text given inline; raises `carepath.ProtocolError` like `load_protocol`."""

    def compile_(text: str) -> CompiledProtocol:
        return carepath.compile_source(Source("test.care", text))

    return compile_
