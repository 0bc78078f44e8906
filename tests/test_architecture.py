"""The house rules, checked: data flows one way through the stage packages (import-linter contracts in
pyproject.toml), no import cycles, third-party libraries at the edges, public names only across packages,
and no module past the size a reader can hold."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "carepath"
MODULES = sorted(PACKAGE.rglob("*.py"))
LONGEST = 500  # lines; split a module by family when it grows past this


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _stage(module: str) -> str:
    """The stage package a module belongs to: `carepath.check` for `carepath.check.checker`."""
    return ".".join(module.split(".")[:2])


def test_import_contracts_hold(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(ROOT)
    status = lint_imports(no_cache=True, no_logo=True)
    report = capsys.readouterr().out
    assert status == 0, report
    assert "0 broken" in report.replace("Contracts: ", "") or "broken" not in report.split("Contracts:")[-1], report


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_only_public_names_cross_a_package(path: Path) -> None:
    here = _stage(_name(path))
    crossings = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("carepath") and _stage(node.module) != here:
            crossings += [f"{node.module}.{alias.name}" for alias in node.names if alias.name.startswith("_") and alias.name != "__version__"]
    assert not crossings, f"{_name(path)} reaches into another package's private names: {crossings}"


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_no_module_past_the_limit(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= LONGEST, f"{_name(path)} has {lines} lines; split it by family"


def test_every_stage_package_says_what_it_holds() -> None:
    for package in sorted(p for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()):
        doc = ast.get_docstring(ast.parse((package / "__init__.py").read_text(encoding="utf-8")))
        assert doc and len(doc) > 40, f"carepath.{package.name} needs a docstring saying what it takes and gives"


def _test_file(path: Path) -> Path:
    """Where a module's unit tests live: `tests/unit/<stage package>/test_<module>.py` (top-level modules in tests/unit)."""
    parts = path.relative_to(PACKAGE).parts
    folder = ROOT / "tests" / "unit" / (parts[0] if len(parts) > 1 else "")
    return folder / f"test_{path.stem}.py"


@pytest.mark.parametrize("path", [m for m in MODULES if m.name not in ("__init__.py", "_version.py")], ids=_name)
def test_every_module_has_its_unit_tests(path: Path) -> None:
    expected = _test_file(path)
    assert expected.is_file(), f"{_name(path)} has no unit tests at {expected.relative_to(ROOT)}"
    assert "def test_" in expected.read_text(encoding="utf-8")
