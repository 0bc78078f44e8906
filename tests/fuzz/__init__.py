"""Fuzzing: generated and mutated inputs through the public API and the CLI (docs/limits.md#fuzzing).

`fuzz_settings()` is the Hypothesis profile these tests run under: `fuzz-short` in the default test run, or the
fuzz profile named with `--hypothesis-profile` (`fuzz-nightly`); both are registered in tests/conftest.py.
"""

from __future__ import annotations

import os

from hypothesis import settings


def fuzz_settings() -> settings:
    return settings.get_profile(os.environ.get("CAREPATH_FUZZ_PROFILE", "fuzz-short"))
