"""Data flows one way (text → tree → AST → checked program → closures → decisions → renderers → CLI), and
the third-party libraries stay at the edges: each module imports only what its layer may."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "carepath"

# module → the carepath modules it may import (besides the standard library)
ALLOWED: dict[str, set[str]] = {
    "_version": set(),
    "source": set(),
    "diagnostics": {"source"},
    "nodes": {"source"},
    "parser": {"source", "diagnostics", "nodes"},
    "units": {"diagnostics"},
    "types": {"units"},
    "values": set(),
    "program": {"source", "nodes", "types", "units"},
    "builtins": {"types", "units"},
    "checker": {"builtins", "checker_clinical", "checker_parameters", "source", "diagnostics", "nodes", "program", "types", "units",
                "values"},
    "checker_parameters": {"checker", "diagnostics", "nodes", "program", "types", "units"},
    "checker_clinical": {"checker", "checker_parameters", "diagnostics", "nodes", "program", "types", "units"},
    "clinical": {"builtins", "program", "trace", "types", "units", "values"},
    "trace": {"source", "values"},
    "needs": {"program", "values"},
    "batch": {"program", "nodes", "types", "values"},
    "compiler": {"clinical", "program", "nodes", "types", "units", "values", "trace", "needs", "batch"},
    "records": {"diagnostics", "program", "records_series", "types", "units", "values", "trace"},
    "records_series": {"program", "records", "trace", "types", "units", "values"},
    "engine": {"_version", "compiler", "records", "trace", "values"},
    "compare": {"compiler", "engine", "records", "trace"},
    "analysis": {"compiler", "diagnostics", "engine", "needs", "nodes", "program", "records", "source", "types", "units", "values"},
    "render.json": {"engine", "trace", "values"},
    "render.words": {"engine", "trace"},
    "render.compare": {"compare", "engine", "render.json", "render.words", "trace"},
    "render.terminal": {"engine", "render.words", "trace"},
    "cli": {"_version", "checker", "compiler", "diagnostics", "engine", "parser", "render", "render.json", "render.terminal",
            "source", "records", "", "compare", "render.compare", "analysis", "lsp", "formatter", "featurerun", "render.coverage", "nodes"},
    "formatter": {"diagnostics", "nodes", "parser", "source"},
    "bdd": {"", "compare", "engine", "render", "render.json", "trace"},  # "" is the public API in carepath/__init__.py
    "coverage": {"compiler", "engine", "nodes", "program", "trace", "types"},
    "featurerun": {"bdd", "compiler", "coverage", "engine"},  # runs feature files with pytest for `carepath test`
    "render.coverage": {"coverage"},
    "lexer": set(),  # Pygments only: highlighting needs nothing else from carepath
    "lsp": {"_version", "analysis", "builtins", "checker", "compiler", "diagnostics", "nodes", "parser", "source"},
}
# third-party library → the only modules that may import it
EDGES = {"lark": {"parser"}, "yaml": {"records"}, "rich": {"render.terminal", "render.compare", "render.coverage"}, "pint": {"units"},
         "pytest": {"bdd", "featurerun"}, "pytest_bdd": {"bdd", "featurerun"}, "pygments": {"lexer"}, "pygls": {"lsp"}, "lsprotocol": {"lsp"}}


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE).with_suffix("").parts)


def _module_or_api(dotted: str) -> str:
    """A submodule's name, or "" for a name taken from the package's public API (`carepath/__init__.py`)."""
    candidate = PACKAGE.joinpath(*dotted.split("."))
    return dotted if candidate.with_suffix(".py").is_file() or candidate.is_dir() else ""


def imports_of(path: Path) -> tuple[set[str], set[str]]:
    """(carepath modules, third-party top-level packages) that a module imports, at any depth in the file."""
    own: set[str] = set()
    foreign: set[str] = set()
    package = module_name(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)] if package else []
                prefix = ".".join(p for p in [*base, node.module or ""] if p)
                if node.module is None:
                    own.update(_module_or_api(f"{prefix}.{a.name}".strip(".")) for a in node.names)
                else:
                    own.add(prefix)
            elif node.module and node.module.split(".")[0] == "carepath":
                rest = node.module.split(".", 1)[1] if "." in node.module else ""
                own.update([rest] if rest else [_module_or_api(a.name) for a in node.names])
            elif node.module:
                foreign.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                top = alias.name.split(".")[0]
                if top != "carepath":
                    foreign.add(top)
    return own, foreign


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py")


def test_every_module_has_a_place_in_the_layers() -> None:
    assert {module_name(p) for p in MODULES} == set(ALLOWED)


@pytest.mark.parametrize("path", MODULES, ids=module_name)
def test_imports_follow_the_pipeline(path: Path) -> None:
    name = module_name(path)
    own, foreign = imports_of(path)
    assert own <= ALLOWED[name], f"{name} imports {sorted(own - ALLOWED[name])}, outside its layer"
    for library, owners in EDGES.items():
        if library in foreign:
            assert name in owners, f"{name} imports {library}, which belongs to {sorted(owners)}"
