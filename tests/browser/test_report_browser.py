"""The HTML report in a real browser (Debian's Chromium, driven by Playwright): what an auditor sees — every
patient, filtering and sorting that work, the plot drawn, no console errors — at desktop and phone width, with
screenshots kept in pytest's tmp_path. Skipped, saying how to install the browser, where there is none."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from carepath.cli import main

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run"]

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None,
                                reason=f"no browser at {CHROMIUM}: apt-get install -y chromium")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # The files sit under a long directory, as on a build machine: the paths shown in the report must wrap, not widen the page.
    deep = tmp_path_factory.mktemp("report") / "a-long-directory-name-as-build-machines-make-them" / "another-level-of-it"
    deep.mkdir(parents=True)
    for source in (ROOT / "protocols" / "severance_2011.care", ROOT / "cohorts" / "severance_2011.yaml"):
        shutil.copy(source, deep / source.name)
    path = deep / "report.html"
    code = main(["report", str(deep / "severance_2011.care"), str(deep / "severance_2011.yaml"), "-o", str(path),
                 "--at", "3 years", "--as-of", "2011-02-28"])
    assert code == 0
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def _open(browser: Any, report: Path, width: int, height: int) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport={"width": width, "height": height})
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", lambda request: problems.append(f"network: {request.url}") if not request.url.startswith(("file:", "data:")) else None)
    page.goto(report.as_uri())
    return page, problems


def test_every_patient_the_plot_and_no_errors(browser: Any, report: Path, tmp_path: Path) -> None:
    page, problems = _open(browser, report, 1200, 900)
    assert page.locator("#decision-table tbody tr").count() == 9
    for patient in range(1, 10):
        assert page.locator(f'section.patient[data-patient="{patient}"]').is_visible()
    plot = page.locator("#plot")
    plot.scroll_into_view_if_needed()
    assert plot.is_visible() and page.evaluate("document.getElementById('plot').naturalWidth") > 300
    assert page.locator("#deviation-table").get_by_text("recommendation not followed").is_visible()
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    assert (tmp_path / "report.png").stat().st_size > 10_000
    assert problems == []


def test_filtering_and_sorting(browser: Any, report: Path) -> None:
    page, problems = _open(browser, report, 1200, 900)
    page.fill("#filter", "standard")
    visible = page.locator("#decision-table tbody tr:visible td:first-child")
    assert visible.all_text_contents() == ["2", "3"]
    assert page.locator("#shown").text_content() == "2 of 9 shown"
    page.fill("#filter", "")
    assert page.locator("#decision-table tbody tr:visible").count() == 9
    page.click("#decision-table th[data-column='0']")
    page.click("#decision-table th[data-column='0']")  # descending
    assert page.locator("#decision-table tbody tr td:first-child").all_text_contents()[0] == "9"
    assert problems == []


@pytest.mark.parametrize("width", [390, 320])
def test_a_phone_width_fits(browser: Any, report: Path, tmp_path: Path, width: int) -> None:
    page, problems = _open(browser, report, width, 844)
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # wide tables scroll inside their box
    page.add_style_tag(content="* { letter-spacing: 3px !important; } body { font-size: 22px !important; }")  # wider fonts than this machine's
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(tmp_path / "phone.png"))
    page.emulate_media(media="print")
    assert not page.locator("#filter").is_visible()
    assert problems == []
