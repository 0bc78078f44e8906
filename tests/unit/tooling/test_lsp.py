"""`carepath lsp` spoken to as an editor does: a subprocess, JSON-RPC messages with Content-Length framing on its
stdin and stdout. Every wait has a deadline and the process is killed at the end, so a broken server fails the
test instead of hanging CI. The index behind hover and go-to-definition is also checked on every shipped protocol."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from carepath import cli
from carepath.tooling.lsp import analyse, describe

ROOT = Path(__file__).resolve().parents[3]
DEADLINE = 60.0  # seconds any one reply may take before the test gives up (a guard against hanging, not a speed check)
URI = "file:///protocols/lsp_demo.care"

# The typo `mll_translocaton` is on a line whose title holds a character outside the Basic Multilingual Plane (🩺):
# LSP counts columns in UTF-16 code units, two for it, so a server that counted code points would be off by one.
BROKEN = """\
protocol lsp_demo "Editor demo"
  version "1.0.0"
  source "Lee KA et al. 2011"

input
  wbc_at_diagnosis : quantity /uL plausible 100 /uL .. 2000000 /uL
  mll : one of germline, translocation, duplication

criterion hyperleukocytosis "WBC at or above 300,000/µL" cites "Lee 2011, Table 1":
  wbc_at_diagnosis >= 300000 /uL
criterion mll_translocation "MLL translocation" cites "Lee 2011, Table 1": mll = translocation

classify risk "Risk group 🩺" cites "Lee 2011, Methods": high when hyperleukocytosis or mll_translocaton
  standard otherwise
"""
TYPO = "mll_translocaton"
TYPO_LINE = 12  # 0-based, as LSP counts
FIXED = BROKEN.replace(TYPO, "mll_translocation")


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def column(text: str, line: int, needle: str, after: str = "") -> int:
    """The UTF-16 column of `needle` on a 0-based line, searching after `after` if given."""
    line_text = text.split("\n")[line]
    start = line_text.index(needle, line_text.index(after) + len(after) if after else 0)
    return utf16(line_text[:start])


class Client:
    """Just enough of an LSP client: framed writes, a reader thread, and replies matched to requests by id."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process
        self.incoming: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.notifications: list[dict[str, Any]] = []
        self.next_id = 0
        self.errors: list[bytes] = []  # the server's stderr, drained so a chatty log can never fill the pipe and stall it
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.errors.append(line)

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            headers: dict[str, str] = {}
            while True:
                line = stream.readline()
                if not line:
                    self.incoming.put(None)  # the server closed its output
                    return
                if line in (b"\r\n", b"\n"):
                    break
                key, _, value = line.decode("ascii").partition(":")
                headers[key.strip().lower()] = value.strip()
            body = stream.read(int(headers["content-length"]))
            self.incoming.put(json.loads(body.decode("utf-8")))

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self.send({"method": method, "params": params})

    def _next(self) -> dict[str, Any]:
        try:
            message = self.incoming.get(timeout=DEADLINE)
        except queue.Empty:
            raise AssertionError(f"no message from the server within {DEADLINE} s") from None
        assert message is not None, "the server closed its output: " + b"".join(self.errors).decode("utf-8", "replace")
        return message

    def request(self, method: str, params: dict[str, Any] | None) -> Any:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        while True:
            message = self._next()
            if message.get("id") == self.next_id and "method" not in message:
                assert "error" not in message, message["error"]
                return message.get("result")
            if "method" in message and "id" in message:  # a request from the server (e.g. a log or registration)
                self.send({"id": message["id"], "result": None})
            else:
                self.notifications.append(message)

    def diagnostics(self, uri: str, version: int) -> list[dict[str, Any]]:
        """The diagnostics published for a document's given version, waiting for them if they have not come yet."""
        while True:
            for note in self.notifications:
                params = note.get("params", {})
                if note.get("method") == "textDocument/publishDiagnostics" and params.get("uri") == uri and params.get("version") == version:
                    self.notifications.remove(note)
                    return list(params["diagnostics"])
            message = self._next()
            if "method" in message and "id" in message:
                self.send({"id": message["id"], "result": None})
            elif "method" in message:
                self.notifications.append(message)


@pytest.fixture
def client() -> Iterator[Client]:
    process = subprocess.Popen([sys.executable, "-m", "carepath.cli", "lsp"], cwd=ROOT, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        yield Client(process)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=DEADLINE)


