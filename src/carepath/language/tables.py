"""Where the parser's LALR tables are cached: a directory only this user can write, never a shared temp folder.

Lark unpickles its cache file at every start, so a file someone else could have written would run their code as
ours (Lark's own default is `$TMPDIR/.lark_cache_…`, which on a shared /tmp anyone can create first). A cache file
is therefore read only from `$XDG_CACHE_HOME/carepath` (or `~/.cache/carepath`), and only when this user owns both
it and the directory and nobody else can write to either; otherwise the tables are built afresh (about 0.2 s).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


def cache_directory() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "carepath"


def private(path: Path) -> bool:
    """Owned by this user, not a symbolic link, and writable by nobody else."""
    try:
        info = path.lstat()
    except OSError:
        return False
    return (not stat.S_ISLNK(info.st_mode) and info.st_uid == os.getuid()
            and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH))


def cache_file(variant: str) -> str | bool:
    """What to pass as `Lark(cache=…)`: a file in the private directory, or False (no cache) where none can be had.

    A cache file that is not private is removed, never read; Lark then writes a fresh one.
    """
    directory = cache_directory()
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return False
    if not private(directory):
        return False
    path = directory / f"lalr-{variant}.cache"
    if os.path.lexists(path) and not private(path):
        try:
            path.unlink()
        except OSError:
            return False
    return str(path)


def seal(cache: str | bool) -> None:
    """After Lark has written its tables: readable and writable by this user alone, whatever the umask."""
    if isinstance(cache, str) and os.path.isfile(cache) and not os.path.islink(cache):
        os.chmod(cache, 0o600)
