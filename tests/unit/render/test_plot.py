"""The survival plot: a PNG, one curve per group, drawn without a display."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import carepath
from carepath.outcomes.groups import assign, group_order
from carepath.outcomes.survival import EndpointKind, survival
from carepath.render.plot import png

ROOT = Path(__file__).resolve().parents[3]


def test_a_png_with_the_curves() -> None:
    seed = carepath.load_protocol(ROOT / "protocols" / "severance_2011.care")
    members = assign(seed, carepath.load_records(seed, [ROOT / "cohorts" / "severance_2011.yaml"]), dt.date(2011, 2, 28), "risk_group")
    data = png(survival(members, EndpointKind.EFS, "risk_group", group_order(seed, "risk_group", [m.group for m in members])), "EFS")
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000
    ungrouped = png(survival(assign(seed, [], dt.date(2011, 2, 28), None), EndpointKind.OS, None, []), "nobody")
    assert ungrouped.startswith(b"\x89PNG")
