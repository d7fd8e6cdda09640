"""Shared helpers of the hardening suites (fuzz, bypass, soak): example budgets and a raw client.

Two passes, chosen per pytest run:

- by default the fuzzers are derandomised: the same examples every run, so CI is reproducible;
- ``RINGFENCE_FUZZ_SEED=N`` runs a random pass from seed ``N`` instead (``scripts/test.sh`` runs
  it after the suite, with a new seed each run). The seed is printed in pytest's header, and the
  same ``RINGFENCE_FUZZ_SEED=N`` replays a failure exactly.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, seed, settings

# CI runs a fixed example budget; HYPOTHESIS_PROFILE=release multiplies it for release checks.
SCALE = {"ci": 1, "release": 20}.get(os.environ.get("HYPOTHESIS_PROFILE", "ci"), 1)
SEED_VARIABLE = "RINGFENCE_FUZZ_SEED"

F = TypeVar("F", bound=Callable)


def fuzz_seed(environ: dict[str, str] | os._Environ[str] = os.environ) -> int | None:
    """The seed of a random pass (``RINGFENCE_FUZZ_SEED``), or None for the derandomised pass."""
    raw = environ.get(SEED_VARIABLE, "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{SEED_VARIABLE} must be an integer, not {raw!r}") from None


def describe_pass(environ: dict[str, str] | os._Environ[str] = os.environ) -> str:
    """One line for pytest's header: which pass runs and how to replay it."""
    chosen = fuzz_seed(environ)
    if chosen is None:
        return f"fuzz pass: derandomised (set {SEED_VARIABLE}=N for a random pass from seed N)"
    return f"fuzz pass: random, {SEED_VARIABLE}={chosen} (the same value replays it)"


def budget(examples: int) -> Callable[[F], F]:
    """Hypothesis settings for a fuzzer: ``examples`` in CI, 20 times more with
    HYPOTHESIS_PROFILE=release; derandomised, or seeded from ``RINGFENCE_FUZZ_SEED``."""
    chosen = fuzz_seed()
    chosen_settings = settings(
        max_examples=examples * SCALE,
        deadline=None,
        derandomize=SCALE == 1 and chosen is None,  # derandomised: no example database either
        # a seeded pass is one replayable run: no examples replayed from earlier runs' database
        **({"database": None} if chosen is not None else {}),
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )

    def decorate(test: F) -> F:
        test = chosen_settings(test)
        if chosen is not None:
            test = seed(chosen)(test)
        return pytest.mark.fuzz(test)  # `pytest -m fuzz` selects every fuzzer

    return decorate
