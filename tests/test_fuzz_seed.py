"""The fuzzers' two passes (tests/fuzz): derandomised by default, random from RINGFENCE_FUZZ_SEED.

Real Hypothesis runs of a small probe: the same pass gives the same examples, another seed other
examples, and pytest's header names the pass and the seed that replays it.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import REPO
from fuzz import SEED_VARIABLE, budget, describe_pass, fuzz_seed


def _examples(monkeypatch: pytest.MonkeyPatch, value: str | None) -> list[int]:
    if value is None:
        monkeypatch.delenv(SEED_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(SEED_VARIABLE, value)
    seen: list[int] = []

    @budget(25)
    @given(st.integers(min_value=0, max_value=10**9))
    def probe(n: int) -> None:
        seen.append(n)

    probe()
    return seen


def test_the_derandomised_pass_repeats_itself(monkeypatch):
    first = _examples(monkeypatch, None)
    assert len(first) >= 10 and first == _examples(monkeypatch, None)


def test_a_seed_replays_its_random_pass_and_another_seed_differs(monkeypatch):
    one = _examples(monkeypatch, "20261207")
    assert len(one) >= 10 and one == _examples(monkeypatch, "20261207")
    assert one != _examples(monkeypatch, "20261208")
    assert one != _examples(monkeypatch, None)


def test_the_seed_is_read_strictly():
    assert fuzz_seed({}) is None and fuzz_seed({SEED_VARIABLE: " "}) is None
    assert fuzz_seed({SEED_VARIABLE: "42"}) == 42
    with pytest.raises(SystemExit, match="must be an integer, not 'soon'"):
        fuzz_seed({SEED_VARIABLE: "soon"})
    assert "derandomised" in describe_pass({})
    assert f"{SEED_VARIABLE}=42 (the same value replays it)" in describe_pass({SEED_VARIABLE: "42"})


def test_pytest_prints_the_seed_in_its_header():
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-p", "no:xdist"]
        + ["tests/test_fuzz_seed.py"],
        cwd=REPO,
        env={**os.environ, SEED_VARIABLE: "7"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert f"fuzz pass: random, {SEED_VARIABLE}=7" in done.stdout, done.stdout + done.stderr
