"""A records file's `published:` section → the figures a paper printed for the cohort (survival estimates with
their standard errors, log-rank P values), each with where it was printed and, where it cannot be reproduced,
why; `carepath outcomes` sets what the data give beside each. No rule reads it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from carepath.data.safeload import BoundedLoader, TooLarge, read_limited

_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")


class PublishedError(ValueError):
    """A `published:` section that cannot be read: the message names the file and the figure."""


@dataclass(frozen=True, slots=True)
class Printed:
    """A number as printed, and how many decimals it was printed with (the precision to reproduce it to)."""

    value: float
    decimals: int
    text: str

    @classmethod
    def parse(cls, text: str) -> Printed:
        number = _NUMBER.fullmatch(text.strip())
        if number is None:
            raise PublishedError(f"'{text}' is not a number as printed")
        digits = number.group().split(".")
        return cls(float(number.group()), len(digits[1]) if len(digits) == 2 else 0, number.group())

    def matches(self, value: float) -> bool:
        return round(value, self.decimals) == round(self.value, self.decimals)


@dataclass(frozen=True, slots=True)
class Figure:
    """One printed figure: an estimate (`survival` ± `se`, in percent, at `at`) of `group` under `by`, or the
    log-rank `p` between the groups of `by`; `protocol` limits it to that protocol's groups."""

    endpoint: str
    by: str | None
    protocol: str | None
    group: str | None
    at: str | None
    survival: Printed | None
    se: Printed | None
    p: Printed | None
    printed: str
    where: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class Published:
    source: str | None
    figures: tuple[Figure, ...]


_KEYS = ("endpoint", "by", "protocol", "group", "at", "printed", "logrank_p", "where", "note")


def _text(entry: Mapping[str, Any], key: str) -> str | None:
    value = entry.get(key)
    return None if value is None else str(value)


def _figure(entry: Any, index: int, name: str) -> Figure:
    if not isinstance(entry, Mapping):
        raise PublishedError(f"{name}: published figure {index} must be a mapping of {', '.join(_KEYS)}")
    unknown = [str(k) for k in entry if k not in _KEYS]
    if unknown:
        raise PublishedError(f"{name}: published figure {index} has no entry '{unknown[0]}'; it takes {', '.join(_KEYS)}")
    endpoint = _text(entry, "endpoint") or "efs"
    if endpoint not in ("efs", "os"):
        raise PublishedError(f"{name}: published figure {index}: endpoint must be efs or os, not '{endpoint}'")
    printed, p = _text(entry, "printed"), _text(entry, "logrank_p")
    survival = se = probability = None
    if p is not None:
        probability = Printed.parse(p)
        printed = f"P = {probability.text}"
    elif printed is not None:
        parts = printed.replace("%", "").split("±")
        if len(parts) != 2:
            raise PublishedError(f"{name}: published figure {index}: printed '{printed}' is not written as 'S ± SE %'")
        survival, se = Printed.parse(parts[0]), Printed.parse(parts[1])
    else:
        raise PublishedError(f"{name}: published figure {index} needs 'printed' (S ± SE %) or 'logrank_p'")
    return Figure(endpoint, _text(entry, "by"), _text(entry, "protocol"), _text(entry, "group"), _text(entry, "at"), survival, se, probability,
                  printed, _text(entry, "where"), _text(entry, "note"))


def load_published(paths: Sequence[str | Path]) -> Published | None:
    """The first `published:` section among the records files (a mapping with `patients:` and `published:`)."""
    for path in paths:
        path = Path(path)
        if path.is_dir() or path.suffix.lower() not in (".yaml", ".yml"):
            continue
        try:  # read as the records are: within the file limit, by the bounded loader
            document = yaml.load(read_limited(path), Loader=BoundedLoader)
        except (OSError, ValueError, TooLarge, RecursionError, yaml.YAMLError):
            continue  # the records loader reports a file it cannot read
        if not isinstance(document, Mapping) or "published" not in document:
            continue
        section = document["published"]
        if not isinstance(section, Mapping) or not isinstance(section.get("figures"), list):
            raise PublishedError(f"{path}: 'published:' must be a mapping with 'source:' and a 'figures:' list")
        figures = tuple(_figure(entry, index, str(path)) for index, entry in enumerate(section["figures"], 1))
        return Published(_text(section, "source"), figures)
    return None


__all__ = ["Figure", "Printed", "Published", "PublishedError", "load_published"]
