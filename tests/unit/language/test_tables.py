"""The parser's table cache: only a file this user alone can write is ever unpickled, never one in a shared temp folder."""

from __future__ import annotations

import os
import pickle
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from carepath.language import tables

PARSE = "from carepath.language.parser import parse; from carepath import Source; parse(Source('p.care', 'protocol p\\n'))"


class _Planted:
    """Unpickling this writes a marker file: the proof that a cache file was loaded."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return (Path.write_text, (self.marker, "code ran"))


def _parse_in_a_new_process(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir(exist_ok=True)
    return subprocess.run([sys.executable, "-c", PARSE], env=env, capture_output=True, text=True, check=True)


def test_tables_are_cached_in_a_private_directory_not_in_tmp(tmp_path: Path) -> None:
    _parse_in_a_new_process(tmp_path)
    directory = tmp_path / "cache" / "carepath"
    cached = directory / "lalr-protocol.cache"
    assert cached.is_file()
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert stat.S_IMODE(cached.stat().st_mode) == 0o600
    assert list((tmp_path / "tmp").iterdir()) == []  # nothing written to (or read from) the shared temp folder


def test_a_cache_file_others_can_write_is_removed_unread(tmp_path: Path) -> None:
    directory = tmp_path / "cache" / "carepath"
    directory.mkdir(parents=True, mode=0o700)
    marker = tmp_path / "marker"
    planted = directory / "lalr-protocol.cache"
    planted.write_bytes(b"0\n" + pickle.dumps(_Planted(marker)))  # as Lark reads a cache: a hash line, then pickles
    planted.chmod(0o666)
    _parse_in_a_new_process(tmp_path)
    assert not marker.exists()
    assert stat.S_IMODE(planted.stat().st_mode) == 0o600  # replaced by a fresh, private one


def test_a_directory_others_can_write_means_no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    (tmp_path / "carepath").mkdir(mode=0o700)
    (tmp_path / "carepath").chmod(0o777)
    assert tables.cache_file("protocol") is False


def test_a_symbolic_link_is_never_followed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    directory = tmp_path / "carepath"
    directory.mkdir(mode=0o700)
    elsewhere = tmp_path / "elsewhere.cache"
    elsewhere.write_bytes(b"not tables")
    (directory / "lalr-protocol.cache").symlink_to(elsewhere)
    assert tables.cache_file("protocol") == str(directory / "lalr-protocol.cache")
    assert not (directory / "lalr-protocol.cache").exists()  # the link is gone, its target untouched
    assert elsewhere.read_bytes() == b"not tables"


def test_an_unwritable_home_means_no_cache_not_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache directory would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert tables.cache_file("protocol") is False


# The names Lark's own default (`cache=True`) would read in $TMPDIR for carepath's two parsers: found by letting it
# write them once, so the planted files below sit exactly where the old behaviour would have loaded them from.
DEFAULT_NAMES = ("from unittest import mock; from carepath.language import tables, parser; from carepath import Source\n"
                 "with mock.patch.object(tables, 'cache_file', return_value=True):\n"
                 "    parser.parse_with_comments(Source('p.care', 'protocol p\\n'))\n")


def test_a_file_planted_in_the_temp_folder_is_never_loaded(tmp_path: Path) -> None:
    lark_default = tmp_path / "lark-default"
    lark_default.mkdir()
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "unused"), "TMPDIR": str(lark_default)}
    subprocess.run([sys.executable, "-c", DEFAULT_NAMES], env=env, capture_output=True, text=True, check=True)
    names = sorted(p.name for p in lark_default.iterdir())
    assert names and all(name.startswith(".lark_cache_") for name in names)  # where Lark's default would read
    marker = tmp_path / "marker"
    shared = tmp_path / "tmp"
    shared.mkdir()
    for name in names:  # someone else got there first, on a shared /tmp
        (shared / name).write_bytes(b"0\n" + pickle.dumps(_Planted(marker)))
        (shared / name).chmod(0o666)
    script = PARSE + "; from carepath.language.parser import parse_with_comments; parse_with_comments(Source('p.care', 'protocol p\\n'))"
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "TMPDIR": str(shared)}
    subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    assert not marker.exists()
    # the control: Lark's own default does load the planted file and run it, so the assertion above could fail
    subprocess.run([sys.executable, "-c", DEFAULT_NAMES], env=env, capture_output=True, text=True, check=True)
    assert marker.read_text() == "code ran"