def test_a_session_over_stdio(client: Client) -> None:
    # ---- start-up: the server says what it offers
    result = client.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
    capabilities = result["capabilities"]
    assert capabilities["hoverProvider"] and capabilities["definitionProvider"] and capabilities["documentSymbolProvider"]
    assert result["serverInfo"]["name"] == "carepath"
    client.notify("initialized", {})

    # ---- a document with an unknown name: one diagnostic, on the misspelt name, with the checker's hint
    client.notify("textDocument/didOpen", {"textDocument": {"uri": URI, "languageId": "care", "version": 1, "text": BROKEN}})
    [diagnostic] = client.diagnostics(URI, 1)
    assert diagnostic["code"] == "CP201"
    assert diagnostic["severity"] == 1  # Error
    assert diagnostic["source"] == "carepath"
    start = column(BROKEN, TYPO_LINE, TYPO)
    assert diagnostic["range"] == {"start": {"line": TYPO_LINE, "character": start},
                                   "end": {"line": TYPO_LINE, "character": start + len(TYPO)}}
    assert TYPO in diagnostic["message"]
    assert "hint: did you mean 'mll_translocation'?" in diagnostic["message"]

    # ---- the author fixes the typo with an edit of one character: the diagnostics are cleared
    insert_at = start + len("mll_translocat")
    client.notify("textDocument/didChange", {
        "textDocument": {"uri": URI, "version": 2},
        "contentChanges": [{"range": {"start": {"line": TYPO_LINE, "character": insert_at}, "end": {"line": TYPO_LINE, "character": insert_at}},
                            "text": "i"}],
    })
    assert client.diagnostics(URI, 2) == []

    # ---- hover on a criterion used in a branch, with the cursor just after its name: title and citation
    hover_at = column(FIXED, TYPO_LINE, "hyperleukocytosis") + len("hyperleukocytosis")
    hover = client.request("textDocument/hover", {"textDocument": {"uri": URI}, "position": {"line": TYPO_LINE, "character": hover_at}})
    text = hover["contents"]["value"]
    assert "criterion" in text and "hyperleukocytosis" in text
    assert "WBC at or above 300,000/µL" in text
    assert "Lee 2011, Table 1" in text
    assert "wbc_at_diagnosis >= 300000 /uL" in text
    assert hover["range"]["start"] == {"line": TYPO_LINE, "character": column(FIXED, TYPO_LINE, "hyperleukocytosis")}

    # ---- hover on an input: its type, unit and plausible range
    hover = client.request("textDocument/hover", {"textDocument": {"uri": URI},
                                                  "position": {"line": 9, "character": column(FIXED, 9, "wbc_at_diagnosis") + 3}})
    text = hover["contents"]["value"]
    assert "input" in text and "quantity /uL" in text and "100 /uL .. 2000000 /uL" in text

    # ---- go to definition of the criterion used in the branch: its declaration on line 10 (0-based)
    use = column(FIXED, TYPO_LINE, "mll_translocation")
    location = client.request("textDocument/definition", {"textDocument": {"uri": URI}, "position": {"line": TYPO_LINE, "character": use + 2}})
    if isinstance(location, list):
        [location] = location
    declared = column(FIXED, 10, "mll_translocation")
    assert location == {"uri": URI, "range": {"start": {"line": 10, "character": declared},
                                              "end": {"line": 10, "character": declared + len("mll_translocation")}}}

    # ---- an enumeration member in a comparison goes to its place in the input's `one of`
    member = column(FIXED, 10, "translocation", after="mll = ")
    location = client.request("textDocument/definition", {"textDocument": {"uri": URI}, "position": {"line": 10, "character": member}})
    if isinstance(location, list):
        [location] = location
    assert location["range"]["start"] == {"line": 6, "character": column(FIXED, 6, "translocation")}

    # ---- the outline: the protocol, its inputs and definitions in file order, the classification's branches
    symbols = client.request("textDocument/documentSymbol", {"textDocument": {"uri": URI}})
    [protocol] = symbols
    assert protocol["name"] == "lsp_demo"
    assert [c["name"] for c in protocol["children"]] == ["wbc_at_diagnosis", "mll", "hyperleukocytosis", "mll_translocation", "risk"]
    risk = protocol["children"][-1]
    assert [b["name"] for b in risk["children"]] == ["high", "standard"]
    assert risk["selectionRange"]["start"] == {"line": 12, "character": len("classify ")}
    assert [m["name"] for m in protocol["children"][1]["children"]] == ["germline", "translocation", "duplication"]

    # ---- a syntax error as the author types: reported with its own code
    client.notify("textDocument/didChange", {"textDocument": {"uri": URI, "version": 3},
                                             "contentChanges": [{"text": FIXED.replace("high when", "high whn")}]})
    [syntax] = client.diagnostics(URI, 3)
    assert syntax["code"] == "CP101"
    assert syntax["range"]["start"]["line"] == TYPO_LINE
    # …while the outline stays that of the last version that parsed
    symbols = client.request("textDocument/documentSymbol", {"textDocument": {"uri": URI}})
    assert [c["name"] for c in symbols[0]["children"]][-1] == "risk"

    # ---- warnings are warnings, the deep analysis's among them: without `otherwise`, the classification is
    # incomplete, and the diagnostic carries a patient it leaves unclassified, as a record to paste and run
    client.notify("textDocument/didChange", {"textDocument": {"uri": URI, "version": 4},
                                             "contentChanges": [{"text": FIXED.replace("\n  standard otherwise", "")}]})
    warnings = {d["code"]: d for d in client.diagnostics(URI, 4)}
    assert set(warnings) == {"CP402", "CP407"}
    assert {d["severity"] for d in warnings.values()} == {2}  # Warning
    incomplete = warnings["CP407"]
    assert incomplete["range"]["start"] == {"line": TYPO_LINE, "character": len("classify ")}
    assert "- id: counterexample" in incomplete["message"] and "mll:" in incomplete["message"]

    # ---- shutdown and exit: the process ends on its own, with status 0
    assert client.request("shutdown", None) is None
    client.notify("exit", None)
    assert client.process.wait(timeout=DEADLINE) == 0


