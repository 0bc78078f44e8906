"""Every records limit at its value and one past it, through the public API: a record past a limit is rejected with
its own code, placed, naming the patient; the good record beside it in the same file is still decided. And the
values quoted in messages stay short however large or odd what a file holds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import carepath
from carepath.compile.compiler import CompiledProtocol
from carepath.data import limits
from carepath.data.errors import RecordCode, RecordError, written
from carepath.data.limits import Exceeded, Limit, clip, digits, shown
from carepath.data.records import InvalidRecord, LoadFailure, PatientRecord, bind_all, load_file, load_text

ROOT = Path(__file__).resolve().parents[3]
ENGRAFTMENT = ROOT / "docs" / "examples" / "engraftment.care"
GOOD = "- id: good\n  age_at_diagnosis: 4 months\n  wbc_at_diagnosis: 12000 /uL\n  mll: germline\n"


@pytest.fixture(scope="module")
def engraftment() -> CompiledProtocol:
    return carepath.load_protocol(ENGRAFTMENT)


def _records(protocol: CompiledProtocol, text: str, name: str = "r.yaml") -> list[PatientRecord | InvalidRecord]:
    return bind_all(load_text(text, name, json_only=name.endswith(".json")), protocol.checked)


def _verdict(protocol: CompiledProtocol, record: str, name: str = "r.yaml") -> list[str]:
    """The codes of the second record's errors ([] when it binds), the first record (good) always binding."""
    good, tested = _records(protocol, GOOD + record, name)
    assert isinstance(good, PatientRecord)
    if isinstance(tested, PatientRecord):
        return []
    assert tested.errors, tested
    return [str(error.code) for error in tested.errors]


def _json_verdict(protocol: CompiledProtocol, record: str) -> list[str]:
    text = '[{"id": "good", "age_at_diagnosis": "4 months", "wbc_at_diagnosis": "12000 /uL", "mll": "germline"}, ' + record + "]"
    good, tested = _records(protocol, text, "r.json")
    assert isinstance(good, PatientRecord)
    return [] if isinstance(tested, PatientRecord) else [str(error.code) for error in tested.errors]


def test_fields_at_the_limit_are_read_and_one_more_is_refused(seed: CompiledProtocol) -> None:
    fields = "".join(f"    f{i}: 1\n" for i in range(limits.FIELDS - 2))
    assert _verdict(seed, "- id: a\n  about: {x: 1}\n" + fields.replace("    ", "  ")) == ["CP503"] * (limits.FIELDS - 2)
    assert _verdict(seed, "- id: a\n  about: {x: 1}\n  extra: 1\n" + fields.replace("    ", "  ")) == ["CP521"]


@pytest.mark.parametrize("name", ["r.yaml", "r.json"])
def test_nesting_at_the_limit_is_read_and_one_more_level_is_refused(seed: CompiledProtocol, name: str) -> None:
    def record(levels: int) -> str:  # the record is level 1, `about`'s mapping level 2, then lists
        lists = "[" * (levels - 2) + "]" * (levels - 2)
        return f'{{"id": "a", "about": {{"x": {lists}}}}}'

    check = _json_verdict if name.endswith(".json") else (lambda protocol, text: _verdict(protocol, "- " + text + "\n"))
    assert check(seed, record(limits.DEPTH)) == []
    assert check(seed, record(limits.DEPTH + 1)) == ["CP522"]


def test_a_series_at_the_limit_is_read_and_one_more_day_is_refused(engraftment: CompiledProtocol) -> None:
    def record(days: int, record_id: str) -> str:
        return f"- id: {record_id}\n" + "  transplant_date: 2024-03-01\n  anc: {unit: /uL, values: {" + ", ".join(f"{d}: 600" for d in range(days)) + "}}\n"

    good, at_limit, past = carepath.records_from_text(engraftment, "- id: g\n  anc: {1: 600 /uL}\n" + record(limits.SERIES_DAYS, "s")
                                                       + record(limits.SERIES_DAYS + 1, "t"), "s.yaml")
    assert isinstance(good, PatientRecord) and isinstance(at_limit, PatientRecord)
    assert isinstance(past, InvalidRecord) and [e.code for e in past.errors] == [RecordCode.SERIES_TOO_LONG]
    assert past.errors[0].message == "patient 't': field 'anc': a series of 10,001 days; a series holds at most 10,000"


