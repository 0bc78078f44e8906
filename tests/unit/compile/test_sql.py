"""The SQL back end: what it refuses and where, the SQL it prints for each engine, and the rules it keeps when DuckDB runs
it: a classification held up by an unknown branch, exact numbers, a zero divisor unknown, Kleene's `xor` and `implies`,
and every name and value quoted by the expression tree rather than pasted into text."""

from __future__ import annotations

import ast
import datetime as dt
import itertools
import re
from pathlib import Path
from typing import Any

import pytest
import sqlglot
from sqlglot import exp

from carepath.api import compile_source, load_protocol, records_from_text
from carepath.compile import sql as sql_module
from carepath.compile import sqlcompare, sqlexact
from carepath.compile.compiler import CompiledProtocol
from carepath.compile.sql import Dialect, compile_sql
from carepath.data.columnar import input_table
from carepath.language.diagnostics import ProtocolError
from carepath.language.source import Source
from carepath.runtime.engine import evaluate_batch, valid_rows
from carepath.runtime.sql import evaluate_sql
from carepath.semantics.operators import kleene_implies, kleene_xor

ROOT = Path(__file__).resolve().parents[3]
AS_OF = dt.date(2026, 1, 1)
COMPILES = ("disease_status", "interfant06", "mll10", "mll96_98", "pog9407", "severance_2011")


def compiled(text: str) -> CompiledProtocol:
    return compile_source(Source("t.care", text))


def refusals(text: str) -> list[tuple[str, int, int]]:
    with pytest.raises(ProtocolError) as raised:
        compile_sql(compiled(text).checked)
    return [(d.code, d.span.line, d.span.column) for d in raised.value.diagnostics]


def decided(protocol: CompiledProtocol, records: str) -> list[Any]:
    """Each record's result from DuckDB, after checking that SQL, not the interpreter, decided every valid one, and that the
    interpreter agrees."""
    bound = records_from_text(protocol, records)
    rows, positions, _ = valid_rows(protocol, bound, AS_OF)
    made = input_table([str(bound[i].id) for i in positions], rows, compile_sql(protocol.checked).inputs)
    assert not made.left_out
    results = evaluate_sql(protocol, bound, AS_OF, reasons=True).results()
    assert results == evaluate_batch(protocol, bound, AS_OF, reasons=True).results()
    return list(results)


# ---- what SQL refuses, and where ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("protocol t\ninput\n  weight : quantity kg plausible 1 kg .. 150 kg\ndose d in mg:\n  2 mg/kg * weight\n",
                 [("CP901", 4, 1)], id="dose"),
    pytest.param("protocol t\ninput\n  level : quantity ug/L plausible 0 ug/L .. 1000 ug/L\n"
                 "target t: level within 100 ug/L .. 200 ug/L\n", [("CP901", 4, 1)], id="target"),
    pytest.param("protocol t\ninput\n  anc : series of quantity /uL plausible 0 /uL .. 100000 /uL\n"
                 "event engrafted: first of 3 consecutive days from day 1 where anc >= 500 /uL\n", [("CP901", 4, 1)], id="event"),
    pytest.param("protocol t\ninput\n  anc : series of quantity /uL plausible 0 /uL .. 100000 /uL\nrecommend r: when anc is known\n",
                 [("CP901", 4, 19)], id="series, where it is read"),
    pytest.param("protocol t\ninput\n  weight : quantity kg plausible 1 kg .. 150 kg\nrecommend r: when min(weight, 10 kg) > 5 kg\n",
                 [("CP901", 4, 19)], id="function call"),
    pytest.param("protocol t\ninput\n  a : quantity kg\n  b : quantity kg\nrecommend r: when a * b > 1 kg.kg\n",
                 [("CP902", 5, 19)], id="product of inputs without plausible ranges"),
    pytest.param("protocol t\ninput\n  a : quantity kg\n  b : quantity kg plausible 0 kg .. 10 kg\nrecommend r: when a + b > 1 kg\n",
                 [("CP902", 5, 19)], id="sum past 38 digits"),
    pytest.param("protocol t\ninput\n  a : boolean\nrecommend status: when a\n", [("CP901", 4, 1)], id="decision named status"),
])
def test_a_construct_sql_cannot_hold_is_refused_at_its_place(text: str, expected: list[tuple[str, int, int]]) -> None:
    assert refusals(text) == expected


def test_every_refusal_is_reported_at_once_and_says_what_to_do() -> None:
    text = ("protocol t\ninput\n  a : quantity kg\n  b : quantity kg\n"
            "recommend r: when a * b > 1 kg.kg\nrecommend s: when min(a, b) > 1 kg\n")
    with pytest.raises(ProtocolError) as raised:
        compile_sql(compiled(text).checked)
    first, second = raised.value.diagnostics
    assert (first.code, second.code) == ("CP902", "CP901")
    assert "plausible" in (first.hint or "") and "interpreter" in (second.hint or "")


