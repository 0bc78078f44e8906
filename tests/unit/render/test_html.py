"""The HTML report: self-contained (nothing fetched), every patient and deviation in it, and every value from
a record or a protocol escaped (autoescape on), however hostile."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import carepath
from carepath.outcomes.audit import audit
from carepath.outcomes.groups import assign, group_order
from carepath.outcomes.survival import EndpointKind, survival
from carepath.render.html import Outcomes, render
from carepath.render.plot import png
from carepath.runtime.engine import evaluate_all

ROOT = Path(__file__).resolve().parents[3]
AS_OF = dt.date(2011, 2, 28)
SEED = carepath.load_protocol(ROOT / "protocols" / "severance_2011.care")


def _report(records: list[carepath.PatientRecord | carepath.InvalidRecord], by: str | None = "risk_group") -> str:
    members = assign(SEED, records, AS_OF, by)
    estimates = survival(members, EndpointKind.EFS, by, group_order(SEED, by, [m.group for m in members]))
    outcomes = Outcomes(estimates, png(estimates, "EFS"), ("3 years", 36.0)) if estimates.overall.size else None
    return render(SEED, evaluate_all(SEED, records, AS_OF, trace=True), audit(SEED, records, AS_OF), outcomes, ["records.yaml"])


def test_the_seed_report_holds_everything_and_fetches_nothing() -> None:
    html = _report(carepath.load_records(SEED, [ROOT / "cohorts" / "severance_2011.yaml"]))
    assert html.count('<section class="patient"') == 9
    assert SEED.checked.sha256 in html and "Lee KA et al. Clin Pediatr Hematol Oncol 2011;18:86-91" in html
    assert "57.1 ± 18.7 %" in html and 'src="data:image/png;base64,' in html
    assert "recommendation not followed" in html and "economic" in html
    assert "protocols/severance_2011.care:29" in html  # a criterion's file:line in the why / why-not tree
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", html)  # no network: every resource inline
    assert "default-src 'none'" in html and "@media print" in html and "max-width: 600px" in html


def test_hostile_ids_and_values_are_escaped() -> None:
    hostile = '<script>alert("x")</script>'
    text = (f"- id: '{hostile}'\n  mll: germline\n  age_at_diagnosis: 8 months\n  wbc_at_diagnosis: 1000 /uL\n"
            f"  follow_up: {{transplant: {{done: false, reason: '<img src=x onerror=alert(1)>'}}}}\n"
            "- id: '\" onmouseover=\"alert(2)'\n  mll: '<b>bold</b>'\n")
    html = _report(carepath.records_from_text(SEED, text, "hostile.yaml"), None)
    assert hostile not in html and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "<img src=x" not in html and "<b>bold</b>" not in html
    assert '" onmouseover="alert(2)' not in html
    assert html.count("<script>") == 1  # the report's own script alone
