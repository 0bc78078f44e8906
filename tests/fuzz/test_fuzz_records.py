"""Records fuzzing: generated and mutated records files, as YAML and JSON text, against the shipped protocols.

Generated files mix a good record (at a random place) with records built from hostile pieces: keys of any YAML type
(binary, dates, numbers, merges, duplicates, markup and escape sequences), anchors and aliases (up to a bomb),
numbers past the digits limit, odd unicode, wrong types, deep nesting and tags that would run code. Mutated files
are the shipped cohorts with bytes deleted, repeated and inserted. Through the API and the renderers the CLI uses,
each must hold:

- no exception escapes: every fault is a record error or a file's load failure (the documented CP5xx errors);
- every record read has a result, and every error names its file and code, and its patient or its line;
- the good record is decided, exactly as it is decided alone, whatever the records around it hold;
- the table, the error lines and the JSON contract show data as text (no raw escape or C1 control, valid JSON);
- it all finishes within the profile's deadline (a second per file).

Every failing input ever found is kept in `regressions/records/` and run by `test_regression_files`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

import carepath
from carepath import cli
from carepath.compile.compiler import CompiledProtocol
from carepath.data.records import LoadFailure, PatientRecord, RawRecord, bind_all, load_text
from carepath.language.codes import CODES
from carepath.render import json as json_render
from carepath.render import terminal
from carepath.runtime.engine import Result, evaluate_all

from . import fuzz_settings

ROOT = Path(__file__).resolve().parents[2]
REGRESSIONS = Path(__file__).parent / "regressions" / "records"
AS_OF = dt.date(2026, 1, 1)
FILE_LEVEL = {"CP501", "CP520", "CP522"}
_RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

# protocol → a record it decides, written as a YAML flow mapping and as JSON
GOOD = {
    "severance_2011": {"id": "good", "age_at_diagnosis": "4 months", "wbc_at_diagnosis": "120000 /uL", "mll": "translocation"},
    "engraftment": {"id": "good", "transplant_date": "2024-03-01", "stem_cell_source": "bone_marrow",
                    "anc": {"1": "600 /uL", "2": "700 /uL", "3": "800 /uL"}, "platelets": {"1": "30000 /uL"}, "platelet_transfusion": {"0": False}},
    "hsct_conditioning": {"id": "good", "weight": "12 kg", "age_at_intrathecal": "2 years"},
}


@functools.cache
def protocol(name: str) -> CompiledProtocol:
    return carepath.load_protocol(ROOT / "protocols" / f"{name}.care")


@functools.cache
def alone(name: str) -> Result:
    """The good record decided alone: what it must be decided as beside anything."""
    (record,) = bind_all(load_text(json.dumps([GOOD[name]]), "good.json", json_only=True), protocol(name).checked)
    assert isinstance(record, PatientRecord), record
    return evaluate_all(protocol(name), [record], AS_OF, trace=False, reasons=True).results[0]


# ---- the pieces of hostile records ----------------------------------------------------------

HOSTILE_TEXT = ["[/]", "[link=file:///etc/passwd]x[/link]", "\x1b]8;;file:///etc/passwd\x1b\\x\x1b]8;;\x1b\\", "\x1b[2J\x1b[31m",
                "\x9b31m", "\u202egnp.exe", "a\nb", ":smile:", "", " ", "é", "𝔘𝔫𝔦", "\u0000", "\ufeff", "\u2028", "12000 /uL",
                "4 months", "2008-02-30", "2024-03-01", "germline", "yes", "no", "on", "null", "~", "12000", "-7", "33,900 /uL",
                "0.0001 %", "5 kg", "1e300 /uL", "day 3", "x" * 300]
PLAIN = ["12000 /uL", "4 months", "germline", "translocation", "yes", "~", "null", "true", "2008-02-30", "2024-03-01", ".inf", ".nan",
         "0x1F", "1_000", "1:30", "0o17", "-0", "+12", "3.5", "12 kg", "85 cm", "600 /uL", "-1", "36526", "0", "1e3"]
NUMBERS = ["9" * 99, "9" * 100, "9" * 101, "9" * 4301, "-" + "9" * 5000, "1." + "5" * 150, "0x" + "f" * 200, "1" + "0" * 120 + ".5"]
TAGGED = ["!!binary aGVsbG8=", "!!timestamp 2020-01-01", "!!timestamp 2020-01-01 10:00:00", "!!str 12", "!!int \"12\"",
          "!!float \"1e3\"", "!!set {a, b}", "!!omap [{a: 1}, {b: 2}]", "!!null ''", "!!bool yes", "!custom x"]
# tags carepath never constructs (CP527, the record's own error): code, a site's own, a placeholder's tag written by hand
REFUSED_TAGS = ["!!python/object/apply:os.system [\"true\"]", "!!python/name:os.system", "!!int [1]", "!lab 5 G/L", "!!merge {a: 1}",
                "!<tag:carepath,2026:exceeded> \"0\"", "!<tag:carepath,2026:exceeded> \"-1\"", "!<tag:carepath,2026:exceeded> x",
                "!<tag:yaml.org,2002:python/object:os.system> {}", "!!merge <<"]
ALIASES = ["*s", "*l", "*m", "*b2", "*b3"]
DEFS = ("defs: {s: &s \"text\", l: &l [1, 2, 3], m: &m {value: 12000, unit: /uL}, b0: &b0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol],"
        " b1: &b1 [*b0, *b0, *b0, *b0, *b0, *b0, *b0, *b0, *b0, *b0], b2: &b2 [*b1, *b1, *b1, *b1, *b1, *b1, *b1, *b1, *b1, *b1],"
        " b3: &b3 [*b2, *b2, *b2, *b2, *b2, *b2, *b2, *b2, *b2, *b2]}\n")


def quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is one), with the characters YAML refuses raw escaped."""
    return re.sub("[\x7f-\x9f\ufeff\ufffe\uffff]", lambda m: f"\\u{ord(m.group()):04x}", json.dumps(text, ensure_ascii=False))


