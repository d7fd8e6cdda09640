"""User-facing errors: one line each, located at ``FILE:LINE:COL`` when they come from a file."""

from __future__ import annotations


class RingfenceError(Exception):
    """An error the user can act on; rendered as one line, never as a traceback."""

    def __init__(
        self, message: str, file: str | None = None, line: int | None = None, col: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line  # 1-based
        self.col = col  # 1-based

    def __str__(self) -> str:
        if self.file is None:
            return self.message
        where = self.file
        if self.line is not None:
            where += f":{self.line}:{self.col or 1}"
        return f"{where}: {self.message}"


class PolicyError(RingfenceError):
    """A policy file is invalid (reported as RF100 in the editor, exit 2 on the command line)."""


class UsageError(RingfenceError):
    """The command line was used wrongly (exit 2)."""
