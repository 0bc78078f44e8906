"""The fuzz profiles: `fuzz-short` unless `--hypothesis-profile` names a fuzz profile on the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from hypothesis import settings

from . import fuzz_settings

ROOT = Path(__file__).resolve().parents[2]


def test_the_profile_in_force() -> None:
    expected = os.environ.get("EXPECT_FUZZ_PROFILE", os.environ["CAREPATH_FUZZ_PROFILE"])
    assert fuzz_settings().max_examples == settings.get_profile(expected).max_examples
    assert settings.get_profile("fuzz-short").max_examples < settings.get_profile("fuzz-nightly").max_examples


def test_the_nightly_profile_is_chosen_from_the_command_line() -> None:
    if os.environ.get("EXPECT_FUZZ_PROFILE"):
        return  # this is the inner run
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/fuzz/test_profiles.py::test_the_profile_in_force",
                           "--hypothesis-profile=fuzz-nightly"], cwd=ROOT, capture_output=True, text=True, check=False,
                          env={**os.environ, "EXPECT_FUZZ_PROFILE": "fuzz-nightly"})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
