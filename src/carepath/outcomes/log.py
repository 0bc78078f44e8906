"""A run → decision-log lines (JSON Lines), one per decision with its provenance, chained by SHA-256 so that an
edited, removed or reordered line is found; and the check that finds it.

Each line's `hash` is SHA-256 of the previous line's hash (64 zeros for the first) followed by the line's canonical
JSON without `hash` (keys sorted, no spaces, UTF-8). The chain runs across appends: a new run continues the file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from carepath.runtime.engine import Result, Run
from carepath.semantics.values import DoseValue

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of `verify`: how many lines hold, the first that does not (1-based) with why, the last hash of
    the lines that hold, and the line that has a hash kept elsewhere (None when none has it, or none was asked)."""

    lines: int
    bad_line: int | None = None
    problem: str | None = None
    last: str = GENESIS
    kept_at: int | None = None

    @property
    def ok(self) -> bool:
        return self.bad_line is None


def canonical(entry: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in entry.items() if k != "hash"}, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chained(previous: str, entry: dict[str, Any]) -> str:
    return hashlib.sha256((previous + canonical(entry)).encode("utf-8")).hexdigest()


def _value(value: object) -> object:
    if isinstance(value, DoseValue):
        return {"value": value.number, "unit": value.unit, "schedule": value.schedule}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _facts(result: Result) -> list[dict[str, Any]]:
    record = result.record
    if record is None:
        return []
    return [{"input": f.input, "value": f.shown, "as_written": f.raw, "source": f.origin} for f in record.facts if f is not None]


def entries(run: Run, timestamp: dt.datetime) -> Iterator[dict[str, Any]]:
    """One entry per decision of each valid record, one per invalid record (with its errors), without hashes."""
    p = run.provenance
    provenance = {
        "protocol": {"name": p.protocol, "version": p.version, "sha256": p.sha256, "source": p.source},
        "parameters": {name: {"value": value, "default": default, "overridden": over} for name, value, default, over in p.parameters},
        "engine": {"name": "carepath", "version": p.engine_version},
        "as_of": run.as_of.isoformat(),
        "timestamp": timestamp.isoformat(),
    }
    for result in run.results:
        base = {"patient": result.id, "status": result.status, **provenance}
        if result.status == "invalid":
            yield {**base, "decision": None, "value": None, "errors": [f"{e.code} {e.message}" for e in result.errors], "facts": []}
            continue
        facts = _facts(result)
        for name, value in result.decisions.items():
            yield {**base, "decision": name, "value": _value(value), "needs": list(result.needs) if value is None else [], "facts": facts}


LINE_CHARACTERS = 1_000_000  # a log line holds one decision and its facts: a few KB; a longer one is not a log line


def _lines(path: Path) -> Iterator[tuple[int, str | None]]:
    """The log's lines, numbered from 1; None for one longer than `LINE_CHARACTERS`, which is never read whole.
    Only a regular file is a log: a device such as /dev/zero would be an endless line."""
    if path.exists() and not path.is_file():
        raise ValueError(f"{path}: not a regular file")
    with path.open(encoding="utf-8") as handle:
        number = 0
        while line := handle.readline(LINE_CHARACTERS + 1):
            number += 1
            if len(line) > LINE_CHARACTERS and not line.endswith("\n"):
                while (rest := handle.readline(LINE_CHARACTERS)) and not rest.endswith("\n"):
                    pass  # the rest of the long line, skipped a bounded piece at a time
                yield number, None
            else:
                yield number, line


def _entry(line: str) -> Any:
    """A line's JSON, or None when it is not JSON or nests past the reader's own limit."""
    try:
        return json.loads(line)
    except (json.JSONDecodeError, RecursionError):
        return None


def last_hash(path: Path) -> str:
    """The hash the next line chains to: the last line's, or the genesis hash for a new or empty file."""
    if not path.exists():
        return GENESIS
    last: str | None = ""
    for _, line in _lines(path):
        if line is None or line.strip():
            last = line
    if last == "":
        return GENESIS
    entry = None if last is None else _entry(last)
    found = entry.get("hash") if isinstance(entry, dict) else None
    if not isinstance(found, str):
        raise ValueError(f"{path}: the last line has no hash to continue the chain from; run `carepath log verify {path}`")
    return found


def append(path: Path, run: Run, timestamp: dt.datetime | None = None) -> int:
    """Append the run's lines to the log, continuing its chain; returns how many lines were written."""
    previous = last_hash(path)
    written = 0
    stamp = timestamp or dt.datetime.now(dt.UTC).replace(microsecond=0)
    with path.open("a", encoding="utf-8") as handle:
        for entry in entries(run, stamp):
            entry["hash"] = previous = chained(previous, entry)
            handle.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
            written += 1
    return written


def verify(path: Path, kept: str | None = None) -> Verdict:
    """Recompute the chain; the first line whose hash does not follow from the line before is named. An edited
    line fails its own hash; a removed or reordered line breaks the chain at the line after the gap. A log rewritten
    from its first line on holds a chain of its own: only a hash kept elsewhere (`kept`, a line's hash noted when
    the log was written) shows it, by being on no line."""
    previous = GENESIS
    count = 0
    kept_at: int | None = None
    for number, line in _lines(path):
        count = number
        if line is None:
            return Verdict(number - 1, number, f"longer than {LINE_CHARACTERS:,} characters: not a log line", previous, kept_at)
        entry = _entry(line)
        if entry is None:
            return Verdict(number - 1, number, "not JSON (or nested past what the JSON reader reads)", previous, kept_at)
        if not isinstance(entry, dict) or not isinstance(entry.get("hash"), str):
            return Verdict(number - 1, number, "no hash", previous, kept_at)
        expected = chained(previous, entry)
        if entry["hash"] != expected:
            return Verdict(number - 1, number, "its hash does not follow from the line before it: "
                                               "this line was edited, or a line before it was removed, inserted or moved", previous, kept_at)
        previous = entry["hash"]
        if kept is not None and kept_at is None and previous == kept.strip().lower():
            kept_at = number
    return Verdict(count, last=previous, kept_at=kept_at)


__all__ = ["GENESIS", "LINE_CHARACTERS", "Verdict", "append", "canonical", "chained", "entries", "last_hash", "verify"]