scalars = st.one_of(
    st.sampled_from(HOSTILE_TEXT).map(quoted), st.text(max_size=12).map(quoted), st.sampled_from(PLAIN), st.sampled_from(NUMBERS),
    st.sampled_from(TAGGED), st.sampled_from(REFUSED_TAGS), st.sampled_from(ALIASES), st.integers(-(10**30), 10**30).map(str),
)


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


values = st.recursive(
    scalars | st.integers(1, 120).map(deep),
    lambda inner: st.lists(inner, max_size=5).map(lambda items: "[" + ", ".join(items) + "]")
    | st.lists(st.tuples(st.sampled_from(["value", "unit", "on", "from", "to", "values", "1", "2", "-3", "2024-03-02", "x"]) | scalars, inner),
               max_size=5).map(lambda pairs: "{" + ", ".join(_entry(k, v, " ") for k, v in pairs) + "}"),
    max_leaves=12,
)


def _entry(key: str, value: str, between: str) -> str:
    """`key: value`, or `? key : value` where YAML needs the explicit form (a tag, or a key past 1,024 characters)."""
    return f"? {key}{between}: {value}" if key.startswith(("!", "[", "?", "*")) or len(key) > 1000 else f"{key}: {value}"


def keys(name: str) -> st.SearchStrategy[str]:
    fields = [info.name for info in protocol(name).checked.inputs]
    return st.one_of(st.sampled_from([*fields, "id", "about", "<<"]), st.sampled_from(HOSTILE_TEXT).map(quoted),
                     st.sampled_from(["!!binary aGVsbG8=", "!!timestamp 2020-01-01", "12", "2020-01-01", "true", "~",
                                      "9" * 200]))


@st.composite
def yaml_record(draw: st.DrawFn, name: str) -> str:
    pairs = draw(st.lists(st.tuples(keys(name), values), max_size=8))
    if draw(st.booleans()):
        pairs.insert(0, ("id", draw(st.sampled_from([quoted(t) for t in HOSTILE_TEXT] + NUMBERS + ["r1", "r1", "[a]", "{a: 1}", "*s"]))))
    if draw(st.integers(0, 9)) == 0:  # many fields, with duplicates
        pairs += [(f"f{index % draw(st.integers(1, 2000))}", "1") for index in range(draw(st.integers(900, 1100)))]
    entries = [_entry(k, v, "\n    ") for k, v in pairs]
    if draw(st.integers(0, 5)) == 0:
        return draw(scalars | values)  # a record that is not a mapping
    return "\n    ".join(entries) if entries else "{}"