def test_without_pygls_the_command_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delitem(sys.modules, "carepath.tooling.lsp", raising=False)
    monkeypatch.setitem(sys.modules, "pygls", None)  # importing it now fails as if it were not installed
    monkeypatch.setitem(sys.modules, "pygls.lsp.server", None)
    assert cli.main(["lsp"]) == 2
    assert "pip install 'carepath[editor]'" in capsys.readouterr().err


# ---- the index behind hover and go-to-definition, on real protocols ------------------------------------------------

PROTOCOLS = sorted((ROOT / "protocols").glob("*.care"))


@pytest.mark.parametrize("path", PROTOCOLS, ids=lambda p: p.name)
def test_every_name_in_a_shipped_protocol_resolves(path: Path) -> None:
    analysis = analyse(path.read_text(encoding="utf-8"), str(path))
    assert analysis.diagnostics == () or all(d.severity.value == "warning" for d in analysis.diagnostics)
    unresolved = [(o.span.line, o.name) for o in analysis.occurrences if o.target is None and o.builtin is None and o.name != "as_of"]
    assert not unresolved
    for occurrence in analysis.occurrences:
        if occurrence.target is not None:
            assert occurrence.target.name == occurrence.name
            assert f"`{occurrence.name}`" in describe(occurrence.target)


@pytest.mark.parametrize("path", PROTOCOLS, ids=lambda p: p.name)
def test_every_declaration_span_reads_its_name(path: Path) -> None:
    """Each input and definition sits where the file declares it: the name's span reads the name in the text."""
    text = path.read_text(encoding="utf-8")
    analysis = analyse(text, str(path))
    assert analysis.protocol is not None
    lines = text.split("\n")
    for declaration in analysis.declarations.values():
        span = declaration.span
        assert lines[span.line - 1][span.column - 1:span.end_column - 1] == declaration.name


def test_hover_text_for_each_kind_of_declaration() -> None:
    text = (ROOT / "protocols" / "hsct_conditioning.care").read_text(encoding="utf-8")
    analysis = analyse(text)
    busulfan = describe(analysis.declarations["busulfan"])
    assert busulfan.startswith("**dose** `busulfan` — Busulfan, per dose")
    assert "in mg" in busulfan and "when" in busulfan
    light = describe(analysis.declarations["busulfan_per_dose_light"])
    assert "value: `0.9 mg/kg` (plausible 0.5 mg/kg .. 1.5 mg/kg)" in light
    assert "cites: Lee 2011, Methods" in light
    age = describe(analysis.declarations["age_at_intrathecal"])
    assert "type: duration" in age and "plausible: 0 days .. 25 years" in age and "`date_of_birth` to `intrathecal_date`" in age
    engraftment = analyse((ROOT / "protocols" / "engraftment.care").read_text(encoding="utf-8"))
    event = describe(engraftment.declarations["neutrophil_engraftment"])
    assert event.startswith("**event** `neutrophil_engraftment`") and "anc >= 500 /uL" in event
    anc = describe(engraftment.declarations["anc"])
    assert "type: series of quantity /uL" in anc and "unit: /uL" in anc and "day 0 is `transplant_date`" in anc


