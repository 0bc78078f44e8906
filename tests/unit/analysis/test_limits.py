"""CP309: a site's override that makes a dose exceed a limit the protocol's own values keep to, with a patient."""

from __future__ import annotations

from pathlib import Path

from carepath.analysis.pipeline import check_source
from carepath.language.source import Source

ROOT = Path(__file__).resolve().parents[3]
CONDITIONING = Source.from_path(ROOT / "protocols" / "hsct_conditioning.care")


def test_an_override_above_the_label_is_warned_at_the_limit_with_a_counterexample() -> None:
    report = check_source(CONDITIONING, {"busulfan_per_dose_light": "1.3 mg/kg"})
    found = [f for f in report.findings if f.diagnostic.code == "CP309"]
    assert len(found) == 2  # the label's per-dose and per-course limits at 12 kg or less
    first = found[0]
    assert "busulfan_per_dose_light = 1.3 mg/kg (protocol: 0.9 mg/kg)" in first.diagnostic.message
    assert "18.2 % above its limit 1.1 mg/kg * weight per dose when weight <= 12 kg" in first.diagnostic.message
    assert first.record is not None and first.record.startswith("- id: counterexample\n  weight: ")
    weight = float(first.record.split("weight: ")[1].split(" kg")[0])
    assert weight <= 12  # the counterexample is a patient the limit applies to
    assert report.compiled is not None  # a warning: the protocol still runs


def test_no_warning_when_the_override_stays_within_the_limits() -> None:
    report = check_source(CONDITIONING, {"busulfan_per_dose_light": "1.1 mg/kg", "busulfan_per_dose_heavy": "0.8 mg/kg"})
    assert not [f for f in report.findings if f.diagnostic.code == "CP309"]


def test_a_limit_the_protocols_own_values_exceed_is_not_reported_again() -> None:
    # the seed's 1.1 mg/kg above 12 kg already exceeds the label; overriding the lighter band within it adds nothing
    report = check_source(CONDITIONING, {"busulfan_per_dose_light": "1 mg/kg"})
    assert not [f for f in report.findings if f.diagnostic.code == "CP309"]
    assert not [f for f in check_source(CONDITIONING).findings if f.diagnostic.code == "CP309"]
