"""A scripted editor around pytest-lsp's client, shared by the language server tests.

It does what VS Code and Neovim do around a server: keeps each open document's text and
version, sends incremental (or full) changes in the negotiated position encoding, applies
``workspace/applyEdit`` to its own text and reports the result back with ``didChange``.
The ``lsp`` fixture starts the real ``ringfence lsp --stdio`` for both client presets.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import typing
from pathlib import Path

import pytest_lsp
from lsprotocol import types
from pygls.protocol import default_converter
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

PRESETS = ["visual-studio-code", "neovim"]
SERVER = [sys.executable, "-m", "ringfence", "lsp", "--stdio"]
USER_CONFIG = tempfile.mkdtemp(prefix="ringfence-xdg-")  # no user-level assistant leaks in
SERVER_ENV = {**os.environ, "XDG_CONFIG_HOME": USER_CONFIG}
WAIT = 10.0


def _publish(client: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
    client.diagnostics[params.uri] = params.diagnostics
    client.published.append((params.uri, params.version, list(params.diagnostics)))


def _register(client: LanguageClient, params: types.RegistrationParams) -> None:
    client.registrations.extend(params.registrations)


def _command_or_action(obj, _type):
    """lsprotocol reads every code action that carries a command as a bare Command; tell them apart
    the way LSP does (a Command's ``command`` is a string)."""
    kind = types.Command if isinstance(obj.get("command"), str) else types.CodeAction
    return default_converter().structure(obj, kind)


def make_client() -> LanguageClient:
    client = LanguageClient(converter_factory=default_converter)
    client.protocol._converter.register_structure_hook(
        typing.Union[types.Command, types.CodeAction],  # noqa: UP007 (the key lsprotocol registered)
        _command_or_action,
    )
    register_lsp_features(
        client,
        {
            **DEFAULT_CLIENT_FEATURES,
            types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: _publish,
            types.CLIENT_REGISTER_CAPABILITY: _register,
        },
    )
    client.published = []
    client.registrations = []
    return client


@pytest_lsp.fixture(
    params=PRESETS,
    config=ClientServerConfig(
        server_command=SERVER, client_factory=make_client, server_env=SERVER_ENV
    ),
)
async def lsp(request, lsp_client: LanguageClient):
    lsp_client.preset = request.param
    yield
    try:
        await asyncio.wait_for(lsp_client.shutdown_session(), 5)
    except asyncio.TimeoutError:
        pass
    if lsp_client.capabilities is None and lsp_client._server is not None:
        lsp_client._server.kill()  # the test failed before initialize: nothing will tell it to exit


def plain(value):
    """pygls hands custom results over as named tuples: turn them back into JSON values."""
    if hasattr(value, "_asdict"):
        return {k: plain(v) for k, v in value._asdict().items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def units(text: str, encoding: str) -> int:
    if encoding == "utf-8":
        return len(text.encode("utf-8"))
    if encoding == "utf-16":
        return len(text.encode("utf-16-le")) // 2
    return len(text)


def split(text: str) -> list[str]:
    return text.splitlines(True)


class Editor:
    """A minimal editor: documents, versions, edits and the server's answers."""

    def __init__(self, client: LanguageClient, root: Path, encoding: str) -> None:
        self.client = client
        self.root = root
        self.encoding = encoding
        self.texts: dict[str, str] = {}
        self.versions: dict[str, int] = {}
        self.applied: list[types.WorkspaceEdit] = []
        self.opened: dict[str, int] = {}
        self.refuse_edits = False

        def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
            return self._apply_edit(params)

        client.feature(types.WORKSPACE_APPLY_EDIT)(apply_edit)

    @property
    def preset(self) -> str:
        return self.client.preset

    # ----- documents -------------------------------------------------------------------

    def uri(self, rel: str) -> str:
        return from_fs_path(str(self.root / rel))

    def open(self, rel: str, text: str | None = None, language_id: str = "python") -> str:
        uri = self.uri(rel)
        if text is None:
            text = (self.root / rel).read_text(encoding="utf-8")
        return self.open_uri(uri, text, language_id)

    def open_uri(self, uri: str, text: str, language_id: str = "python") -> str:
        self.texts[uri] = text
        self.versions[uri] = 1
        self.opened[uri] = len(
            self.client.published
        )  # what was published before belongs to an earlier open
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id=language_id, version=1, text=text
                )
            )
        )
        return uri

    def close(self, uri: str) -> None:
        self.client.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        self.texts.pop(uri)

    def save(self, uri: str) -> None:
        path = Path(self.client_path(uri))
        path.write_text(self.texts[uri], encoding="utf-8")
        self.client.text_document_did_save(
            types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )

    def client_path(self, uri: str) -> str:
        from pygls.uris import to_fs_path

        return to_fs_path(uri)

    def lines(self, uri: str) -> list[str]:
        return split(self.texts[uri])

    def position(self, uri: str, line: int, char: int) -> types.Position:
        """A code-point position as the client spells it."""
        lines = self.lines(uri)
        text = lines[line] if line < len(lines) else ""
        return types.Position(line=line, character=units(text[:char], self.encoding))

    def _offset(self, text: str, position: types.Position) -> int:
        lines = split(text)
        offset = sum(len(line) for line in lines[: position.line])
        if position.line >= len(lines):
            return len(text)
        line = lines[position.line].rstrip("\r\n")
        count = 0
        for index, ch in enumerate(line):
            if count >= position.character:
                return offset + index
            count += units(ch, self.encoding)
        return offset + len(line)

    # ----- edits -----------------------------------------------------------------------

    def replace(self, uri: str, start: tuple[int, int], end: tuple[int, int], text: str) -> int:
        """Replace a code-point range; sends the incremental change. Returns the new version."""
        rng = types.Range(start=self.position(uri, *start), end=self.position(uri, *end))
        return self.send_changes(uri, [(rng, text)])

    def insert(self, uri: str, line: int, text: str, char: int = 0) -> int:
        return self.replace(uri, (line, char), (line, char), text)

    def delete_lines(self, uri: str, first: int, last: int) -> int:
        return self.replace(uri, (first, 0), (last + 1, 0), "")

    def send_changes(self, uri: str, changes: list[tuple[types.Range, str]]) -> int:
        events = []
        for rng, text in changes:
            current = self.texts[uri]
            start, end = self._offset(current, rng.start), self._offset(current, rng.end)
            self.texts[uri] = current[:start] + text + current[end:]
            events.append(types.TextDocumentContentChangePartial(range=rng, text=text))
        return self._did_change(uri, events)

    def replace_all(self, uri: str, text: str) -> int:
        """A full-document change, as full-sync clients and reloads send."""
        self.texts[uri] = text
        return self._did_change(uri, [types.TextDocumentContentChangeWholeDocument(text=text)])

    def _did_change(self, uri: str, events) -> int:
        self.versions[uri] += 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=uri, version=self.versions[uri]
                ),
                content_changes=events,
            )
        )
        return self.versions[uri]

    def origin(
        self,
        uri: str,
        origin: str,
        *,
        version: int | None = None,
        ranges=None,
        tool: str | None = None,
        model: str | None = None,
    ) -> None:
        params = {
            "textDocument": {"uri": uri, "version": version or self.versions[uri]},
            "origin": origin,
        }
        if ranges is not None:
            params["ranges"] = ranges
        if tool is not None:
            params["tool"] = tool
        if model is not None:
            params["model"] = model
        self.client.protocol.notify("ringfence/editOrigin", params)

    def ai_insert(
        self, uri: str, line: int, text: str, tool: str = "copilot", model: str | None = None
    ) -> int:
        """Accept an AI suggestion: insert whole lines and report them as ``ai``."""
        version = self.insert(uri, line, text)
        count = text.count("\n")
        rng = {
            "start": {"line": line, "character": 0},
            "end": {"line": line + count, "character": 0},
        }
        self.origin(uri, "ai", version=version, ranges=[rng], tool=tool, model=model)
        return version

    def _apply_edit(self, params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        if self.refuse_edits:
            return types.ApplyWorkspaceEditResult(
                applied=False, failure_reason="refused by the test"
            )
        self.applied.append(params.edit)
        per_uri: dict[str, list[types.TextEdit]] = {}
        for change in params.edit.document_changes or []:
            per_uri.setdefault(change.text_document.uri, []).extend(change.edits)
        for uri, edits in (params.edit.changes or {}).items():
            per_uri.setdefault(uri, []).extend(edits)
        for uri, edits in per_uri.items():
            ordered = sorted(
                edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True
            )
            self.send_changes(uri, [(e.range, e.new_text) for e in ordered])
        return types.ApplyWorkspaceEditResult(applied=True)

    # ----- the server's answers --------------------------------------------------------

    async def diagnostics(
        self, uri: str, until=None, timeout: float = WAIT
    ) -> list[types.Diagnostic]:
        """The latest diagnostics for ``uri`` once ``until(diagnostics)`` holds (by default:
        any publish for the current version)."""
        version = self.versions.get(uri)
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            recent = self.client.published[self.opened.get(uri, 0) :]
            latest = next(((v, d) for u, v, d in reversed(recent) if u == uri), None)
            if latest is not None:
                published_version, found = latest
                current = (
                    published_version is None or version is None or published_version >= version
                )
                if current and (until is None or until(found)):
                    return found
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(
                    f"no matching diagnostics for {uri} within {timeout}s; last: {latest}"
                )
            await asyncio.sleep(0.01)

    async def codes(
        self, uri: str, until=None, timeout: float = WAIT
    ) -> list[tuple[str, int, int]]:
        found = await self.diagnostics(uri, until, timeout)
        return sorted((d.code, d.range.start.line, d.range.end.line) for d in found)

    async def actions(self, uri: str, line: int) -> list[types.CodeAction]:
        current = [
            d
            for d in self.client.diagnostics.get(uri, [])
            if d.range.start.line <= line <= d.range.end.line
        ]
        result = await self.client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=types.Range(
                    start=types.Position(line=line, character=0),
                    end=types.Position(line=line, character=0),
                ),
                context=types.CodeActionContext(diagnostics=current),
            )
        )
        return list(result or [])

    async def run(self, action: types.CodeAction):
        return await self.execute(action.command.command, *(action.command.arguments or []))

    async def execute(self, command: str, *arguments):
        return await self.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command=command, arguments=list(arguments))
        )

    async def request(self, method: str, params):
        """A custom request; the answer as plain JSON values."""
        return plain(await self.client.protocol.send_request_async(method, params))


async def start(client: LanguageClient, root: Path, options: dict | None = None) -> Editor:
    """Initialize a session rooted at ``root`` and return the editor around it."""
    capabilities = client_capabilities(client.preset)
    result = await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities,
            root_uri=from_fs_path(str(root)),
            workspace_folders=[types.WorkspaceFolder(uri=from_fs_path(str(root)), name="ws")],
            initialization_options=options,
        )
    )
    encoding = result.capabilities.position_encoding or "utf-16"
    editor = Editor(client, root, str(encoding.value if hasattr(encoding, "value") else encoding))
    editor.capabilities = result.capabilities
    return editor
