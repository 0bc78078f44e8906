"""Data maps: each CP8xx code from a map text, at its line and column, with "did you mean"; and what an entry reads."""

from __future__ import annotations

from pathlib import Path

import pytest

import carepath
from carepath.data.maps import DataMap, check_columns, check_map, map_from_text, read_map
from carepath.language.codes import CODES
from carepath.language.diagnostics import Diagnostic, ProtocolError

ROOT = Path(__file__).resolve().parents[3]
SEED = carepath.load_protocol(ROOT / "protocols" / "severance_2011.care").checked
COLUMNS = ["Patient no.", "Age", "WBC (/mL)", "MLL gene rearrangement"]

# code → (map text, every (code, line, column, hint fragment or None))
CASES: dict[str, tuple[str, list[tuple[str, int, int, str | None]]]] = {
    "CP801": ("fields: [age]\n", [("CP801", 1, 1, None)]),
    "CP802": ("fields:\n  mll:\n    colum: MLL\n", [("CP802", 3, 5, "did you mean 'column'?"), ("CP807", 2, 3, None)]),
    "CP803": ("fields:\n  wbc_at_diagnsis: WBC (/mL)\n", [("CP803", 2, 3, "did you mean 'wbc_at_diagnosis'?")]),
    "CP804": ("id: Patient no.\nfields:\n  wbc_at_diagnosis: {column: WBC (/uL), unit: /uL}\n", [("CP804", 3, 30, "did you mean 'WBC (/mL)'?")]),
    "CP805": ("fields:\n  wbc_at_diagnosis:\n    column: WBC (/mL)\n    unit: G/LL\n", [("CP805", 4, 11, "did you mean 'G/L'")]),
    "CP806": ("fields:\n  mll:\n    column: MLL gene rearrangement\n    vocabulary: {'-': germlin}\n",
              [("CP806", 4, 17, "did you mean 'germline'?")]),
    "CP807": ("fields:\n  wbc_at_diagnosis:\n    resource: Observation\n    code: '26464-8'\n", [("CP807", 4, 11, None)]),
}


def _problems(text: str) -> list[Diagnostic]:
    try:
        data_map = map_from_text(text, "m.yaml")
    except ProtocolError as error:
        return list(error.diagnostics)
    return check_map(data_map, SEED) + check_columns(data_map, COLUMNS, "t.csv")


def test_every_problem_of_a_map_is_reported_at_once() -> None:
    text = (ROOT / "docs" / "examples" / "data" / "misspelt.map.yaml").read_text(encoding="utf-8")
    assert [(d.code, d.span.line) for d in _problems(text)] == [("CP802", 4), ("CP807", 3), ("CP805", 5), ("CP806", 9), ("CP804", 7)]


def test_every_map_code_has_a_case() -> None:
    assert sorted(CASES) == sorted(code for code in CODES if code.startswith("CP8"))


@pytest.mark.parametrize("code", sorted(CASES))
def test_each_code_is_reported_where_its_case_says(code: str) -> None:
    text, expected = CASES[code]
    found = _problems(text)
    assert [(d.code, d.span.line, d.span.column) for d in found] == [(c, line, column) for c, line, column, _ in expected]
    for diagnostic, (_, _, _, hint) in zip(found, expected, strict=True):
        if hint:
            assert diagnostic.hint is not None and hint in diagnostic.hint


def test_a_map_error_renders_with_its_line_and_a_caret_in_line_order() -> None:
    data_map = map_from_text("fields:\n  mll:\n    colum: MLL\n", "m.yaml")
    rendered = data_map.fail(check_map(data_map, SEED)).render().splitlines()
    assert rendered[0].startswith("m.yaml:2:3: CP807")  # the entry, then its key: in the order of the lines
    assert rendered[3:6] == ["m.yaml:3:5: CP802 the entry for 'mll' has no key 'colum'", "        colum: MLL", "        ^^^^^"]


def test_not_yaml_is_cp801_at_the_fault() -> None:
    with pytest.raises(ProtocolError) as raised:
        map_from_text("fields:\n  mll: [\n", "m.yaml")
    (diagnostic,) = raised.value.diagnostics
    assert diagnostic.code == "CP801" and diagnostic.span.line == 3


@pytest.mark.parametrize(("text", "where", "says"), [
    ("fields:\n  mll: {column: !lab MLL}\n", (2, 17), "a value tagged '!lab'"),
    ("fields:\n  mll: !!python/object/apply:os.system ['true']\n", (2, 8), "a value tagged '!!python/object/apply:os.system'"),
    ("fields:\n  mll: {column: MLL, vocabulary: {" + "9" * 101 + ": germline}}\n", (2, 35), "101 digits"),
    ("fields: " + "[" * 40 + "]" * 40 + "\n", (1, 40), "nested more than 32 levels deep"),
])
def test_a_value_the_loader_refused_is_cp801_at_it_never_a_column_name(text: str, where: tuple[int, int], says: str) -> None:
    with pytest.raises(ProtocolError) as raised:
        map_from_text(text, "m.yaml")
    (diagnostic,) = raised.value.diagnostics
    assert diagnostic.code == "CP801" and (diagnostic.span.line, diagnostic.span.column) == where
    assert diagnostic.message.startswith("the data map is not read: ") and says in diagnostic.message


def test_a_name_far_from_every_input_is_another_protocol_s() -> None:
    assert check_map(map_from_text("fields:\n  cns_disease: CNS\n"), SEED) == []


def test_the_seed_maps_are_clean_for_every_protocol() -> None:
    for path in sorted((ROOT / "cohorts").glob("*.map.yaml")):
        data_map = read_map(path)
        for protocol in sorted((ROOT / "protocols").glob("*.care")):
            assert check_map(data_map, carepath.load_protocol(protocol).checked) == [], (path, protocol)


def test_an_entry_reads_odd_forms_then_its_vocabulary() -> None:
    data_map = map_from_text("fields:\n  age_at_diagnosis: {column: Age, forms: {'(\\d+)M': '\\1 months'}}\n"
                             "  mll: {column: MLL, vocabulary: {'-': germline}}\n")
    assert isinstance(data_map, DataMap)
    age, mll = data_map.field("age_at_diagnosis"), data_map.field("mll")
    assert age is not None and mll is not None
    assert age.read("6M") == "6 months" and age.read("6 months") == "6 months"
    assert mll.read("-") == "germline" and mll.read("other") == "other"
    assert data_map.field("nothing") is None


def test_an_unreadable_map_file() -> None:
    with pytest.raises(ProtocolError) as raised:
        read_map(ROOT / "no-such-map.yaml")
    assert raised.value.diagnostics[0].code == "CP801"
