"""Data shown as text in every renderer: hostile ids, values, field names, protocol titles, citations and file names
through the CLI (`run`, `explain`, `compare`, `check`, table and JSON, at a plain pipe and at a colour terminal):
no rich markup is read from them, no escape sequence, C1 control or bidi override reaches the output raw, the
JSON stays valid with the same values, and the table still shows every record."""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import pytest

from carepath import cli
from carepath.render.escape import json_text, lines, text

ROOT = Path(__file__).resolve().parents[3]
SEED = ROOT / "protocols" / "severance_2011.care"

HOSTILE = [
    "[/]",
    "[link=file:///etc/passwd]x[/link]",
    "\x1b]8;;file:///etc/passwd\x1b\\click\x1b]8;;\x1b\\",  # an OSC 8 hyperlink
    "\x1b[2J\x1b[31mred\x1b]0;title\x07",  # clear screen, colour, window title
    "\x9b31mcsi",  # a C1 control sequence introducer
    "\u202egnp.exe",  # right-to-left override
    "a\nb\rc",
    ":smile: [bold]b[/bold]",
]
_SGR = re.compile(r"\x1b\[[0-9;]*m")  # the colours rich itself writes at a colour terminal


def test_text_escapes_every_control_and_bidi_character() -> None:
    assert text("\x1b[31m") == "\\x1b[31m"
    assert text("a\nb\tc\x7f\x9b") == "a\\x0ab\\x09c\\x7f\\x9b"
    assert text("\u202e\u2066\u200f\u2028\ud800") == "\\u202e\\u2066\\u200f\\u2028\\ud800"
    assert text("ordinary [text] é ✔") == "ordinary [text] é ✔"
    assert text(None) == "None"
    assert lines("a\n\x1bb\tc") == "a\n\\x1bb\tc"
    # ids that would look alike: a zero-width space, a byte order mark, a tag character
    assert [text(i) for i in ("P1\u200b", "\ufeffP1", "P1\U000e0041")] == ["P1\\u200b", "\\ufeffP1", "P1\\U000e0041"]


def test_json_text_keeps_json_valid_and_values_equal() -> None:
    value = {"id": "\x1b\x9b\u202e\ud800\u2028x\u200b\U000e0041"}
    dumped = json_text(json.dumps(value, ensure_ascii=False))
    assert json.loads(dumped) == value
    assert not re.search("[\x00-\x1f\x7f-\x9f\u202e\u2028]", dumped)


def _records(tmp_path: Path) -> Path:
    records = []
    for index, hostile in enumerate(HOSTILE):
        records.append({"id": f"{hostile}{index}", "age_at_diagnosis": "4 months", "wbc_at_diagnosis": "12000 /uL", "mll": "germline"})
        records.append({"id": f"{hostile}bad{index}", "age_at_diagnosis": "4 months", "wbc_at_diagnosis": hostile, "mll": hostile,
                        hostile: hostile, "about": {hostile: hostile}})
    path = tmp_path / "hostile\x1b[31m.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    return path


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(argv))
    return code, out.getvalue(), err.getvalue()


def _assert_inert(output: str, colour: bool = False) -> None:
    if colour:
        output = _SGR.sub("", output)
    assert "\x1b" not in output and "\x9b" not in output and "\x07" not in output
    assert "\u202e" not in output  # the text as escaped: `\x1b]8;;…` is shown, no hyperlink is made


