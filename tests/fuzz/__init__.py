"""Shared helpers of the hardening suites (fuzz, bypass, soak): example budgets and a raw client."""

import os

from hypothesis import HealthCheck, settings

# CI runs a fixed example budget; HYPOTHESIS_PROFILE=release multiplies it for release checks.
SCALE = {"ci": 1, "release": 20}.get(os.environ.get("HYPOTHESIS_PROFILE", "ci"), 1)


def budget(examples: int) -> settings:
    """Hypothesis settings: ``examples`` in CI, 20 times more with HYPOTHESIS_PROFILE=release."""
    return settings(
        max_examples=examples * SCALE,
        deadline=None,
        derandomize=SCALE == 1,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )
