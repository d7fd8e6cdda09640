"""The ringfence language server: open documents, their repositories' policies, and publishing.

Handlers (``ringfence.lsp.features``) stay thin and call the methods here; the policy engine,
the region model and the evidence stores know nothing of LSP.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import logging
import os
import posixpath
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import unquote

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInternalError
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.uris import from_fs_path

from ringfence import __version__, uris
from ringfence.lsp import providers
from ringfence.lsp.document import LineDocument, LineWorkspace
from ringfence.lsp.settings import Settings

if TYPE_CHECKING:
    from ringfence.lsp.evidence import EvidenceStore
    from ringfence.lsp.policies import RepoPolicy
    from ringfence.lsp.state import OpenDoc

log = logging.getLogger(__name__)

PUBLISH_DIAGNOSTICS = types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS


def document_path(uri: str) -> tuple[str, bool] | None:
    """``(absolute path, is notebook cell)`` for a document the server classifies, else None."""
    return uris.document_path(uri)


class RingfenceProtocol(LanguageServerProtocol):
    """pygls' protocol, minus a leak: every notification pygls handles with a generator (didOpen,
    didChange, didClose, ...) leaves its future in ``_request_futures`` under a fresh id that
    nothing removes (about 2 KB per keystroke)."""

    def _handle_notification(self, method_name: str, params) -> None:
        known = set(self._request_futures)  # small: only what is in flight
        super()._handle_notification(method_name, params)
        for msg_id in set(self._request_futures) - known:
            future = self._request_futures[msg_id]
            if future.done():
                del self._request_futures[msg_id]
            else:
                future.add_done_callback(lambda _, key=msg_id: self._request_futures.pop(key, None))

    def structure_message(self, data):
        """pygls drops a request whose params do not parse (e.g. a position of 2**31) without
        answering it, so the client waits forever: answer it with the parse error instead."""
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if "jsonrpc" in data and "method" in data and isinstance(data.get("id"), (int, str)):
                self._send_response(data["id"], error=exc.to_response_error())
            raise


class RingfenceServer(LanguageServer):
    """pygls server plus what ringfence knows about the open documents."""

    def __init__(self) -> None:
        super().__init__(
            "ringfence",
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            max_workers=4,
            protocol_cls=RingfenceProtocol,
        )
        self.settings = Settings()
        self.repos: dict[str, RepoPolicy] = {}
        self.docs: dict[str, OpenDoc] = {}
        self.session = uuid.uuid4().hex
        self._evidence: EvidenceStore | None = None
        self.reported_errors = 0
        self.log_handler = None  # set by ``ringfence lsp``: forwards our log records to the client
        self._roots: dict[str, str] = {}
        self._file_diagnostics: dict[str, dict[str, list]] = {}
        self._providers: dict[str, Callable | None] = {}
        self._failed: set[str] = set()

    # ----- set-up ------------------------------------------------------------------------

    @property
    def evidence(self) -> EvidenceStore:
        """Journal, traces and the editor's own evidence (loaded on first use, after initialize)."""
        if self._evidence is None:
            from ringfence.lsp.evidence import EvidenceStore

            self._evidence = EvidenceStore(self)
        return self._evidence

    def use_line_documents(self) -> None:
        """Swap pygls' workspace for one whose documents are line lists (before any didOpen)."""
        self.protocol._workspace = LineWorkspace.replacing(self.workspace)

    def report_server_error(self, error: Exception, source) -> None:
        """A bug in a handler is logged (stderr and the client's log), never shown as a crash loop;
        a request the client got wrong (bad params, unknown method) is one warning line."""
        self.reported_errors += 1
        if isinstance(error, JsonRpcException) and not isinstance(error, JsonRpcInternalError):
            log.warning("%s: %s", type(error).__name__, error)
            return
        log.error(
            "internal error (%s): %s",
            getattr(source, "__name__", source),
            error,
            exc_info=(type(error), error, error.__traceback__),
        )

    # ----- documents ---------------------------------------------------------------------

    def doc(self, uri: str | None) -> OpenDoc | None:
        return self.docs.get(unquote(uri)) if isinstance(uri, str) else None

    def open_doc(self, uri: str, language_id: str | None) -> OpenDoc | None:
        located = document_path(uri)
        if located is None:
            return None
        path, is_cell = located
        text = self.workspace.get_text_document(uri)
        if not isinstance(text, LineDocument):
            return None
        from ringfence.lsp.state import OpenDoc

        od = OpenDoc(uri, path, self.repo_for(path), text, language_id, is_cell)
        od.classify()
        self.docs[unquote(uri)] = od
        return od

    def close_doc(self, uri: str) -> OpenDoc | None:
        od = self.docs.pop(unquote(uri), None)
        if od is not None:
            self.send_diagnostics(
                od.uri, None, self._file_diagnostics.get(od.repo.root, {}).get(od.relpath, [])
            )
        return od

    def docs_in(self, repo: RepoPolicy) -> list[OpenDoc]:
        return [od for od in self.docs.values() if od.repo is repo]

    # ----- repositories ------------------------------------------------------------------

    def repo_for(self, path: str) -> RepoPolicy:
        from ringfence.lsp.policies import RepoPolicy
        from ringfence.policy.paths import clean, find_root

        directory = posixpath.dirname(path)
        root = self._roots.get(directory)
        if root is None:
            root = self._roots[directory] = clean(str(find_root(path, self._folder_of(path))), "/")
        repo = self.repos.get(root)
        if repo is None:
            repo = self.repos[root] = RepoPolicy(root)
            self.evidence.watch(repo)
            self.publish_files(repo)
        return repo

    def _folder_of(self, path: str) -> str | None:
        best = None
        for folder in self.workspace.folders.values():
            base = uris.file_path(folder.uri)
            if base and (path == base or path.startswith(base.rstrip("/") + "/")):
                best = base if best is None or len(base) > len(best) else best
        return best or self.workspace.root_path

    def reload(self, repo: RepoPolicy) -> None:
        """Reload a repository's policy, reclassify its open documents and republish everything."""
        repo.reload()
        for od in self.docs_in(repo):
            od.classify()
        self.publish_files(repo)
        for od in self.docs_in(repo):
            self.publish(od)

    # ----- publishing --------------------------------------------------------------------

    def publish(self, od: OpenDoc) -> None:
        """Push the document's diagnostics now, tagged with its version."""
        items: list = []
        for provide in self._load(providers.DOCUMENT_PROVIDERS):
            try:
                items.extend(provide(self, od))
            except Exception as exc:
                self._provider_failed(provide, exc)
        if not od.is_cell:
            items.extend(self._file_diagnostics.get(od.repo.root, {}).get(od.relpath, []))
        self.send_diagnostics(od.uri, od.version, items)

    def publish_files(self, repo: RepoPolicy) -> None:
        """Run the file providers (policy files, exports) and publish on the files they name."""
        found: dict[str, list] = {}
        for provide in self._load(providers.FILE_PROVIDERS):
            try:
                for relpath, items in provide(self, repo).items():
                    found.setdefault(relpath, []).extend(items)
            except Exception as exc:
                self._provider_failed(provide, exc)
        before = self._file_diagnostics.get(repo.root, {})
        self._file_diagnostics[repo.root] = found
        for relpath in sorted(set(before) | set(found)):
            od = self.doc(from_fs_path(posixpath.join(repo.root, relpath)))
            if od is not None:
                self.publish(od)
            elif before.get(relpath) != found.get(relpath):
                self.send_diagnostics(
                    self.file_uri(repo.root, relpath), None, found.get(relpath, [])
                )

    def send_diagnostics(self, uri: str, version: int | None, items: list) -> None:
        """``textDocument/publishDiagnostics``, framed here: pre-rendered diagnostics go out as
        they are, dicts through ``json``, lsprotocol objects through pygls' converter."""
        parts = [
            item.json
            if hasattr(item, "json")
            else json.dumps(item, default=self.protocol._serialize_message)
            for item in items
        ]
        head = (
            f'{{"jsonrpc":"2.0","method":"{PUBLISH_DIAGNOSTICS}",'
            f'"params":{{"uri":{json.dumps(uri)},'
        )
        body = (
            head
            + (f'"version":{version},' if version is not None else "")
            + f'"diagnostics":[{",".join(parts)}]}}}}'
        )
        self._write_frame(body)

    def _write_frame(self, body: str) -> None:
        writer = self.protocol.writer
        if writer is None:
            return
        header = (
            f"Content-Length: {len(body)}\r\n"
            f"Content-Type: {self.protocol.CONTENT_TYPE}; charset={self.protocol.CHARSET}\r\n\r\n"
        )
        try:
            result = writer.write((header + body).encode("utf-8"))
            if inspect.isawaitable(result):
                asyncio.ensure_future(result)
        except (OSError, ValueError) as exc:
            log.warning(
                "cannot send diagnostics: %r %s", exc, getattr(exc, "characters_written", "")
            )

    def _provider_failed(self, provide: Callable, exc: Exception) -> None:
        """Log a provider's first failure in full; later ones are debug noise."""
        name = f"{getattr(provide, '__module__', '?')}.{getattr(provide, '__name__', provide)}"
        if name in self._failed:
            log.debug("diagnostic provider %s failed again: %s", name, exc)
            return
        self._failed.add(name)
        log.error(
            "diagnostic provider %s failed (its diagnostics are skipped): %s",
            name,
            exc,
            exc_info=(type(exc), exc, exc.__traceback__),
        )

    def _load(self, names: list[str]) -> list[Callable]:
        out = []
        for name in names:
            if name not in self._providers:
                module, _, attr = name.partition(":")
                try:
                    self._providers[name] = getattr(importlib.import_module(module), attr)
                except Exception as exc:
                    log.error("cannot load diagnostic provider %s: %s", name, exc)
                    self._providers[name] = None
            if self._providers[name] is not None:
                out.append(self._providers[name])
        return out

    # ----- small helpers -----------------------------------------------------------------

    def file_uri(self, root: str, relpath: str) -> str:
        return from_fs_path(posixpath.join(root, relpath)) or ""

    def file_line(self, root: str, relpath: str, line: int) -> str:
        """One line of a repository file, from the editor when it is open, else from disk."""
        od = self.doc(self.file_uri(root, relpath))
        if od is not None:
            return od.lines[line] if 0 <= line < len(od.lines) else ""
        try:
            with open(os.path.join(root, relpath), encoding="utf-8", errors="replace") as handle:
                for index, text in enumerate(handle):
                    if index == line:
                        return text
        except OSError:
            pass
        return ""

    def client_units(self, text: str) -> int:
        if text.isascii():
            return len(text)
        return self.workspace.position_codec.client_num_units(text)


def create_server() -> RingfenceServer:
    from ringfence.lsp import features

    server = RingfenceServer()
    features.register(server)
    return server
