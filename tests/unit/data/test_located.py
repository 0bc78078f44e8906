"""Where entries were written: the places a mapping or list read from a file gives, and none for plain ones."""

from __future__ import annotations

from carepath.data.errors import Place
from carepath.data.located import duplicate_place, item_place, key_place, start_place, value_place
from carepath.data.records import RawRecord, load_text


def _document(text: str, name: str = "r.yaml") -> object:
    raw, = load_text(text, name)
    assert isinstance(raw, RawRecord)
    return raw.data


def test_a_mapping_gives_the_place_of_each_key_and_value() -> None:
    data = _document("id: a\nanc:\n  1: 300 /uL\n  14:   520 /uL\n")
    assert start_place("r.yaml", data) == Place("r.yaml", 1, 1)
    assert key_place("r.yaml", data, "anc") == Place("r.yaml", 2, 1)
    assert value_place("r.yaml", data, "anc") == Place("r.yaml", 3, 3)  # a block mapping starts at its first key
    series = data["anc"]  # type: ignore[index]
    assert key_place("r.yaml", series, 14) == Place("r.yaml", 4, 3)  # keys are placed as read: 14 is a number
    assert value_place("r.yaml", series, 14) == Place("r.yaml", 4, 9)
    assert value_place("r.yaml", series, 2) == Place("r.yaml", 3, 3)  # not written: where the mapping starts


def test_a_list_gives_the_place_of_each_item() -> None:
    data = _document("id: a\ndays: [3,  9]\n")
    listed = data["days"]  # type: ignore[index]
    assert [item_place("r.yaml", listed, i) for i in (0, 1)] == [Place("r.yaml", 2, 8), Place("r.yaml", 2, 12)]
    assert item_place("r.yaml", listed, 5) == Place("r.yaml", 2, 7)  # no such item: the list's start


def test_a_key_written_twice_is_placed_at_its_last_writing() -> None:
    data = _document("id: a\nmll: germline\nmll: translocation\n")
    assert duplicate_place("r.yaml", data, "mll") == Place("r.yaml", 3, 1)
    assert data["mll"] == "translocation"  # type: ignore[index]


def test_json_is_placed_like_yaml() -> None:
    data = _document('{"id": "a",\n "anc": {"1": "300 /uL"}}', "r.json")
    raw, = load_text('{"id": "a",\n "anc": {"1": "300 /uL"}}', "r.json", json_only=True)
    assert isinstance(raw, RawRecord)
    # ` "anc": {"1": ` is 14 characters
    assert value_place("r.json", raw.data["anc"], "1") == Place("r.json", 2, 15)
    assert value_place("r.json", data["anc"], "1") == Place("r.json", 2, 15)  # type: ignore[index]


def test_plain_containers_give_the_file_alone() -> None:
    assert key_place("f", {"a": 1}, "a") == Place("f")
    assert item_place("f", [1], 0) == Place("f")
    assert value_place(None, {"a": 1}, "a") == Place(None)
