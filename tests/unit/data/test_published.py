"""A records file's `published:` section: figures as printed, with their precision, and every fault named."""

from __future__ import annotations

from pathlib import Path

import pytest

from carepath.data.published import Printed, PublishedError, load_published

ROOT = Path(__file__).resolve().parents[3]


def test_the_seed_cohort_holds_the_papers_figures() -> None:
    published = load_published([ROOT / "cohorts" / "severance_2011.yaml"])
    assert published is not None and published.source == "Lee 2011" and len(published.figures) == 5
    transplanted = next(f for f in published.figures if f.by == "follow_up.transplant")
    assert transplanted.survival is not None and (transplanted.survival.value, transplanted.survival.decimals) == (60.0, 0)
    assert transplanted.se is not None and transplanted.se.text == "21.9" and transplanted.note is not None
    (logrank,) = [f for f in published.figures if f.p is not None]
    assert logrank.printed == "P = 0.021" and logrank.group is None


def test_printed_numbers_match_to_their_decimals() -> None:
    assert Printed.parse("57.1").matches(0.5714285 * 100)
    assert not Printed.parse("60").matches(66.67)
    assert Printed.parse("0.046").matches(0.046242) and not Printed.parse("0.021").matches(0.046242)
    with pytest.raises(PublishedError):
        Printed.parse("about 60")


def test_files_without_the_section_and_bad_sections(tmp_path: Path) -> None:
    assert load_published([ROOT / "cohorts" / "infant_examples.yaml", tmp_path]) is None
    bad = tmp_path / "bad.yaml"
    bad.write_text("patients: []\npublished: {figures: [{printed: '60 %'}]}\n", encoding="utf-8")
    with pytest.raises(PublishedError, match="not written as 'S ± SE %'"):
        load_published([bad])
    bad.write_text("patients: []\npublished: {figures: [{printd: '60 ± 2 %'}]}\n", encoding="utf-8")
    with pytest.raises(PublishedError, match="no entry 'printd'"):
        load_published([bad])
    bad.write_text("patients: []\npublished: [1]\n", encoding="utf-8")
    with pytest.raises(PublishedError, match="'figures:' list"):
        load_published([bad])
