"""Every example in docs/*.md is run, so the documentation cannot drift from what carepath does.

Fenced blocks are read with the HTML comments on the lines straight above them (`<!-- key: value -->`),
which the rendered page hides:

- ```care: compiles without diagnostics; `expect-error CPnnn` means compiling fails with that code,
  `expect-warning CPnnn` that it compiles with that warning; `append-to: PATH` compiles the block after
  the text of PATH (so a reference can show one definition instead of a whole protocol).
- ```console: `$ carepath …` lines are run from the repository root and their output (stdout then
  stderr, as a terminal shows them) must equal the lines below, trailing whitespace aside. They run in this
  process through the CLI's entry point, with the terminal a subprocess would have; a few commands also run as
  real subprocesses (the smoke tests below), so the installed entry point is exercised too.
  `exit: N` gives the expected exit status (default 0); `output: prefix` compares only the first lines.
- ```yaml, ```json, ```gherkin: must name a real file with `file: PATH` and equal it byte for byte.
- ```python: run as a script (`__name__ == "__main__"`, in this process) from the repository root; it must
  finish without an exception, so the `assert`s in it hold.
- ```care may also carry `file: PATH`; ```text blocks are syntax outlines with placeholders and are not run.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import carepath
from carepath import ProtocolError, Source, cli
from carepath.language.diagnostics import Severity

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
EXAMPLES = DOCS / "examples"
DOC_FILES = sorted(DOCS.glob("*.md"))
LANGUAGES = {"care", "console", "yaml", "json", "gherkin", "text", "python"}
FILE_BACKED = {"yaml", "json", "gherkin"}
KNOWN_DIRECTIVES = {"file", "expect-error", "expect-warning", "append-to", "exit", "output"}
FENCE = re.compile(r"^```([\w-]*)\s*$")
DIRECTIVE = re.compile(r"^<!--\s*([\w-]+)\s*:?\s*(.*?)\s*-->\s*$")
WIDTH = "120"  # the rich table and tree width every documented command is shown at


@dataclass(frozen=True)
class Block:
    doc: Path
    line: int  # 1-based line of the opening fence
    language: str
    text: str
    directives: dict[str, str]

    @property
    def name(self) -> str:
        return f"{self.doc.name}:{self.line}:{self.language}"


def parse_blocks(path: Path) -> list[Block]:
    """Fenced blocks of one Markdown file, each with the directives in the comment lines just above it."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        match = FENCE.match(lines[index].rstrip("\n"))
        if not match:
            index += 1
            continue
        start = index
        directives: dict[str, str] = {}
        above = start - 1
        while above >= 0 and (found := DIRECTIVE.match(lines[above].rstrip("\n"))):
            directives[found.group(1)] = found.group(2)
            above -= 1
        end = start + 1
        while end < len(lines) and lines[end].rstrip("\n") != "```":
            end += 1
        assert end < len(lines), f"{path.name}:{start + 1}: fenced block is never closed"
        blocks.append(Block(path, start + 1, match.group(1), "".join(lines[start + 1:end]), directives))
        index = end + 1
    return blocks


BLOCKS = [block for doc in DOC_FILES for block in parse_blocks(doc)]


def blocks_of(language: str) -> list[Block]:
    return [b for b in BLOCKS if b.language == language]


def _params(language: str) -> list[object]:
    return [pytest.param(b, id=b.name) for b in blocks_of(language)]


# ---- the documents themselves ----------------------------------------------------------------


def test_the_three_documents_exist() -> None:
    assert {p.name for p in DOC_FILES} >= {"language.md", "tutorial.md", "audit.md"}


@pytest.mark.parametrize("block", [pytest.param(b, id=b.name) for b in BLOCKS])
def test_every_block_has_a_known_language_and_known_directives(block: Block) -> None:
    assert block.language in LANGUAGES, f"{block.name}: fence language {block.language!r} is not one the tests run"
    assert set(block.directives) <= KNOWN_DIRECTIVES, f"{block.name}: unknown directive {set(block.directives) - KNOWN_DIRECTIVES}"


def _file_of(block: Block) -> Path:
    assert "file" in block.directives, f"{block.name}: a {block.language} block must name its file with <!-- file: PATH -->"
    path = ROOT / block.directives["file"]
    assert path.is_file(), f"{block.name}: {block.directives['file']} does not exist"
    return path


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.language in FILE_BACKED or "file" in b.directives], ids=lambda b: b.name)
def test_embedded_files_equal_the_real_files(block: Block) -> None:
    path = _file_of(block)
    assert block.text == path.read_text(encoding="utf-8"), f"{block.name} differs from {block.directives['file']}"


# ---- protocol examples -----------------------------------------------------------------------


def _protocol_text(block: Block) -> str:
    if "append-to" in block.directives:
        return (ROOT / block.directives["append-to"]).read_text(encoding="utf-8") + "\n" + block.text
    return block.text


@pytest.mark.parametrize("block", _params("care"))
def test_care_blocks_compile_or_fail_as_marked(block: Block) -> None:
    source = Source(block.directives.get("file", block.name), _protocol_text(block))
    expected_error = block.directives.get("expect-error")
    if expected_error:
        with pytest.raises(ProtocolError) as raised:
            carepath.compile_source(source)
        errors = [d.code for d in raised.value.diagnostics if d.severity is Severity.ERROR]
        assert expected_error in errors, f"{block.name}: expected {expected_error}, got {raised.value.render()}"
        return
    compiled = carepath.compile_source(source)
    warnings = [d.code for d in compiled.checked.warnings]  # type: ignore[attr-defined]
    expected_warning = block.directives.get("expect-warning")
    assert warnings == ([expected_warning] if expected_warning else []), f"{block.name}: warnings {warnings}"


# ---- commands --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    argv: list[str]
    text: str
    expected: list[str]


def parse_console(block: Block) -> list[Command]:
    commands: list[Command] = []
    for line in block.text.splitlines():
        if line.startswith("$ "):
            text = line[2:]
            argv = shlex.split(text)
            commands.append(Command(argv, text, []))
        else:
            assert commands, f"{block.name}: output before the first '$ ' command"
            commands[-1].expected.append(line)
    assert commands, f"{block.name}: a console block holds at least one '$ carepath …' command"
    return commands


# Variables that would make rich or the terminal colour or size output differently; a documented command runs
# without them, at a fixed width, as on a plain 120-column terminal.
TERMINAL_FORCING = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "CLICOLOR_FORCE")
TERMINAL = {"COLUMNS": WIDTH, "LINES": "50", "NO_COLOR": "1", "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8"}


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in TERMINAL_FORCING}
    env.update(TERMINAL)
    return env


def _normalise(lines: list[str]) -> list[str]:
    out = [line.rstrip() for line in lines]
    while out and not out[-1]:
        out.pop()
    return out


@dataclass(frozen=True)
class Done:
    stdout: str  # stdout and stderr interleaved, as a terminal shows them
    returncode: int


