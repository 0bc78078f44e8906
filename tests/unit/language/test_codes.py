"""The diagnostic registry: each code once, refused when unregistered, and each shown by a source that reports it."""

from __future__ import annotations

import pytest

from carepath.analysis.pipeline import check_source
from carepath.language.codes import CODES, DOCS_PAGE, Severity, lookup
from carepath.language.diagnostics import Diagnostic
from carepath.language.source import Source, Span

WBC = "  wbc : quantity /uL plausible 100 /uL .. 2000000 /uL\n"

# code → (protocol text, every (code, line, column) `carepath check` reports on it, in its order). Columns are
# counted by hand from the text: 1-based, in code points.
CASES: dict[str, tuple[str, list[tuple[str, int, int]]]] = {
    # the second `>=`
    "CP101": ("protocol p\ninput\n  wbc : quantity /uL\ncriterion c: wbc >= >= 5 /uL\n", [("CP101", 4, 21)]),
    # the single quote
    "CP102": ("protocol p\ninput\n  mll : one of germline, translocation\ncriterion c: mll = 'germline'\n", [("CP102", 4, 20)]),
    # the last token before the end, `>=`
    "CP103": ("protocol p\ninput\n  wbc : quantity /uL\ncriterion c: wbc >=\n", [("CP103", 4, 18)]),
    "CP104": ("protocol large\n" + "#" * 1_000_001 + "\n", [("CP104", 1, 1)]),
    # `criterion c: ` is 13 columns and 200 `not ` are 800 more: `flag`, the innermost operand, is at column 814
    "CP105": ("protocol deep\ninput\n  flag : boolean\ncriterion c: " + "not " * 200 + "flag\n", [("CP105", 4, 814)]),
    # the limits (docs/limits.md): each at the place the parser or checker stops
    "CP106": ("protocol p\n# \ud800\n", [("CP106", 2, 3)]),
    # the 20,001st token: `criterion c:` and what comes before are 9, then `flag and` pairs; the `and` of the 9,996th
    "CP107": ("protocol p\ninput\n  flag : boolean\ncriterion c: " + "flag and " * 10_000 + "flag\n", [("CP107", 4, 14 + 9_995 * 9 + 5)]),
    "CP108": ("protocol p\ninput\n" + WBC + "criterion c: wbc > " + "9" * 41 + " /uL\n", [("CP108", 4, 20)]),
    "CP109": ("protocol p\ninput\n" + WBC + "criterion c: wbc > 1000000000000001 /uL\n", [("CP109", 4, 20)]),
    # the unit `10*31/L`
    "CP110": ("protocol p\ninput\n" + WBC + "criterion c: wbc > 1 10*31/L\n", [("CP110", 4, 22)]),
    "CP111": ("protocol p\ninput\n  age : duration\ncriterion c: age < 201 years\n", [("CP111", 4, 20)]),
    # `on days 1 to 2001`
    "CP112": ("protocol p\ninput\n" + WBC + "dose d in mg: 1 mg given daily on days 1 to 2001\n", [("CP112", 4, 32)]),
    "CP113": ("protocol p\ninput\n  flag : boolean\ncriterion c: " + " and ".join(["flag"] * 257) + "\n", [("CP113", 4, 14)]),
    # the enumeration type after `e : `
    "CP114": ("protocol p\ninput\n  e : one of " + ", ".join(f"m{i}" for i in range(257)) + "\n", [("CP114", 3, 7)]),
    # the last of 1,001 criteria
    "CP115": ("protocol p\ninput\n  flag : boolean\n" + "".join(f"criterion c{i}: flag\n" for i in range(1_001)), [("CP115", 1_004, 1)]),
    # the misspelt `high_wbcc` after `recommend review: when `
    "CP201": ("protocol p\ninput\n  wbc : quantity /uL\ncriterion high_wbc: wbc >= 50000 /uL\nrecommend review: when high_wbcc\n",
              [("CP201", 5, 24)]),
    "CP202": ("protocol p\ninput\n  mll : one of germline, translocation\ncriterion mll: mll = translocation\n", [("CP202", 4, 11)]),
    "CP203": ("protocol p\ninput\n  mll : one of germline, translocation\ncriterion c: mll = transloc\n", [("CP203", 4, 20)]),
    # the second `germline`
    "CP204": ("protocol p\ninput\n  mll : one of germline, translocation, germline\n", [("CP204", 3, 41)]),
    # the comparison, which starts at `wbc`
    "CP301": ("protocol p\ninput\n  wbc : quantity /uL\ncriterion c: wbc >= 50000\n", [("CP301", 4, 14)]),
    # the quantity `50 kg`
    "CP302": ("protocol p\ninput\n  wbc : quantity /uL\ncriterion c: wbc >= 50 kg\n", [("CP302", 4, 21)]),
    "CP303": ("protocol p\ninput\n  wbc : quantity /uL\ncriterion c: wbc >= 50 10*9/LL\n", [("CP303", 4, 21)]),
    "CP304": ("protocol p\ninput\n  mll : one of germline, translocation\ncriterion c: mll > germline\n", [("CP304", 4, 14)]),
    "CP305": ("protocol p\ninput\n  wbc : quantity /uL\nrecommend review: when wbc\n", [("CP305", 4, 24)]),
    # `5.5`
    "CP306": ("protocol p\ninput\n  age : duration\ncriterion young: age < 5.5 months\n", [("CP306", 4, 24)]),
    # the type `quantity months`
    "CP307": ("protocol p\ninput\n  age : quantity months\n", [("CP307", 3, 9)]),
    # the bare bound `100`
    "CP308": ("protocol p\ninput\n  wbc : quantity /uL plausible 100 .. 2000000 /uL\n", [("CP308", 3, 32)]),
    "CP309": ("protocol p\ninput\n  w : quantity kg plausible 2 kg .. 150 kg\nparameter per_kg: 1 mg/kg\n"
              "dose d in mg:\n  per_kg * w\n  limit 2 mg/kg * w per dose cites \"label\"\n", [("CP309", 7, 3)]),
    "CP310": ("protocol p\ninput\n  w : quantity kg\ndose d in mg:\n  1 mg\n  limit 2 mg per day cites \"label\"\n",
              [("CP310", 6, 3)]),
    "CP311": ("protocol p\ninput\n  w : quantity kg\nrecommend r:\n  when w > 3 kg\n  due within 6 months of w\n",
              [("CP311", 6, 26)]),
    "CP401": ("protocol p\ninput\n  flag : boolean\ncriterion chicken: egg and flag\ncriterion egg: chicken\n", [("CP401", 4, 11)]),
    # the last branch; arithmetic keeps the analysis to samples, so nothing proves the classification complete
    "CP402": ("protocol p\ninput\n" + WBC + "classify band:\n  high when wbc * 2 >= 100000 /uL\n  low when wbc * 2 < 100000 /uL\n",
              [("CP402", 6, 3)]),
    "CP403": ("protocol p\ninput\n  wbc : quantity /uL\nclassify band:\n  low otherwise\n  high when wbc >= 50000 /uL\n", [("CP403", 6, 3)]),
    # the second `high`
    "CP404": ("protocol p\ninput\n  wbc : quantity /uL\n  flag : boolean\nclassify band:\n  high when wbc >= 50000 /uL\n  high when flag\n"
              "  low otherwise\n", [("CP404", 7, 3)]),
    # `plausible`
    "CP405": ("protocol p\ninput\n  wbc : quantity /uL plausible 2000000 /uL .. 100 /uL\n", [("CP405", 3, 22)]),
    "CP406": ("protocol p\ninput\n  birth : date\n  age : duration from birth to diagnosis\n", [("CP406", 4, 3)]),
    # the classification's name, then CP402 on its last branch: a WBC from 20,000 to 49,999 fits neither
    "CP407": ("protocol p\ninput\n" + WBC + "classify band:\n  high when wbc >= 50000 /uL\n  low when wbc < 20000 /uL\n",
              [("CP407", 4, 10), ("CP402", 6, 3)]),
    "CP408": ("protocol p\ninput\n" + WBC + "classify band:\n  high when wbc >= 50000 /uL\n  very_high when wbc >= 100000 /uL\n  low otherwise\n",
              [("CP408", 6, 3)]),
    # the condition after `criterion extreme: `
    "CP409": ("protocol p\ninput\n" + WBC + "criterion extreme: wbc > 100000 /uL and wbc < 1000 /uL\nrecommend review: when extreme\n",
              [("CP409", 4, 20)]),
    "CP410": ("protocol p\ninput\n" + WBC + "  flag : boolean\nrecommend review: when wbc >= 50000 /uL\n", [("CP410", 4, 3)]),
    "CP411": ("protocol p\ninput\n" + WBC + "criterion high: wbc >= 50000 /uL\ncriterion low: wbc < 1000 /uL\nrecommend review: when high\n",
              [("CP411", 5, 11)]),
    "CP412": ("protocol p\ninput\n" + WBC + "parameter threshold: 50000 /uL\nrecommend review: when wbc >= 50000 /uL\n", [("CP412", 4, 11)]),
    # the comparison: 5,000,000 /µL lies above the plausible range
    "CP413": ("protocol p\ninput\n" + WBC + "recommend review: when wbc >= 5000000 /uL\n", [("CP413", 4, 24)]),
    # c128 reads c127 … c0, one level each: 129 levels
    "CP440": ("protocol p\ninput\n  flag : boolean\ncriterion c0: flag\n" + "".join(f"criterion c{i}: c{i - 1}\n" for i in range(1, 130))
              + "recommend r: when c129\n", [("CP440", 132, 11)]),
}