@pytest.mark.parametrize("colour", [False, True], ids=["pipe", "colour-terminal"])
def test_run_shows_hostile_data_as_text_and_every_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, colour: bool) -> None:
    monkeypatch.setenv("COLUMNS", "400")  # wide enough that no id is wrapped
    if colour:
        monkeypatch.setenv("FORCE_COLOR", "1")
    records = _records(tmp_path)
    code, out, err = _run("run", str(SEED), str(records), "--as-of", "2026-01-01")
    assert code == 1
    _assert_inert(out, colour)
    _assert_inert(err)
    if colour:
        assert _SGR.search(out)  # the terminal was one: rich wrote its own colours, and nothing else
    plain = _SGR.sub("", out)
    assert "[link=file:///etc/passwd]x[/link]1" in plain and "[/]0" in plain and "\\x1b]8;;file:///etc/passwd" in plain
    assert "\\u202egnp.exe" in plain and ":smile:" in plain
    assert "0 undetermined" in plain and f"{len(HOSTILE)} ok" in plain and f"{len(HOSTILE)} invalid" in plain
    assert len([line for line in err.splitlines() if line.startswith("invalid record: ")]) == len(err.splitlines())


def test_run_json_is_valid_json_with_the_same_ids(tmp_path: Path) -> None:
    code, out, _ = _run("run", str(SEED), str(_records(tmp_path)), "--as-of", "2026-01-01", "--format", "json")
    assert code == 1
    _assert_inert(out)
    ids = [result["id"] for result in json.loads(out)["results"]]
    assert ids[::2] == [f"{hostile}{index}" for index, hostile in enumerate(HOSTILE)]


@pytest.mark.parametrize("form", ["text", "json"])
def test_explain_shows_hostile_ids_and_values_as_text(tmp_path: Path, form: str) -> None:
    records = _records(tmp_path)
    for index, hostile in enumerate(HOSTILE):
        for patient in (f"{hostile}{index}", f"{hostile}bad{index}"):
            code, out, err = _run("explain", str(SEED), str(records), "--patient", patient, "--as-of", "2026-01-01", "--format", form)
            assert code in (0, 1), err
            _assert_inert(out + err)
            if form == "json":
                assert json.loads(out)["patient"] == patient


def test_compare_shows_hostile_data_as_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")
    code, out, err = _run("compare", str(SEED), str(ROOT / "protocols" / "interfant06.care"), str(_records(tmp_path)), "--as-of", "2026-01-01")
    assert code == 1
    _assert_inert(out + err)
    assert "[link=file:///etc/passwd]x[/link]1" in out
    code, out, _ = _run("compare", str(SEED), str(ROOT / "protocols" / "interfant06.care"), str(_records(tmp_path)), "--as-of", "2026-01-01",
                        "--format", "json")
    assert code == 1
    _assert_inert(out)
    assert len(json.loads(out)["patients"]) == 2 * len(HOSTILE)


HOSTILE_PROTOCOL = '''protocol hostile "a title [/] \\u001b[2J"
  version "1.0 \\u001b]0;pwned\\u0007"
input
  wbc : quantity /uL plausible 0 /uL .. 2000000 /uL
criterion high "[link=file:///etc/passwd]x[/link] \\u001b]8;;file:///etc/passwd\\u001b\\\\y\\u001b]8;;\\u001b\\\\ \\u202e"
    cites "[/] \\u009b31m":
  wbc >= 50000 /uL
recommend review: when high
'''


def test_a_protocol_s_title_version_and_citation_are_shown_as_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")
    protocol = tmp_path / "hostile.care"
    protocol.write_text(HOSTILE_PROTOCOL.encode().decode("unicode_escape"), encoding="utf-8")
    records = tmp_path / "r.yaml"
    records.write_text("- id: p\n  wbc: 60000 /uL\n", encoding="utf-8")
    code, out, err = _run("explain", str(protocol), str(records), "--patient", "p", "--as-of", "2026-01-01")
    assert code == 0, err
    _assert_inert(out + err)
    assert "[link=file:///etc/passwd]x[/link] \\x1b]8;;file:///etc/passwd" in out and "[cites [/] \\x9b31m]" in out
    assert "1.0 \\x1b]0;pwned\\x07" in out
    for argv in (["run", str(protocol), str(records)], ["run", str(protocol), str(records), "--format", "json"], ["check", str(protocol)]):
        code, out, err = _run(*argv, *(["--as-of", "2026-01-01"] if argv[0] == "run" else []))
        assert code == 0, err
        _assert_inert(out + err)
