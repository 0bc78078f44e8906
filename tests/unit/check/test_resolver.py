"""The checker's `Resolver`, used on its own: declared names become IR nodes, problems become diagnostics, and the
check package's family modules reach it through public names only."""

from __future__ import annotations

import ast
from fractions import Fraction
from pathlib import Path

from carepath.check.inputs import declare_input
from carepath.check.parameters import declare_parameter
from carepath.check.resolver import Resolver, rational
from carepath.ir import program as p
from carepath.language import nodes as n
from carepath.language.parser import parse_text
from carepath.semantics.types import BOOLEAN, Kind

CHECK = Path(__file__).resolve().parents[3] / "src" / "carepath" / "check"

PROTOCOL = """protocol p
input
  wbc : quantity /uL
  flag : boolean
  s : series of boolean relative to start
  start : date
parameter limit: 50 10*9/L
criterion c: flag
"""


def declared() -> tuple[Resolver, n.Protocol]:
    protocol = parse_text(PROTOCOL)
    resolver = Resolver()
    for decl in protocol.inputs:
        declare_input(resolver, decl)
    for definition in protocol.definitions:
        if isinstance(definition, n.Parameter):
            declare_parameter(resolver, definition)
    return resolver, protocol


def condition_of(text: str) -> n.Expr:
    """The condition of `criterion x: TEXT`, parsed on its own."""
    parsed = parse_text("protocol q\ninput\n  unused : boolean\ncriterion x: " + text + "\n")
    definition = parsed.definitions[0]
    assert isinstance(definition, n.Criterion)
    return definition.condition


def test_inputs_and_parameters_are_declared_into_it() -> None:
    resolver, _ = declared()
    assert [(i.name, i.slot) for i in resolver.inputs.values()] == [("wbc", 0), ("flag", 1), ("s", 2), ("start", 3)]
    assert list(resolver.parameters) == ["limit"]
    assert resolver.diagnostics == []


def test_a_comparison_converts_the_parameter_into_the_inputs_unit() -> None:
    resolver, _ = declared()
    node = resolver.condition(condition_of("wbc > limit"))
    assert isinstance(node, p.Compare)
    assert node.op is p.Comparator.GT
    assert isinstance(node.left, p.InputRef) and node.left.input.name == "wbc"
    assert isinstance(node.right, p.Const) and node.right.value == 50_000  # 10⁹/L is 1,000 /µL (a litre is 10⁶ µL), so 50 × 10⁹/L is 50,000 /µL
    assert resolver.diagnostics == []


def test_an_unknown_name_is_a_located_diagnostic_with_a_hint() -> None:
    resolver, _ = declared()
    resolver.condition(condition_of("flg"))
    (diagnostic,) = resolver.diagnostics
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.column) == ("CP201", 4, 14)
    assert diagnostic.hint is not None and "flag" in diagnostic.hint


def test_a_definition_read_is_recorded_as_a_dependency() -> None:
    resolver, _ = declared()
    resolver.definitions["c"] = parse_text(PROTOCOL).definitions[1]
    resolver.def_slots["c"] = 4
    resolver.def_types["c"] = BOOLEAN
    resolver.current, resolver.dependencies["x"] = "x", set()
    node = resolver.condition(condition_of("c and flag"))
    assert isinstance(node, p.Logic) and isinstance(node.operands[0], p.DefRef) and node.operands[0].slot == 4
    assert resolver.dependencies == {"x": {"c"}}


def test_a_series_is_read_only_inside_an_event() -> None:
    resolver, _ = declared()
    outside = resolver.condition(condition_of("s"))
    assert isinstance(outside, p.Const) and [d.code for d in resolver.diagnostics] == ["CP301"]
    resolver.in_event = True
    inside = resolver.condition(condition_of("s"))
    assert isinstance(inside, p.SeriesAt) and inside.input.name == "s"
    assert inside.input.type.kind is Kind.SERIES


def test_rational_reads_a_float_back_as_its_decimal() -> None:
    assert rational(0.1) == Fraction(1, 10)
    assert rational(3) == Fraction(3)


def test_no_check_module_imports_another_modules_private_names() -> None:
    for path in sorted(CHECK.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("carepath"):
                private = [alias.name for alias in node.names if alias.name.startswith("_")]
                assert private == [], f"{path.name} imports {private} from {node.module}"
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in ("resolver", "r", "checker"):
                assert not node.attr.startswith("_"), f"{path.name} reaches into {node.value.id}.{node.attr}"
