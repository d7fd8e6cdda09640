"""The one error type of a handoff: a one-line message the editor shows the user as it is."""

from __future__ import annotations

from ringfence.errors import RingfenceError


class HandoffError(RingfenceError):
    """A handoff failed; nothing was sent or applied beyond what the message says."""
