"""The trust store: which repository-provided assistant values the user has approved.

A repository's ``[assistant]`` ``endpoint``, ``command`` or ``url`` runs only after the user
approved that exact value once for that repository (docs/handoff.md). Approvals live in
``$XDG_CONFIG_HOME/ringfence/trust.json`` (default ``~/.config/ringfence``), written atomically
under a lock. For ``openai`` the API key variable is part of the approval, so a repository
cannot later point a trusted endpoint at another secret. User-config assistants need none.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from ringfence.evidence.journal import now
from ringfence.handoff.errors import HandoffError
from ringfence.policy.engine import user_config_dir
from ringfence.policy.model import AssistantConfig

TRUST_FILE = "trust.json"


def trust_key(root: str, assistant: AssistantConfig) -> dict | None:
    """What an approval of ``assistant`` in repository ``root`` records (None: needs none)."""
    value = assistant.trusted_value()
    if value is None:
        return None
    key = {"repository": root, "kind": assistant.kind, "value": value}
    if assistant.kind == "openai":
        key["api_key_env"] = assistant.api_key_env or ""
    return key


def describe(assistant: AssistantConfig) -> str:
    """The approved value as the user sees it in the question."""
    value = assistant.trusted_value() or ""
    if assistant.kind == "openai" and assistant.api_key_env:
        return f"{value} (with the API key in ${assistant.api_key_env})"
    return value


class TrustStore:
    """Approvals, keyed by repository root, assistant kind and exact value."""

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(directory if directory is not None else user_config_dir(), TRUST_FILE)

    def is_trusted(self, root: str, assistant: AssistantConfig) -> bool:
        key = trust_key(root, assistant)
        return key is None or any(_matches(entry, key) for entry in self._load())

    def approve(self, root: str, assistant: AssistantConfig) -> None:
        """Record the approval (idempotent). An unreadable store is not overwritten."""
        key = trust_key(root, assistant)
        if key is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._locked():
            entries = self._load()
            if any(_matches(entry, key) for entry in entries):
                return
            entries.append({**key, "time": now()})
            data = (
                json.dumps({"version": 1, "approved": entries}, indent=2, ensure_ascii=False) + "\n"
            )
            fd, tmp = tempfile.mkstemp(prefix=".trust-", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(data)
                os.replace(tmp, self.path)
            except OSError as exc:
                os.unlink(tmp)
                raise HandoffError(
                    f"cannot save the approval in {self.path}: {exc.strerror or exc}"
                ) from None

    def _load(self) -> list[dict]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except (OSError, UnicodeDecodeError) as exc:
            raise HandoffError(f"cannot read the trust store {self.path}: {exc}") from None
        try:
            data = json.loads(text)
            entries = data["approved"]
            if not isinstance(entries, list):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            raise HandoffError(
                f"the trust store {self.path} is not valid; fix or delete it"
            ) from None
        return [entry for entry in entries if isinstance(entry, dict)]

    @contextmanager
    def _locked(self):
        fd = os.open(self.path.with_name(TRUST_FILE + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)


def _matches(entry: dict, key: dict) -> bool:
    return all(entry.get(name, "") == value for name, value in key.items())
