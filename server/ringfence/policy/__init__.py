"""The policy core: levels, zones, markers and imported ignore files. Knows nothing of LSP.

Every agent hook imports this package, so its records are named tuples (immutable values) and
plain ``__slots__`` classes (mutable ones), not dataclasses: generating dataclass methods at
import costs about 20 ms, more than the rest of a hook's policy work (docs/performance.md).

The names below are loaded on first use: the hook's fast path imports small modules of this
package (``policy.files``, ``policy.paths``) and must not pay for the engine it exists to skip.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the hook path

_EXPORTS = {
    "POLICY_FILE": "engine",
    "FileView": "engine",
    "Policy": "engine",
    "BUILTIN_LEVELS": "levels",
    "Level": "levels",
    "AssistantConfig": "model",
    "Decision": "model",
    "RepoSettings": "model",
    "Zone": "model",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    # ``X as X``: the re-export form, so linters and type checkers see these public names.
    from ringfence.policy.engine import POLICY_FILE as POLICY_FILE
    from ringfence.policy.engine import FileView as FileView
    from ringfence.policy.engine import Policy as Policy
    from ringfence.policy.levels import BUILTIN_LEVELS as BUILTIN_LEVELS
    from ringfence.policy.levels import Level as Level
    from ringfence.policy.model import AssistantConfig as AssistantConfig
    from ringfence.policy.model import Decision as Decision
    from ringfence.policy.model import RepoSettings as RepoSettings
    from ringfence.policy.model import Zone as Zone


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'ringfence.policy' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"ringfence.policy.{module}"), name)
    globals()[name] = value
    return value