@st.composite
def yaml_file(draw: st.DrawFn, name: str) -> str:
    records = draw(st.lists(yaml_record(name), max_size=5))
    good = "{" + ", ".join(f"{k}: {json.dumps(v)}" for k, v in GOOD[name].items()) + "}"
    records.insert(draw(st.integers(0, len(records))), good)
    body = "".join(f"  - {record}\n" if record.startswith(("{", "[", "\"")) or ("\n" not in record and ": " not in record)
                   else f"  - {record.replace(chr(10) + '    ', chr(10) + '    ')}\n" for record in records)
    return DEFS + "patients:\n" + body


json_scalars = st.one_of(
    st.sampled_from(HOSTILE_TEXT).map(json.dumps), st.text(max_size=12).map(json.dumps), st.sampled_from([*NUMBERS[:4], "1e999", "-0.0"]),
    st.sampled_from(["true", "false", "null", "12000", "\"12000 /uL\"", "\"\\ud800\""]),
)
json_values = st.recursive(
    json_scalars | st.integers(1, 200).map(deep),
    lambda inner: st.lists(inner, max_size=5).map(lambda items: "[" + ", ".join(items) + "]")
    | st.lists(st.tuples(st.sampled_from(["value", "unit", "on", "from", "to", "values", "1", "2", "x"]).map(json.dumps), inner),
               max_size=5).map(lambda pairs: "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"),
    max_leaves=12,
)


@st.composite
def json_file(draw: st.DrawFn, name: str) -> str:
    fields = [info.name for info in protocol(name).checked.inputs]
    records = []
    for _ in range(draw(st.integers(0, 4))):
        pairs = draw(st.lists(st.tuples(st.sampled_from([*fields, "id", "about"]) | st.sampled_from(HOSTILE_TEXT), json_values), max_size=8))
        records.append("{" + ", ".join(f"{json.dumps(k)}: {v}" for k, v in pairs) + "}")
    if draw(st.booleans()):
        records.append(draw(json_values))
    records.insert(draw(st.integers(0, len(records))), json.dumps(GOOD[name]))
    return "[" + ",\n ".join(records) + "]"


MUTATIONS = ["&a ", "*a", "[", "]", "{", "}", ": ", "- ", "\n", "  ", "!!binary ", "? ", "<<: *a\n", "\"", "'", "#", "%", "\t",
             "\\x1b", "\u202e", "9" * 120, "~", ",", "&b [*a, *a, *a, *a, *a, *a, *a, *a]", "!!python/object:os.system ", "\ufeff"]


@st.composite
def mutated_cohort(draw: st.DrawFn) -> tuple[str, str]:
    cohort = draw(st.sampled_from(["severance_2011", "infant_examples", "transplant_examples"]))
    text = (ROOT / "cohorts" / f"{cohort}.yaml").read_text(encoding="utf-8")
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.integers(0, 2))
        if kind == 0:
            text = text[:at] + draw(st.sampled_from(MUTATIONS)) + text[at:]
        elif kind == 1:
            text = text[:at] + text[at + draw(st.integers(1, 40)):]
        else:
            text = text[:at] + text[at:at + draw(st.integers(1, 200))] * draw(st.integers(2, 4)) + text[at:]
    protocol_name = "severance_2011" if cohort != "transplant_examples" else draw(st.sampled_from(["engraftment", "hsct_conditioning"]))
    return protocol_name, text


# ---- what every records file must give ------------------------------------------------------


