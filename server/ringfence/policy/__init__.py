"""The policy core: levels, zones, markers and imported ignore files. Knows nothing of LSP."""

from ringfence.policy.engine import POLICY_FILE, FileView, Policy
from ringfence.policy.levels import BUILTIN_LEVELS, Level
from ringfence.policy.model import AssistantConfig, Decision, RepoSettings, Zone

__all__ = [
    "BUILTIN_LEVELS", "POLICY_FILE", "AssistantConfig", "Decision", "FileView", "Level", "Policy",
    "RepoSettings", "Zone",
]