def test_a_value_resolves_to_the_one_its_comparison_names() -> None:
    """`b = yes` is input b's `yes`, not a's, though both declare one; `risk = high` is the classification's branch."""
    text = """\
protocol values
input
  a : one of yes, no
  b : one of no, yes
criterion both: a = yes and b = yes
classify risk: high when both
  low otherwise
recommend act: when risk = high
"""
    analysis = analyse(text)
    assert analysis.diagnostics == ()
    lines = text.split("\n")
    yes = [o for o in analysis.occurrences if o.name == "yes" and o.span.line == 5]
    assert [(o.target.owner, o.target.kind) for o in yes if o.target] == [("a", "member"), ("b", "member")]
    assert [lines[o.target.span.line - 1] for o in yes if o.target] == ["  a : one of yes, no", "  b : one of no, yes"]
    [high] = [o for o in analysis.occurrences if o.name == "high" and o.span.line == 8]
    assert high.target is not None and (high.target.kind, high.target.owner, high.target.span.line) == ("branch", "risk", 6)


def test_a_definition_may_share_the_protocol_s_name() -> None:
    analysis = analyse("protocol engraftment\ninput\n  x : boolean\ncriterion engraftment: x\nrecommend act: when engraftment\n")
    assert analysis.diagnostics == ()
    [used] = [o for o in analysis.occurrences if o.name == "engraftment" and o.span.line == 5]
    assert used.target is not None and (used.target.kind, used.target.span.line) == ("criterion", 4)
    assert analysis.header is not None and analysis.header.span.line == 1


# ---- the editor and `carepath check` agree, file for file --------------------------------------------------------

FENCE_CARE = "```care"

# Broken on purpose: what an author meets while writing. The CP402 case covers every age with two branches and no
# `otherwise`: the analysis proves it complete, so neither `carepath check` nor the editor may warn about it.
BROKEN_FILES = {
    "syntax.care": "protocol syntax\ninput\n  wbc : quantity /uL\ncriterion high: wbc >= >= 50000 /uL\n",
    "did_you_mean.care": "protocol typo\ninput\n  wbc_at_diagnosis : quantity /uL\ncriterion high: wbc_at_diagnsis >= 50000 /uL\n"
                         "recommend review: when high\n",
    "units.care": "protocol units\ninput\n  wbc : quantity /uL\ncriterion high: wbc >= 6 months\nrecommend review: when high\n",
    "proved_complete.care": "protocol infants\ninput\n  age : duration plausible 0 days .. 25 years\nclassify infant:\n"
                            "  young when age < 6 months\n  older when age >= 6 months\n",
    "incomplete.care": "protocol gap\ninput\n  wbc : quantity /uL plausible 100 /uL .. 2000000 /uL\n"
                       "  mll : one of germline, translocation\nclassify risk:\n  high when wbc >= 50000 /uL or mll = translocation\n"
                       "  standard when wbc < 20000 /uL\n",
}


def documented_protocols() -> dict[str, str]:
    """Each ```care block of the docs, as the docs tests compile it (`append-to` blocks after their file's text)."""
    found: dict[str, str] = {}
    for doc in sorted((ROOT / "docs").glob("*.md")):
        lines = doc.read_text(encoding="utf-8").splitlines(keepends=True)
        for index, line in enumerate(lines):
            if line.rstrip() != FENCE_CARE:
                continue
            end = next(i for i in range(index + 1, len(lines)) if lines[i].rstrip() == "```")
            text = "".join(lines[index + 1:end])
            above = index - 1
            while above >= 0 and lines[above].startswith("<!--"):
                if lines[above].startswith("<!-- append-to:"):
                    appended = lines[above].removeprefix("<!-- append-to:").removesuffix("-->\n").strip()
                    text = (ROOT / appended).read_text(encoding="utf-8") + "\n" + text
                above -= 1
            found[f"{doc.stem}_{index + 1}.care"] = text
    return found


def code_points(text: str, line: int, utf16_column: int) -> int:
    """A 0-based UTF-16 column on a 0-based line, as the 1-based code-point column `carepath check` prints."""
    units, column = 0, 0
    for character in text.split("\n")[line]:
        if units >= utf16_column:
            break
        units += utf16(character)
        column += 1
    return column + 1


