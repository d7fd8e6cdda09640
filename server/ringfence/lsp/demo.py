"""``ringfence demo``: a scripted editor session against the real language server.

The demo starts ``ringfence lsp --stdio`` as a subprocess on a copy of the bundled demo
repository and plays what a developer would do: accept an AI suggestion in a human-only file and
in a tagged file, look at the diagnostics and code actions, tag one, revert the other. The
transcript shows what an editor would show.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import typing
from collections.abc import Callable
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.protocol import default_converter
from pygls.uris import from_fs_path

from ringfence.errors import RingfenceError
from ringfence.lsp import compat

DEMO_SOURCE = Path(__file__).resolve().parents[3] / "examples" / "demo"
WAIT = 10.0
SEVERITY = {1: "error", 2: "warning", 3: "info", 4: "hint"}

HUMAN_ONLY = "training/datagen/generate.py"
TAGGED = "docs/guide.md"
SUGGESTION = (
    "\n\ndef dedupe(examples):\n"
    "    seen = set()\n"
    "    return [e for e in examples if not (e in seen or seen.add(e))]\n"
)
DOC_SUGGESTION = (
    "\n## Health check\n\nCall `GET /healthz`; a 200 answer means the weights are loaded.\n"
)


def demo_source() -> Path:
    if not (DEMO_SOURCE / ".ringfence.toml").is_file():
        raise RingfenceError(f"the demo repository is missing: {DEMO_SOURCE}")
    return DEMO_SOURCE


def prepare(workdir: Path) -> Path:
    """A fresh git repository holding the demo files."""
    root = workdir / "demo"
    shutil.copytree(demo_source(), root)
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Demo",
        "GIT_AUTHOR_EMAIL": "demo@example.com",
        "GIT_COMMITTER_NAME": "Demo",
        "GIT_COMMITTER_EMAIL": "demo@example.com",
    }
    for args in (
        ["init", "-q", "-b", "main"],
        ["config", "user.email", "demo@example.com"],
        ["add", "-A"],
        ["commit", "-q", "-m", "demo"],
    ):
        try:
            subprocess.run(
                ["git", *args], cwd=root, env=env, check=True, capture_output=True, timeout=30
            )
        except (OSError, subprocess.SubprocessError):
            break  # without git the demo still runs: the workspace folder is the root
    return root


class DemoEditor:
    """Just enough of an editor: documents, versions, applyEdit, and what the server published."""

    def __init__(self, root: Path, write: Callable[[str], None]) -> None:
        self.root = root
        self.write = write
        self.client = LanguageClient("ringfence-demo", "1")
        compat.register_structure_hook(
            self.client.protocol,
            typing.Union[types.Command, types.CodeAction],  # noqa: UP007 (lsprotocol's hook key)
            _command_or_action,
        )
        self.texts: dict[str, str] = {}
        self.versions: dict[str, int] = {}
        self.published: dict[str, tuple[int | None, list[types.Diagnostic]]] = {}
        self.messages: list[str] = []
        self._features()

    def _features(self) -> None:
        client = self.client

        @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def diagnostics(params: types.PublishDiagnosticsParams) -> None:
            self.published[params.uri] = (params.version, list(params.diagnostics))

        @client.feature(types.WORKSPACE_APPLY_EDIT)
        def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
            for change in params.edit.document_changes or []:
                if isinstance(change, types.TextDocumentEdit):  # no file operations here
                    plain = [e for e in change.edits if not isinstance(e, types.SnippetTextEdit)]
                    self.edit(change.text_document.uri, plain)
            for uri, edits in (params.edit.changes or {}).items():
                self.edit(uri, list(edits))
            return types.ApplyWorkspaceEditResult(applied=True)

        @client.feature(types.WINDOW_SHOW_MESSAGE)
        def show_message(params: types.ShowMessageParams) -> None:
            self.messages.append(params.message)

        @client.feature(types.WINDOW_LOG_MESSAGE)
        def log_message(params: types.LogMessageParams) -> None:
            pass

        @client.feature(types.WINDOW_SHOW_DOCUMENT)
        def show_document(params: types.ShowDocumentParams) -> types.ShowDocumentResult:
            return types.ShowDocumentResult(success=True)

        @client.feature(types.CLIENT_REGISTER_CAPABILITY)
        def register(params: types.RegistrationParams) -> None:
            pass

        @client.feature(types.WORKSPACE_CONFIGURATION)
        def configuration(params: types.ConfigurationParams) -> list:
            return [None for _ in params.items]

    # ----- session -----------------------------------------------------------------------

    async def start(self, env: dict[str, str]) -> None:
        await self.client.start_io(sys.executable, "-m", "ringfence", "lsp", "--stdio", env=env)
        uri = from_fs_path(str(self.root))
        capabilities = types.ClientCapabilities(
            workspace=types.WorkspaceClientCapabilities(
                apply_edit=True,
                workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=True),
            ),
            text_document=types.TextDocumentClientCapabilities(
                publish_diagnostics=types.PublishDiagnosticsClientCapabilities(
                    related_information=True
                )
            ),
            window=types.WindowClientCapabilities(
                show_document=types.ShowDocumentClientCapabilities(support=True)
            ),
        )
        await asyncio.wait_for(
            self.client.initialize_async(
                types.InitializeParams(
                    capabilities=capabilities,
                    root_uri=uri,
                    process_id=os.getpid(),
                    workspace_folders=[types.WorkspaceFolder(uri=uri, name="demo")],
                )
            ),
            WAIT * 3,
        )
        self.client.initialized(types.InitializedParams())

    async def stop(self) -> None:
        try:
            await asyncio.wait_for(self.client.shutdown_async(None), WAIT)
            self.client.exit(None)
        except Exception:  # the transcript is written; a slow exit changes nothing
            pass
        await self.client.stop()

    # ----- documents ---------------------------------------------------------------------

    def uri(self, rel: str) -> str:
        return from_fs_path(str(self.root / rel))

    def open(self, rel: str, language_id: str) -> str:
        uri = self.uri(rel)
        self.texts[uri] = (self.root / rel).read_text(encoding="utf-8")
        self.versions[uri] = 1
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id=language_id, version=1, text=self.texts[uri]
                )
            )
        )
        return uri

    def edit(
        self, uri: str, edits: typing.Sequence[types.TextEdit | types.AnnotatedTextEdit]
    ) -> int:
        """Apply edits (last first, so earlier ranges stay valid) and send them as one didChange."""
        changes = []
        for edit in sorted(
            edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True
        ):
            text = self.texts[uri]
            start, end = _offset(text, edit.range.start), _offset(text, edit.range.end)
            self.texts[uri] = text[:start] + edit.new_text + text[end:]
            changes.append(
                types.TextDocumentContentChangePartial(range=edit.range, text=edit.new_text)
            )
        self.versions[uri] += 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=uri, version=self.versions[uri]
                ),
                content_changes=changes,
            )
        )
        return self.versions[uri]

    def accept_suggestion(self, uri: str, text: str, tool: str, model: str) -> tuple[int, int]:
        """Insert ``text`` at the end of the document and report it as an accepted AI suggestion."""
        lines = self.texts[uri].splitlines(True)
        last = len(lines) - 1
        end = types.Position(line=last, character=len(lines[last].rstrip("\r\n")))
        version = self.edit(
            uri, [types.TextEdit(range=types.Range(start=end, end=end), new_text=text)]
        )
        leading = len(text) - len(
            text.lstrip("\n")
        )  # the tool reports from its first non-blank line
        first, final = last + leading, last + text.count("\n")
        self.client.protocol.notify(
            "ringfence/editOrigin",
            {
                "textDocument": {"uri": uri, "version": version},
                "origin": "ai",
                "tool": tool,
                "model": model,
                "kind": "inline-completion",
                "ranges": [
                    {
                        "start": {"line": first, "character": 0},
                        "end": {"line": final, "character": 0},
                    }
                ],
            },
        )
        return first, final

    async def diagnostics(self, uri: str, until: Callable[[list], bool]) -> list[types.Diagnostic]:
        deadline = asyncio.get_running_loop().time() + WAIT
        while True:
            version, found = self.published.get(uri, (None, []))
            if (
                (version is None or version >= self.versions[uri])
                and uri in self.published
                and until(found)
            ):
                return found
            if asyncio.get_running_loop().time() > deadline:
                raise RingfenceError(
                    f"the language server did not publish the expected diagnostics for {uri}"
                )
            await asyncio.sleep(0.01)

    async def actions(self, uri: str, diagnostic: types.Diagnostic) -> list[types.CodeAction]:
        result = await self.client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=diagnostic.range,
                context=types.CodeActionContext(diagnostics=[diagnostic]),
            )
        )
        return [a for a in result or [] if isinstance(a, types.CodeAction)]

    async def run(self, action: types.CodeAction):
        if action.command is None:
            raise RingfenceError(f"the code action {action.title!r} carries no command")
        return await self.client.workspace_execute_command_async(
            types.ExecuteCommandParams(
                command=action.command.command, arguments=action.command.arguments
            )
        )

    # ----- showing what an editor shows --------------------------------------------------

    def show_diagnostics(self, uri: str, found: list[types.Diagnostic]) -> None:
        rel = os.path.relpath(_path(uri), self.root)
        if not found:
            self.write(f"  {rel}: no ringfence diagnostics")
        lines = self.texts[uri].splitlines()
        for diagnostic in found:
            start, end = diagnostic.range.start.line, diagnostic.range.end.line
            severity = SEVERITY.get(int(diagnostic.severity or 1), "error")
            self.write(
                f"  {rel}:{start + 1}:{diagnostic.range.start.character + 1}: {severity} "
                f"{diagnostic.code} {diagnostic.message}"
            )
            for number in range(start, end + 1):
                self.write(f"    {number + 1:>4} | {lines[number] if number < len(lines) else ''}")
            for info in diagnostic.related_information or []:
                where = os.path.relpath(_path(info.location.uri), self.root)
                self.write(
                    f"         see {where}:{info.location.range.start.line + 1}: {info.message}"
                )


async def play(root: Path, write: Callable[[str], None], env: dict[str, str]) -> None:
    editor = DemoEditor(root, write)
    await editor.start(env)
    try:
        await _scenario(editor, write)
    finally:
        await editor.stop()


async def _scenario(ed: DemoEditor, write: Callable[[str], None]) -> None:
    write(f"ringfence demo: a real language server session on a copy of examples/demo ({ed.root})")
    write("")
    write(f"1. Open {HUMAN_ONLY}")
    uri = ed.open(HUMAN_ONLY, "python")
    await ed.diagnostics(uri, lambda d: True)
    explained = await ed.client.protocol.send_request_async("ringfence/explain", {"uri": uri})
    lenses = await ed.client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    for lens in lenses or []:
        title = lens.command.title if lens.command else "(unresolved)"
        write(f"  code lens on line {lens.range.start.line + 1}: {title}")
    write(
        f"  status bar: {_field(explained, 'level')} · {_field(explained, 'zone')} "
        f"(rule {_field(explained, 'rule')}, owner {_field(explained, 'owner')})"
    )
    write("")
    write("2. Accept a Copilot suggestion at the end of the file")
    ed.accept_suggestion(uri, SUGGESTION, "copilot", "gpt-4o")
    found = await ed.diagnostics(uri, lambda d: any(x.code == "RF001" for x in d))
    ed.show_diagnostics(uri, found)
    rf001 = next(d for d in found if d.code == "RF001")
    await _list_actions(ed, uri, rf001, write)
    write("")
    write(f"3. Open {TAGGED} (a tagged zone) and accept a suggestion there")
    doc = ed.open(TAGGED, "markdown")
    await ed.diagnostics(doc, lambda d: True)
    ed.accept_suggestion(doc, DOC_SUGGESTION, "copilot", "gpt-4o")
    found = await ed.diagnostics(doc, lambda d: any(x.code == "RF002" for x in d))
    ed.show_diagnostics(doc, found)
    rf002 = next(d for d in found if d.code == "RF002")
    actions = await _list_actions(ed, doc, rf002, write)
    write("")
    write("4. Apply 'Tag provenance' on the docs edit")
    result = await ed.run(next(a for a in actions if a.title.startswith("Tag provenance")))
    found = await ed.diagnostics(doc, lambda d: not any(x.code == "RF002" for x in d))
    ed.show_diagnostics(doc, found)
    trace = ed.root / ".agent-trace" / "traces.jsonl"
    record = json.loads(trace.read_text(encoding="utf-8").splitlines()[-1])
    span = record["files"][0]["conversations"][0]["ranges"][0]
    entry = record["files"][0]
    model = entry["conversations"][0]["contributor"]["model_id"]
    write(
        f"  recorded {_field(result, 'recordId')} in .agent-trace/traces.jsonl: {entry['path']} "
        f"lines {span['start_line']}-{span['end_line']}, {model}, {span['content_hash'][:19]}…"
    )
    write("")
    write(f"5. Apply 'Revert AI edit' in {HUMAN_ONLY}")
    actions = await ed.actions(uri, rf001)
    await ed.run(next(a for a in actions if a.title.startswith("Revert AI edit")))
    found = await ed.diagnostics(uri, lambda d: not any(x.code == "RF001" for x in d))
    ed.show_diagnostics(uri, found)
    original = (ed.root / HUMAN_ONLY).read_text(encoding="utf-8")
    write(f"  the file is back to its earlier text: {'yes' if ed.texts[uri] == original else 'NO'}")
    if ed.messages:
        write("")
        write("Messages from the server: " + "; ".join(ed.messages))
    write("")
    write(
        "Done: diagnostics appeared on exactly the AI lines, tagging cleared the warning, "
        "reverting cleared the error."
    )


async def _list_actions(
    ed: DemoEditor, uri: str, diagnostic: types.Diagnostic, write
) -> list[types.CodeAction]:
    actions = await ed.actions(uri, diagnostic)
    write(f"  code actions on {diagnostic.code}:")
    for action in actions:
        kind = f" [{action.kind}]" if action.kind else ""
        write(f"    - {action.title}{kind}")
    return actions


def run_demo(write: Callable[[str], None] | None = None) -> int:
    write = write or _print
    with tempfile.TemporaryDirectory(prefix="ringfence-demo-") as workdir:
        root = prepare(Path(workdir))
        env = {**os.environ, "XDG_CONFIG_HOME": str(Path(workdir) / "config")}
        asyncio.run(play(root, write, env))
    return 0


def _print(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _command_or_action(obj, _type):
    """lsprotocol reads every code action carrying a command as a bare Command; LSP tells them
    apart by the type of ``command`` (a string in a Command)."""
    kind = types.Command if isinstance(obj.get("command"), str) else types.CodeAction
    return default_converter().structure(obj, kind)


def _offset(text: str, position: types.Position) -> int:
    lines = text.splitlines(True)
    if position.line >= len(lines):
        return len(text)
    return sum(len(line) for line in lines[: position.line]) + min(
        position.character, len(lines[position.line])
    )


def _path(uri: str) -> str:
    from pygls.uris import to_fs_path

    return to_fs_path(uri) or uri


def _field(value, name: str):
    if isinstance(value, dict):
        return value.get(name)
    return getattr(value, name, None)
