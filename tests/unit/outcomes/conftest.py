"""The seed protocol and cohort, as the outcome and audit tests read them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import carepath
from carepath.compile.compiler import CompiledProtocol
from carepath.data.records import InvalidRecord, PatientRecord

ROOT = Path(__file__).resolve().parents[3]
AS_OF = dt.date(2011, 2, 28)


@pytest.fixture(scope="module")
def seed() -> CompiledProtocol:
    return carepath.load_protocol(ROOT / "protocols" / "severance_2011.care")


@pytest.fixture(scope="module")
def cohort(seed: CompiledProtocol) -> list[PatientRecord | InvalidRecord]:
    return carepath.load_records(seed, [ROOT / "cohorts" / "severance_2011.yaml"])