def as_check_reports(text: str, item: dict[str, Any]) -> tuple[str, int, int, str, str]:
    start = item["range"]["start"]
    return (item["code"], start["line"] + 1, code_points(text, start["line"], start["character"]),
            {1: "error", 2: "warning"}[item["severity"]], item["message"])


def as_the_editor_shows(item: dict[str, Any]) -> tuple[str, int, int, str, str]:
    """A `carepath check --format json` item with its hint and counterexample record joined to the message, as the
    editor shows them in one message."""
    message = item["message"] + (f"\nhint: {item['hint']}" if item["hint"] else "")
    if "record" in item:
        when = f" with --as-of {item['as_of']}" if item["as_of"] else ""
        message += f"\nsuch a patient, as a record to run{when}:\n{item['record'].rstrip()}"
    return item["code"], item["line"], item["column"], item["severity"], message


def test_language_server_diagnostics_equal_check(client: Client, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """For every shipped protocol, every docs example and a set of broken files, the diagnostics the language server
    publishes are those `carepath check` reports: code, line, column, severity and message (hint and record too)."""
    files: dict[Path, str] = {path: path.read_text(encoding="utf-8") for path in PROTOCOLS}
    files |= {path: path.read_text(encoding="utf-8") for path in sorted((ROOT / "docs" / "examples").rglob("*.care"))}
    for name, text in (documented_protocols() | BROKEN_FILES).items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        files[tmp_path / name] = text
    assert len(files) > 80

    code = cli.main(["check", "--format", "json", *map(str, files)])
    document = json.loads(capsys.readouterr().out)
    assert code == 2  # the broken files and the docs' failing examples
    checked = {item["path"]: [as_the_editor_shows(d) for d in item["diagnostics"]] for item in document["files"]}

    client.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
    client.notify("initialized", {})
    for path, text in files.items():
        uri = path.as_uri()
        client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "care", "version": 1, "text": text}})
        published = [as_check_reports(text, d) for d in client.diagnostics(uri, 1)]
        assert published == checked[str(path)], path.name
        client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})

    broken = {name: [d[:4] for d in checked[str(tmp_path / name)]] for name in BROKEN_FILES}
    assert broken == {
        "syntax.care": [("CP101", 4, 24, "error")],  # the second `>=`
        "did_you_mean.care": [("CP201", 4, 17, "error")],
        "units.care": [("CP302", 4, 24, "error")],  # `6 months` against a count
        "proved_complete.care": [],  # no CP402: the two branches cover every age
        "incomplete.care": [("CP407", 5, 10, "warning"), ("CP402", 7, 3, "warning")],
    }
    assert "did you mean 'wbc_at_diagnosis'?" in checked[str(tmp_path / "did_you_mean.care")][0][4]
    assert "- id: counterexample" in checked[str(tmp_path / "incomplete.care")][0][4]


def test_a_document_with_cr_line_ends_gets_diagnostics_on_the_lines_the_editor_shows(client: Client) -> None:
    """LSP clients end a line at CR, LF or CR LF; carepath reads the text the same way, so positions agree."""
    client.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
    client.notify("initialized", {})
    for ending in ("\r", "\r\n"):
        text = ending.join(["protocol p", "input", "  wbc : quantity /uL", "criterion c: wbc > 5 mg", ""])
        uri = f"file:///cr{len(ending)}.care"
        client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "care", "version": 1, "text": text}})
        (diagnostic,) = client.diagnostics(uri, 1)
        assert (diagnostic["code"], diagnostic["range"]["start"]) == ("CP302", {"line": 3, "character": 19})


def test_a_document_that_starts_with_a_byte_order_mark_gets_diagnostics_where_the_editor_shows_them(client: Client) -> None:
    """The parser drops a leading byte-order mark; a client that keeps it counts it as the first line's first character."""
    client.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
    client.notify("initialized", {})
    for first, shift in (("protocol p wbc > 5 mg", 1), ("protocol p", 0)):
        text = "\ufeff" + "\n".join([first if shift else "protocol p", "input", "  wbc : quantity /uL", "criterion c: wbc > 5 mg", ""])
        uri = f"file:///bom{shift}.care"
        client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "care", "version": 1, "text": text}})
        diagnostics = client.diagnostics(uri, 1)
        assert diagnostics, text
        if shift:  # an error on line 1: its column counts the mark
            assert diagnostics[0]["range"]["start"] == {"line": 0, "character": 12}
        else:  # other lines are as without it
            assert (diagnostics[0]["code"], diagnostics[0]["range"]["start"]) == ("CP302", {"line": 3, "character": 19})