def test_a_product_of_inputs_with_plausible_ranges_compiles() -> None:
    compile_sql(compiled("protocol t\ninput\n  a : quantity kg plausible 0 kg .. 1000 kg\n  b : quantity kg plausible 0 kg .. 1000 kg\n"
                         "recommend r: when a * b > 1 kg.kg\n").checked)


# ---- the SQL for each engine ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", COMPILES)
@pytest.mark.parametrize("dialect", list(Dialect))
def test_the_sql_parses_back_in_each_dialect(name: str, dialect: Dialect) -> None:
    checked = load_protocol(ROOT / "protocols" / f"{name}.care").checked
    for atoms in (False, True):
        program = compile_sql(checked, atoms=atoms)
        for pretty in (False, True):
            parsed = sqlglot.parse_one(program.sql(dialect, pretty=pretty), read=dialect.value)
            assert isinstance(parsed, exp.Query)
            assert [s.alias_or_name for s in parsed.selects] == ["id", "status", *program.decisions, "needs", *program.atoms]


def test_the_input_table_columns_are_those_the_rules_read() -> None:
    program = compile_sql(load_protocol(ROOT / "protocols" / "severance_2011.care").checked)
    assert [i.name for i in program.inputs] == ["age_at_diagnosis", "wbc_at_diagnosis", "mll"]  # not the two dates
    assert program.decisions == ("risk_group", "hsct_referral")


# ---- the rules DuckDB must keep -------------------------------------------------------------------------------------

BRANCHES = """\
protocol t
input
  wbc : quantity /uL plausible 100 /uL .. 2000000 /uL
  mll : one of germline, translocation
classify risk:
  high when wbc >= 50000 /uL
  rare when mll = translocation
  low  otherwise
"""


def test_an_unknown_first_branch_leaves_the_classification_undetermined_though_a_later_one_holds() -> None:
    """A plain CASE would skip the unknown `wbc >= 50000 /uL` and take `rare`."""
    first, second, third = decided(compiled(BRANCHES), "- {id: a, mll: translocation}\n- {id: b, mll: translocation, wbc: 100 /uL}\n"
                                                        "- {id: c, mll: germline, wbc: 60 10*9/L}\n")
    assert (first.status, first.decisions, first.needs) == ("undetermined", {"risk": None}, ("wbc",))
    assert (second.status, second.decisions, second.needs) == ("ok", {"risk": "rare"}, ())
    assert third.decisions == {"risk": "high"}


def test_without_otherwise_no_branch_applying_is_undetermined_with_nothing_needed() -> None:
    protocol = compiled(BRANCHES.replace("  low  otherwise\n", ""))
    (result,) = decided(protocol, "- {id: a, mll: germline, wbc: 100 /uL}\n")
    assert (result.status, result.decisions, result.needs) == ("undetermined", {"risk": None}, ())


EXACT = """\
protocol t
input
  a   : quantity mg plausible 0 mg .. 10 mg
  b   : quantity mg plausible 0 mg .. 10 mg
  wbc : quantity /uL plausible 100 /uL .. 2000000 /uL
recommend sum_is_three_tenths: when a + b = 0.3 mg
recommend a_third_back: when a / 3 * 3 = a
recommend a_third: when a / 3 = 0.1 mg
recommend hyper: when wbc >= 50000 /uL
recommend giga: when wbc >= 50 10*9/L
"""


@pytest.mark.parametrize(("fields", "expected"), [
    ("a: 0.1 mg, b: 0.2 mg, wbc: 50000 /uL", (True, True, False, True, True)),  # 0.1 + 0.2 is 0.3, not 0.30000000000000004
    ("a: 0.3 mg, b: 0 mg, wbc: 49999.999999999 /uL", (True, True, True, False, False)),
    ("a: 0.000000001 mg, b: 0.299999999 mg, wbc: 50000.000000001 /uL", (True, True, False, True, True)),
    ("a: 10 mg, b: 0.2 mg, wbc: 49.999999999999 10*9/L", (False, True, False, False, False)),
])
def test_numbers_compare_exactly(fields: str, expected: tuple[bool, ...]) -> None:
    (result,) = decided(compiled(EXACT), f"- {{id: p, {fields}}}\n")
    assert tuple(result.decisions.values()) == expected


def test_a_product_past_18_digits_does_not_overflow_on_duckdb() -> None:
    """DuckDB keeps the product of two DECIMALs of 18 digits or fewer in 18 digits: 10^9 × 12.000000001 kg overflowed it."""
    protocol = compiled("protocol t\ninput\n  weight : quantity kg plausible 1 kg .. 200 kg\n"
                        "recommend r: when 1000000000 * weight > 12000000001 kg\nrecommend s: when weight * 1000000000 = 12000000001 kg\n")
    (result,) = decided(protocol, "- {id: p, weight: 12.000000001 kg}\n")
    assert result.decisions == {"r": False, "s": True}


