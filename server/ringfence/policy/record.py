"""A base for the policy core's mutable records: equality and repr from ``__slots__``.

What ``@dataclass`` would generate, without its import-time cost (see the package docstring).
"""

from __future__ import annotations


class Record:
    __slots__: tuple[str, ...] = ()

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self.__slots__)

    __hash__ = None  # type: ignore[assignment]  # mutable: like a dataclass with eq=True

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({fields})"