def check_file(name: str, text: str, file: str, good: bool = True) -> None:
    """Read, bind, evaluate and render one file as the CLI does, and hold the properties in the module's docstring."""
    compiled = protocol(name)
    loaded = load_text(text, file, json_only=file.endswith(".json"))
    records = bind_all(loaded, compiled.checked)
    assert len(records) == len(loaded)
    run = evaluate_all(compiled, records, AS_OF, trace=False, reasons=True)
    assert len(run.results) == len(records)
    for result in run.results:
        if result.status != "invalid":
            continue
        assert result.errors
        for error in result.errors:
            assert str(error.code) in CODES and error.file == file, error
            assert error.patient == result.id, error
            located = result.id is not None or error.line is not None or str(error.code) in FILE_LEVEL or file.endswith(".json")
            assert located, error
    if good and not any(isinstance(item, LoadFailure) for item in loaded):
        decided = [r for r, raw in zip(run.results, loaded, strict=True) if isinstance(raw, RawRecord) and raw.data is not None
                   and isinstance(raw.data, dict) and raw.data.get("id") == "good" and r.id == "good"]
        assert decided, "the good record was not read"
        assert (decided[0].status, decided[0].decisions) == (alone(name).status, alone(name).decisions)
    document = json_render.dumps(json_render.run_document(run))
    assert not _RAW_CONTROL.search(document.replace("\n", ""))
    assert len(json.loads(document)["results"]) == len(records)
    out = io.StringIO()
    console = Console(file=out, width=160, soft_wrap=False, markup=False, emoji=False, force_terminal=True)
    console.print(terminal.run_table(run, [d.name for d in compiled.decisions]))
    lines = [terminal.record_error_line(error) for result in run.results for error in result.errors]
    shown = re.sub(r"\x1b\[[0-9;]*m", "", out.getvalue()) + "\n".join(lines)
    assert not _RAW_CONTROL.search(shown.replace("\n", ""))
    for result in run.results[:3]:  # explanations trace every step: a few per file
        if result.record is not None or result.status == "invalid":
            traced = evaluate_all(compiled, [r for r in records if r.id == result.id][:1], AS_OF, trace=True)
            console.print(terminal.explanation(traced, traced.results[0]))


@pytest.mark.parametrize("name", sorted(GOOD))
def test_generated_yaml_records(name: str) -> None:
    @given(yaml_file(name))
    @settings(fuzz_settings())
    def run(text: str) -> None:
        check_file(name, text, "fuzz.yaml")

    run()


@pytest.mark.parametrize("name", sorted(GOOD))
def test_generated_json_records(name: str) -> None:
    @given(json_file(name))
    @settings(fuzz_settings())
    def run(text: str) -> None:
        check_file(name, text, "fuzz.json")

    run()


@given(mutated_cohort())
@settings(fuzz_settings(), suppress_health_check=list(HealthCheck))
def test_mutated_cohorts(case: tuple[str, str]) -> None:
    name, text = case
    check_file(name, text, "mutated.yaml", good=False)


# ---- every input that ever failed -----------------------------------------------------------

REGRESSION_FILES = sorted(p for p in REGRESSIONS.glob("*") if p.suffix in (".yaml", ".json"))


@pytest.mark.parametrize("path", REGRESSION_FILES, ids=lambda p: p.name)
def test_regression_files(path: Path) -> None:
    """`<protocol>__<what>.yaml|json`: a good record (id `good`) when the file has one, beside the input that once failed;
    through the API and through the CLI (exit 0 or 1, never a traceback)."""
    name = path.name.split("__")[0]
    text = path.read_text(encoding="utf-8")
    check_file(name, text, str(path), good='"good"' in text or "id: good" in text)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["run", str(ROOT / "protocols" / f"{name}.care"), str(path), "--as-of", AS_OF.isoformat()])
    assert code in (0, 1), err.getvalue()
    assert "\x1b" not in out.getvalue() + err.getvalue()
    if name == "severance_2011":  # the same file beside another protocol, as `compare` reads it
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(["compare", str(ROOT / "protocols" / f"{name}.care"), str(ROOT / "protocols" / "interfant06.care"), str(path),
                             "--as-of", AS_OF.isoformat()])
        assert code in (0, 1), err.getvalue()
        assert "\x1b" not in out.getvalue() + err.getvalue()


def test_there_are_regression_files() -> None:
    assert len(REGRESSION_FILES) >= 10