#: Codes only a site's parameter values can raise, with those values.
PARAMETERS = {"CP309": {"per_kg": "3 mg/kg"}}


def test_every_registered_code_has_a_case() -> None:
    # record errors (CP5xx) come from records, not protocol text: their cases are in tests/unit/data/test_errors.py
    # data maps (CP8xx) are checked against their data: their cases are in tests/unit/data/test_maps.py
    # the SQL back end (CP9xx) refuses what `check` accepts: its cases are in tests/unit/compile/test_sql.py
    assert sorted(CASES) == sorted(code for code in CODES if not code.startswith(("CP5", "CP8", "CP9")))


@pytest.mark.parametrize("code", sorted(CASES))
def test_each_code_is_reported_where_its_case_says(code: str) -> None:
    text, expected = CASES[code]
    report = check_source(Source("case.care", text), PARAMETERS.get(code))
    assert [(d.code, d.span.line, d.span.column) for d in report.diagnostics] == expected
    for diagnostic in report.diagnostics:
        assert diagnostic.severity is CODES[diagnostic.code].severity


def test_codes_are_keyed_by_themselves_in_family_order() -> None:
    assert all(key == entry.code for key, entry in CODES.items())
    assert list(CODES) == sorted(CODES)
    assert [c for c in CODES if c.startswith("CP1")] == ["CP101", "CP102", "CP103", "CP104", "CP105", *(f"CP{n}" for n in range(106, 116))]


def test_a_code_links_to_its_section_of_the_diagnostics_page() -> None:
    assert lookup("CP407").docs == f"{DOCS_PAGE}#cp407-incomplete-with-a-counterexample-patient"
    assert lookup("CP402").severity is Severity.WARNING


def test_an_unregistered_code_is_refused() -> None:
    with pytest.raises(ValueError, match="'CP999' is not registered"):
        Diagnostic("CP999", Severity.ERROR, "no such problem", Span.point(1, 1))
    with pytest.raises(ValueError, match="'CP999' is not registered"):
        lookup("CP999")