def test_a_quotient_brought_into_the_other_sides_unit_keeps_its_denominator() -> None:
    """`delta / 3` in g, compared with or added to kg, had been read as `delta × 0.001`: its denominator was lost."""
    protocol = compiled("protocol t\ninput\n  weight : quantity kg plausible 1 kg .. 200 kg\n  delta : quantity g plausible -10000 g .. 10000 g\n"
                        "recommend over: when weight > delta / 3\nrecommend inverse: when 2 / delta < 1 / weight\n"
                        "recommend total: when weight + delta / 3 > 2.5 kg\n")
    (result,) = decided(protocol, "- {id: p, weight: 2 kg, delta: 3000 g}\n")
    assert result.decisions == {"over": True, "inverse": False, "total": True}  # 2 > 1 kg; 2/3000 g > 1/2000 g; 3 kg > 2.5 kg


def test_dividing_by_a_zero_reading_is_unknown_not_an_error() -> None:
    protocol = compiled("protocol t\ninput\n  a : quantity mg plausible -10 mg .. 10 mg\n  b : quantity mg plausible -10 mg .. 10 mg\n"
                        "recommend r: when a / b > 1 mg/mg\nrecommend s: when a / b > 1 mg/mg or b = 0 mg\n")
    zero, both, negative, missing = decided(protocol, "- {id: z, a: 1 mg, b: 0 mg}\n- {id: zz, a: 0 mg, b: 0 mg}\n"
                                                      "- {id: n, a: -3 mg, b: -2 mg}\n- {id: m, a: 1 mg}\n")
    assert (zero.status, zero.decisions, zero.needs) == ("undetermined", {"r": None, "s": True}, ())
    assert both.decisions == {"r": None, "s": True}
    assert negative.decisions == {"r": True, "s": True}  # -3 / -2 = 1.5: the signs of a cross product, read right
    assert (missing.decisions, missing.needs) == ({"r": None, "s": None}, ("b",))


KLEENE = """\
protocol t
input
  x : boolean optional
  y : boolean optional
  z : boolean optional
recommend either: when x xor y
recommend three: when x xor y xor z
recommend then: when x implies y
"""
TRUTHS = (True, False, None)


def _truth(name: str, value: bool | None) -> str:
    return "" if value is None else f", {name}: {str(value).lower()}"


def test_xor_and_implies_follow_kleene_on_duckdb() -> None:
    cases = list(itertools.product(TRUTHS, repeat=3))
    text = "".join(f"- {{id: c{i}{_truth('x', x)}{_truth('y', y)}{_truth('z', z)}}}\n" for i, (x, y, z) in enumerate(cases))
    for (x, y, z), result in zip(cases, decided(compiled(KLEENE), text), strict=True):
        assert result.decisions == {"either": kleene_xor([x, y]), "three": kleene_xor([x, y, z]), "then": kleene_implies(x, y)}, (x, y, z)


# ---- quoting ------------------------------------------------------------------------------------------------------

QUOTED = """\
protocol t
input
  note   : text optional
  select : boolean optional
  order  : one of null, table, group
recommend said: when note = "it's"
recommend from_: when select and order = null
classify group:
  null  when order = table
  table otherwise
"""


def test_text_with_a_quote_is_a_literal_and_names_that_are_sql_words_are_quoted() -> None:
    protocol = compiled(QUOTED)
    program = compile_sql(protocol.checked)
    for dialect in Dialect:
        parsed = sqlglot.parse_one(program.sql(dialect), read=dialect.value)
        assert "it's" in {literal.this for literal in parsed.find_all(exp.Literal) if literal.is_string}
    assert "'it''s'" in program.sql(Dialect.DUCKDB)
    results = decided(protocol, "- {id: a, note: \"it's\", select: true, order: 'null'}\n"
                                "- {id: b, note: \"it''s\", select: true, order: table}\n"
                                "- {id: c, note: \"x' OR '1'='1\", order: group}\n")
    assert [r.decisions for r in results] == [{"said": True, "from_": True, "group": "table"},
                                             {"said": False, "from_": False, "group": "null"},
                                             {"said": False, "from_": False, "group": "table"}]


def test_a_name_cannot_hold_a_quote() -> None:
    """So an input or member named with a quote never reaches SQL: the parser refuses it."""
    with pytest.raises(ProtocolError) as raised:
        compiled("protocol t\ninput\n  kind : one of it's, other\nrecommend r: when kind = other\n")
    assert [d.code for d in raised.value.diagnostics] == ["CP102"]


@pytest.mark.parametrize("module", [sql_module, sqlcompare, sqlexact], ids=lambda m: m.__name__)
def test_no_sql_is_written_as_text(module: Any) -> None:
    """Names and values reach the query through sqlglot's tree only: no string in the modules, docstrings aside, holds SQL."""
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    docstrings = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
    texts = [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]
    clause = re.compile(r"\b(SELECT|FROM|WHERE|WITH|CASE|WHEN|THEN|ELSE|END|AND|OR|NOT|NULL|UNION|JOIN)\b")
    assert texts and not [text for text in texts if clause.search(text)]
