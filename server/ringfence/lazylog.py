"""Loggers that import :mod:`logging` on first use: a hook run that logs nothing never loads it.

``ringfence hook`` starts before every agent edit, and ``logging`` (with ``traceback``,
``threading`` and ``string``) costs a sizeable share of a bare interpreter's start-up.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the hook path
if TYPE_CHECKING:
    import logging

_pending: dict | None = None  # logging.basicConfig arguments, applied when a logger is first used


def configure_later(**kwargs) -> None:
    """Call ``logging.basicConfig(**kwargs)`` when a :class:`LazyLogger` is first used."""
    global _pending
    _pending = kwargs


class LazyLogger:
    """Stands in for ``logging.getLogger(name)``; every attribute is the real logger's."""

    __slots__ = ("_name", "_logger")

    def __init__(self, name: str) -> None:
        self._name = name
        self._logger: logging.Logger | None = None

    def __getattr__(self, attr: str):
        if self._logger is None:
            import logging

            global _pending
            if _pending is not None:
                kwargs, _pending = _pending, None
                logging.basicConfig(**kwargs)
            self._logger = logging.getLogger(self._name)
        return getattr(self._logger, attr)