def test_a_series_spanning_more_days_than_the_limit_is_refused_before_it_is_built() -> None:
    engraftment = carepath.load_protocol(ROOT / "protocols" / "engraftment.care")  # it has a series of booleans
    text = "- id: s\n  platelet_transfusion: {on: [1], from: 0, to: 9999}\n- id: t\n  platelet_transfusion: {on: [1], from: 0, to: 10000}\n"
    within, past = carepath.records_from_text(engraftment, text, "s.yaml")
    assert not isinstance(within, InvalidRecord) or all(e.code is not RecordCode.SERIES_TOO_LONG for e in within.errors)
    assert isinstance(past, InvalidRecord) and [e.code for e in past.errors] == [RecordCode.SERIES_TOO_LONG]


def test_aliases_may_stand_for_the_limit_and_not_one_character_more(seed: CompiledProtocol) -> None:
    def record(characters: int) -> str:  # each alias of a text of n characters stands for n + 1 (its node)
        return f"- id: a\n  about:\n    text: &t {'x' * characters}\n    b: *t\n    c: *t\n"

    half = limits.ALIAS_EXPANSION // 2
    assert _verdict(seed, record(half - 1)) == []
    assert _verdict(seed, record(half)) == ["CP524"]


def test_an_alias_bomb_is_one_error_at_its_first_large_alias_and_is_never_expanded(seed: CompiledProtocol) -> None:
    levels = ["    a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    levels += [f"    a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    bomb = "- id: bomb\n  mll: germline\n  about:\n" + "\n".join(levels) + "\n"
    (error,) = _errors_of(seed, bomb)
    assert error.code is RecordCode.ALIASES_TOO_LARGE and error.patient == "bomb" and error.field == "about"
    assert "more than 100,000 nodes and characters" in error.message and len(error.message) < 300
    # the same bomb under a field the protocol reads, whose message quotes the value: still one short error
    (error,) = _errors_of(seed, bomb.replace("  about:\n    a0", "  mll:\n    a0").replace("  mll: germline\n", "", 1))
    assert error.code is RecordCode.ALIASES_TOO_LARGE and error.field == "mll"


def _errors_of(protocol: CompiledProtocol, record: str) -> list[RecordError]:
    good, tested = carepath.records_from_text(protocol, GOOD + record, "r.yaml")
    assert isinstance(good, PatientRecord) and isinstance(tested, InvalidRecord)
    return list(tested.errors)


def test_an_alias_inside_what_it_names_is_refused_not_followed(seed: CompiledProtocol) -> None:
    assert _verdict(seed, "- id: a\n  about: &x {self: *x}\n") == ["CP524"]
    assert _verdict(seed, "- id: a\n  about: &x [*x, *x]\n") == ["CP524"]


def test_a_merge_of_a_refused_alias_stays_the_records_error(seed: CompiledProtocol) -> None:
    big = "x" * 60_000
    text = f"- id: a\n  about: &big {{k: {big}}}\n- id: b\n  about: *big\n  <<: *big\n  mll: germline\n"
    good, first, merged = carepath.records_from_text(seed, GOOD + text, "r.yaml")
    assert isinstance(good, PatientRecord) and isinstance(first, PatientRecord)
    assert isinstance(merged, InvalidRecord) and [e.code for e in merged.errors] == [RecordCode.ALIASES_TOO_LARGE]


@pytest.mark.parametrize("where", ["about: {n: NUMBER}", "wbc_at_diagnosis: NUMBER", "id: NUMBER", "about: {n: -NUMBER.5e+3}"])
def test_numbers_of_the_limit_s_digits_are_read_and_one_more_digit_is_refused(seed: CompiledProtocol, where: str) -> None:
    def record(count: int) -> str:
        line = where.replace("NUMBER", "9" * count)
        return f"- id: a\n  {line}\n" if not line.startswith("id:") else f"- {line}\n"

    within = _verdict(seed, record(limits.DIGITS - (2 if "e+3" in where else 0)))
    assert "CP525" not in within
    assert _verdict(seed, record(limits.DIGITS + 1)) == ["CP525"]


@pytest.mark.parametrize(("at_the_limit", "past_it", "code"), [
    ("wbc_at_diagnosis: 1000000000000000 /uL", "wbc_at_diagnosis: 1000000000000001 /uL", "CP528"),
    ("wbc_at_diagnosis: 1e15 /uL", "wbc_at_diagnosis: 1e5000 /uL", "CP528"),
    ("wbc_at_diagnosis: 1 10*30/L", "wbc_at_diagnosis: 1 10*31/L", "CP529"),
    ("age_at_diagnosis: 2400 months", "age_at_diagnosis: 2401 months", "CP530"),
    ("age_at_diagnosis: 73050 days", "age_at_diagnosis: 73051 days", "CP530"),
])
def test_a_value_at_the_number_unit_and_duration_limits_is_read_and_one_past_is_refused(
        seed: CompiledProtocol, at_the_limit: str, past_it: str, code: str) -> None:
    """Read at the limit (and then found implausible for an infant, CP505: the value was converted), refused past it."""
    assert _verdict(seed, f"- id: a\n  {at_the_limit}\n") == ["CP505"]
    assert _verdict(seed, f"- id: a\n  {past_it}\n") == [code]


def test_an_integer_past_python_s_own_limit_anywhere_in_json_is_a_record_error(seed: CompiledProtocol) -> None:
    huge = "9" * 5000
    assert _json_verdict(seed, f'{{"id": "a", "about": {{"n": [{huge}]}}}}') == ["CP525"]
    assert _json_verdict(seed, f'{{"id": {huge}}}') == ["CP525"]
    assert _json_verdict(seed, f'{{"id": "a", "about": {{"n": {huge}.5}}}}') == ["CP525"]


def test_an_id_of_the_limit_s_length_is_read_and_one_character_more_is_refused(seed: CompiledProtocol) -> None:
    good, within, past = carepath.records_from_text(seed, GOOD + f"- id: {'a' * limits.ID_CHARS}\n- id: {'b' * (limits.ID_CHARS + 1)}\n",
                                                     "r.yaml")
    assert isinstance(good, PatientRecord) and isinstance(within, PatientRecord) and within.id == "a" * limits.ID_CHARS
    assert isinstance(past, InvalidRecord) and past.id is None and [e.code for e in past.errors] == [RecordCode.ID_TOO_LONG]
    assert len(past.errors[0].message) < 200


def test_a_file_of_the_limit_s_size_is_read_and_one_byte_more_is_not(tmp_path: Path) -> None:
    at_limit = tmp_path / "at.yaml"
    body = GOOD + "# "
    at_limit.write_text(body + "x" * (limits.FILE_BYTES - len(body) - 1) + "\n", encoding="utf-8")
    assert at_limit.stat().st_size == limits.FILE_BYTES
    (record,) = load_file(at_limit)
    assert not isinstance(record, LoadFailure)
    past = tmp_path / "past.yaml"
    past.write_bytes(at_limit.read_bytes() + b"\n")
    (failure,) = load_file(past)
    assert isinstance(failure, LoadFailure) and failure.code is RecordCode.FILE_TOO_LARGE
    assert failure.error().code is RecordCode.FILE_TOO_LARGE


def test_a_file_too_large_is_one_invalid_result_and_the_other_files_still_run(seed: CompiledProtocol, tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.yaml").write_bytes(b"#" * (limits.FILE_BYTES + 1))
    good, failed = carepath.load_records(seed, [tmp_path / "a.yaml", tmp_path / "b.yaml"])
    assert isinstance(good, PatientRecord)
    assert isinstance(failed, InvalidRecord) and [e.code for e in failed.errors] == [RecordCode.FILE_TOO_LARGE]


def test_binary_and_date_keys_are_reported_not_a_crash(seed: CompiledProtocol) -> None:
    text = ("- id: b\n  ? !!binary aGVsbG8=\n  : 1\n- id: c\n  wbc_at_diagnosis: {? !!binary aGVsbG8= : 1, ? !!timestamp 2020-01-01 : 2}\n"
            "- id: d\n  mll: {? !!timestamp 2020-01-01 : x}\n")
    _, b, c, d = carepath.records_from_text(seed, GOOD + text, "r.yaml")
    assert [e.code for e in b.errors] == [RecordCode.UNKNOWN_FIELD]  # type: ignore[union-attr]
    assert [e.code for e in c.errors] == [RecordCode.BAD_VALUE]  # type: ignore[union-attr]
    assert "{b'hello': 1, 2020-01-01: 2}" in c.errors[0].message  # type: ignore[union-attr]
    assert [e.code for e in d.errors] == [RecordCode.BAD_VALUE]  # type: ignore[union-attr]


def test_values_in_messages_are_cut_however_large() -> None:
    assert shown("x" * 10_000).endswith("… (10,000 characters)'") and len(shown("x" * 10_000)) < 200
    assert len(shown({"k": ["x" * 1000] * 1000})) < 200
    assert len(shown(list(range(100_000)))) < 300
    shared: list[object] = []
    for _ in range(40):  # 2**40 leaves if expanded
        shared = [shared, shared]
    assert len(shown(shared)) < 300 and len(written(shared)) <= 1001
    looped: list[object] = []
    looped.append(looped)
    assert shown(looped) and written(looped)
    assert shown({b"k": 1, dt.date(2020, 1, 1): 2, (1, 2): 3}) == "{b'k': 1, 2020-01-01: 2, [1, 2]: 3}"
    assert shown(10 ** 5000) == "<a number of about 5,000 digits>"
    assert written({"n": 10 ** 5000}) == "{n: <a number of about 5,000 digits>}"
    assert shown({"value": 1, "unit": "/uL"}) == '{"value": 1, "unit": "/uL"}' and shown(None) == "None"


def test_clip_digits_and_exceeded() -> None:
    assert clip("abc", 5) == "abc" and clip("abcdef", 3) == "abc… (6 characters)"
    assert digits("-1_000.5e3") == 6 and digits("0x1F") == 2 and digits("1:20:30") == 5
    assert str(Exceeded(Limit.DIGITS, "a number written with 101 digits")) == "<a number written with 101 digits>"
    assert Limit.SERIES_DAYS.code is RecordCode.SERIES_TOO_LONG and Limit.SERIES_DAYS.amount == 10_000
    assert {limit.code.entry.code for limit in Limit} == {f"CP52{i}" for i in range(8)}


def test_a_duration_derived_from_dates_is_held_to_the_same_limit(tmp_path: Path) -> None:
    """From two dates, or from a date to the evaluation date: 73,050 days is read, one more is CP530 (no plausible
    range is declared here, which would otherwise be the only bound)."""
    import datetime as dt

    from carepath import Source

    protocol = carepath.compile_source(Source("p.care", "protocol p\ninput\n  birth : date\n  diagnosis : date\n"
                                                         "  age : duration from birth to diagnosis\n  now : duration from birth to as_of\n"
                                                         "criterion young: age < 2 years and now < 3 years\n"))
    start = dt.date(1900, 1, 1)
    at, past = start + dt.timedelta(days=73_050), start + dt.timedelta(days=73_051)
    records = carepath.records_from_text(protocol, f"- {{id: a, birth: {start}, diagnosis: {at}}}\n- {{id: b, birth: {start}, diagnosis: {past}}}\n")
    assert isinstance(records[0], PatientRecord) and isinstance(records[1], InvalidRecord)
    assert [e.code for e in records[1].errors] == [RecordCode.DURATION_TOO_LONG]
    records_file = tmp_path / "r.yaml"
    records_file.write_text(f"- {{id: a, birth: {start}}}\n", encoding="utf-8")
    assert carepath.run(protocol, [records_file], at).results[0].status == "ok"
    late = carepath.run(protocol, [records_file], past).results[0]
    assert late.status == "invalid" and [e.code for e in late.errors] == [RecordCode.DURATION_TOO_LONG]