def run_command(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> Done:
    """`carepath ARGS` through the CLI's entry point in this process: from the repository root, in the terminal
    environment `run_subprocess` gives, stdout and stderr captured together; an argparse exit is an exit status."""
    for name in TERMINAL_FORCING:
        monkeypatch.delenv(name, raising=False)
    for name, value in TERMINAL.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(ROOT)
    output = io.StringIO()
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        try:
            code = cli.main(argv[1:])
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 0 if exit_.code is None else 1
    return Done(output.getvalue(), code)


def run_subprocess(argv: list[str]) -> subprocess.CompletedProcess[str]:
    # `python -m carepath.cli` is the installed `carepath` script without depending on PATH.
    return subprocess.run([sys.executable, "-m", "carepath.cli", *argv[1:]], cwd=ROOT, env=_environment(), text=True,
                          encoding="utf-8", stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120, check=False)


@pytest.mark.parametrize("block", _params("console"))
def test_console_blocks_print_what_the_docs_show(block: Block, monkeypatch: pytest.MonkeyPatch) -> None:
    exit_code = int(block.directives.get("exit", "0"))
    prefix = block.directives.get("output") == "prefix"
    assert block.directives.get("output", "prefix") == "prefix", f"{block.name}: output mode must be 'prefix'"
    for command in parse_console(block):
        assert command.argv[:1] == ["carepath"], f"{block.name}: only carepath commands are run: {command.text}"
        if command.argv[1:2] in (["run"], ["explain"]):
            assert "--as-of" in command.argv, f"{block.name}: '{command.text}' needs a fixed --as-of to be reproducible"
        done = run_command(command.argv, monkeypatch)
        actual, expected = _normalise(done.stdout.splitlines()), _normalise(command.expected)
        if prefix:
            assert expected, f"{block.name}: a prefix comparison needs some expected output"
            actual = actual[:len(expected)]
        assert actual == expected, f"{block.name}: $ {command.text}\n--- output was:\n" + "\n".join(actual)
        assert done.returncode == exit_code, f"{block.name}: $ {command.text} exited {done.returncode}, the docs say {exit_code}"


def _command_paths() -> set[Path]:
    paths: set[Path] = set()
    for block in blocks_of("console"):
        for command in parse_console(block):
            paths.update((ROOT / arg).resolve() for arg in command.argv[1:] if not arg.startswith("-"))
    return paths


def test_every_example_file_is_shown_or_used() -> None:
    """A file under docs/examples that no block embeds and no command reads is an example nobody runs."""
    used = _command_paths() | {(ROOT / b.directives["file"]).resolve() for b in BLOCKS if "file" in b.directives}
    used |= {(ROOT / b.directives["append-to"]).resolve() for b in BLOCKS if "append-to" in b.directives}
    unused = [p.relative_to(ROOT) for p in sorted(EXAMPLES.rglob("*")) if p.is_file()
              and not any(p.resolve() == u or u in p.resolve().parents for u in used)]
    assert not unused, f"example files no document uses: {unused}"


def _summary_table() -> dict[str, tuple[str, str]]:
    """docs/diagnostics.md's summary table: code → (severity, meaning)."""
    rows = re.findall(r"^\| `(CP\d{3})` \| (\w+) \| (.*?) \|$", (DOCS / "diagnostics.md").read_text(encoding="utf-8"), flags=re.MULTILINE)
    return {code: (severity, meaning) for code, severity, meaning in rows}


def _slug(heading: str) -> str:
    """A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_every_diagnostic_code_is_documented() -> None:
    """Every code in the source is registered; the registry and docs/diagnostics.md's table agree row for row, each
    code's anchor is a heading on that page naming it; the reference's table names no code the source never emits."""
    from carepath.language.codes import CODES

    emitted = set()
    for module in (ROOT / "src" / "carepath").rglob("*.py"):
        if module.name != "codes.py":
            emitted |= set(re.findall(r"\"(CP\d{3})\"", module.read_text(encoding="utf-8")))
    assert emitted, "no diagnostic codes found in the source"
    assert emitted <= set(CODES), f"codes the source uses but the registry lacks: {sorted(emitted - set(CODES))}"
    table = _summary_table()
    registered = {c.code: (c.severity.value, c.summary) for c in CODES.values()}
    assert table == registered, f"docs/diagnostics.md's table and carepath.language.codes differ: {set(table.items()) ^ set(registered.items())}"
    page = (DOCS / "diagnostics.md").read_text(encoding="utf-8")
    headings = {_slug(h): h for h in re.findall(r"^#+ (.*)$", page, flags=re.MULTILINE)}
    for entry in CODES.values():
        assert entry.anchor in headings, f"{entry.code}: no heading in docs/diagnostics.md has the anchor #{entry.anchor}"
        assert entry.code in headings[entry.anchor], f"{entry.code}: the heading #{entry.anchor} does not name it"
    reference = set(re.findall(r"^\| `(CP\d{3})` \|", (DOCS / "language.md").read_text(encoding="utf-8"), flags=re.MULTILINE))
    assert reference <= set(CODES), f"docs/language.md names codes carepath does not have: {sorted(reference - set(CODES))}"
    assert set(CODES) <= emitted, f"registered codes no module emits: {sorted(set(CODES) - emitted)}"


def test_every_error_code_has_a_failing_example() -> None:
    """Each error code in the table is shown by a protocol that really fails with it (the size limits aside), or,
    for a record error, by a documented run that prints it."""
    shown = {b.directives["expect-error"] for b in blocks_of("care") if "expect-error" in b.directives}
    shown |= {b.directives["expect-warning"] for b in blocks_of("care") if "expect-warning" in b.directives}
    # a record error is shown by a run that prints it: `invalid record: file:line:column: CP5nn …`
    shown |= {code for b in blocks_of("console") for code in re.findall(r"^invalid record: (?:\S+: )?(CP5\d\d) ", b.text, re.MULTILINE)}
    reference = (DOCS / "language.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(CP\d{3})` \|", reference, flags=re.MULTILINE))
    assert documented - shown <= {"CP104", "CP105"}, f"codes without an example: {sorted(documented - shown - {'CP104', 'CP105'})}"


def test_the_block_reader_attaches_directives_to_the_next_fence_only(tmp_path: Path) -> None:
    """The harness itself: a directive belongs to the fence right below it, and blocks keep their text exactly."""
    page = tmp_path / "page.md"
    page.write_text("intro\n<!-- exit: 1 -->\n\n```console\n$ carepath --version\n```\n"
                    "<!-- expect-error CP302 -->\n<!-- append-to: x.care -->\n```care\na\n  b\n```\n", encoding="utf-8")
    first, second = parse_blocks(page)
    assert (first.language, first.directives, first.line) == ("console", {}, 4)  # a blank line detaches the comment
    assert second.directives == {"expect-error": "CP302", "append-to": "x.care"}
    assert second.text == "a\n  b\n"
    assert [c.argv for c in parse_console(first)] == [["carepath", "--version"]]


def test_commands_run_this_checkout_and_report_exit_status(monkeypatch: pytest.MonkeyPatch) -> None:
    """The harness runs this checkout's engine and sees its exit status (2 for an unknown patient), in this process
    and as a real subprocess of the installed entry point alike."""
    unknown = ["carepath", "explain", "docs/examples/infant_risk.care", "docs/examples/infant_patients.yaml", "--patient", "nobody",
               "--as-of", "2026-01-01"]
    done = run_subprocess(["carepath", "--version"])
    assert _normalise(done.stdout.splitlines()) == [f"carepath {carepath.__version__}"]
    assert done.returncode == 0
    failing = run_subprocess(unknown)
    assert failing.returncode == 2
    in_process = run_command(unknown, monkeypatch)
    assert (in_process.stdout, in_process.returncode) == (failing.stdout, failing.returncode)
    assert run_command(["carepath", "--version"], monkeypatch) == Done(done.stdout, 0)


# ---- claims the documents make -----------------------------------------------------------------


def test_the_tutorial_feature_carries_the_tutorial_protocol() -> None:
    """The tutorial says its feature holds exactly the protocol the tutorial writes."""
    feature = (ROOT / "features" / "tutorial_example.feature").read_text(encoding="utf-8")
    found = re.search(r'^( *)"""\n(.*?)^\1"""', feature, flags=re.MULTILINE | re.DOTALL)
    assert found, "the tutorial feature has no protocol docstring"
    indent = found.group(1)
    text = "".join(line[len(indent):] if line.startswith(indent) else line.lstrip(" ")
                   for line in found.group(2).splitlines(keepends=True))
    assert text == (EXAMPLES / "febrile_neutropenia.care").read_text(encoding="utf-8")


def test_the_digest_in_the_json_is_the_sha256_of_the_protocol_file() -> None:
    """The audit guide says `sha256sum FILE` prints the same digest as the run document."""
    import hashlib
    import json

    done = run_subprocess(["carepath", "run", "docs/examples/infant_risk.care", "docs/examples/cohort", "--as-of", "2026-01-01",
                           "--format", "json"])
    document = json.loads(done.stdout)
    assert document["protocol"]["sha256"] == hashlib.sha256((EXAMPLES / "infant_risk.care").read_bytes()).hexdigest()


def test_the_same_inputs_give_byte_identical_json() -> None:
    """The reproducibility the audit guide promises: two runs, two processes (each with its own hash seed), same bytes."""
    argv = ["carepath", "explain", "docs/examples/infant_risk.care", "docs/examples/infant_patients.yaml", "--patient", "E",
            "--as-of", "2026-01-01", "--format", "json"]
    assert run_subprocess(argv).stdout == run_subprocess(argv).stdout


# ---- Python examples ---------------------------------------------------------------------------


@pytest.mark.parametrize("block", _params("python"))
def test_python_blocks_run_and_their_assertions_hold(block: Block, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    exec(compile(block.text, block.name, "exec"), {"__name__": "__main__"})
