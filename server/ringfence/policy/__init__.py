"""The policy core: levels, zones, markers and imported ignore files. Knows nothing of LSP.

Every agent hook imports this package, so its records are named tuples (immutable values) and
plain ``__slots__`` classes (mutable ones), not dataclasses: generating dataclass methods at
import costs about 20 ms, more than the rest of a hook's policy work (docs/performance.md).
"""

from ringfence.policy.engine import POLICY_FILE, FileView, Policy
from ringfence.policy.levels import BUILTIN_LEVELS, Level
from ringfence.policy.model import AssistantConfig, Decision, RepoSettings, Zone

__all__ = [
    "BUILTIN_LEVELS", "POLICY_FILE", "AssistantConfig", "Decision", "FileView", "Level", "Policy",
    "RepoSettings", "Zone",
]
