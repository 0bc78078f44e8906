"""The grammar travels with the package: found from a wheel and from an editable install."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import carepath.language.parser

ROOT = Path(__file__).resolve().parents[1]


def test_an_editable_or_source_install_finds_the_grammar() -> None:
    path = carepath.language.parser.grammar_path()
    assert path.read_text(encoding="utf-8") == (ROOT / "grammar" / "carepath.lark").read_text(encoding="utf-8")


def test_a_wheel_carries_the_grammar_and_works_from_it(tmp_path: Path) -> None:
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist"), str(ROOT)],
                           capture_output=True, text=True, check=False)
    assert build.returncode == 0, build.stderr
    wheel = next((tmp_path / "dist").glob("carepath-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert "carepath/grammar/carepath.lark" in names
    assert "carepath/cli.py" in names
    assert "carepath/render/templates/report.html.j2" in names  # the HTML report's template, as package data
    target = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]); import carepath, carepath.language.parser;"
        "print(carepath.language.parser.grammar_path());"
        "carepath.load_protocol(sys.argv[2])"
    )
    completed = subprocess.run([sys.executable, "-c", probe, str(target), str(ROOT / "protocols" / "severance_2011.care")],
                               capture_output=True, text=True, check=False, cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == str(target / "carepath" / "grammar" / "carepath.lark")
