"""LSP handlers: each one is a thin adapter from a protocol message to the server's methods."""

from __future__ import annotations

import asyncio
import logging
import uuid
from urllib.parse import unquote

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from ringfence.lsp import names
from ringfence.lsp.server import RingfenceServer, document_path
from ringfence.lsp.settings import parse_settings
from ringfence.policy.links import hard_links

log = logging.getLogger(__name__)

CONFIG_TIMEOUT = 5.0


def register(server: RingfenceServer) -> None:
    """Attach every handler to ``server``."""

    @server.feature(types.INITIALIZE)
    def initialize(ls: RingfenceServer, params: types.InitializeParams) -> None:
        """LSP handler for initialize: line-list documents, settings from initializationOptions."""
        ls.use_line_documents()
        _apply_settings(ls, params.initialization_options)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: RingfenceServer, params: types.InitializedParams) -> None:
        """LSP handler for initialized: start the evidence watcher, watch files, pull settings."""
        if ls.log_handler is not None:
            ls.log_handler.bind(asyncio.get_running_loop())
        ls.evidence.start()
        await asyncio.gather(_register_watchers(ls), _pull_settings(ls))

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: RingfenceServer, params: None) -> None:
        """LSP handler for shutdown: stop polling."""
        ls.evidence.stop()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: RingfenceServer, params: types.DidOpenTextDocumentParams) -> None:
        """LSP handler for textDocument/didOpen: classify, re-find evidence, publish."""
        od = ls.open_doc(params.text_document.uri, params.text_document.language_id)
        if od is None:
            return
        ls.evidence.restore(od)
        if od.is_policy and _overlay(ls, od):
            ls.reload(od.repo)
        else:
            ls.publish(od)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: RingfenceServer, params: types.DidChangeTextDocumentParams) -> None:
        """LSP handler for textDocument/didChange: regions follow the edit; publish at once."""
        od = ls.doc(params.text_document.uri)
        if od is None:  # a document ringfence ignores: its change records are not needed
            ignored = ls.workspace.text_documents.get(unquote(params.text_document.uri))
            if ignored is not None and hasattr(ignored, "take_changes"):
                ignored.take_changes()
            return
        steps = od.record(od.text.take_changes(), params.text_document.version)
        ls.evidence.after_changes(od, steps)
        if od.is_policy and _overlay(ls, od):
            ls.reload(od.repo)
        else:
            ls.publish(od)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(ls: RingfenceServer, params: types.DidSaveTextDocumentParams) -> None:
        """LSP handler for textDocument/didSave: journal the untagged AI regions."""
        od = ls.doc(params.text_document.uri)
        if od is not None:
            ls.evidence.record_save(od)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: RingfenceServer, params: types.DidCloseTextDocumentParams) -> None:
        """LSP handler for textDocument/didClose: drop the document's regions (unsaved: gone)."""
        od = ls.close_doc(params.text_document.uri)
        if od is not None and od.is_policy and od.repo.overlay.pop(od.relpath, None) is not None:
            ls.reload(od.repo)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(
        ls: RingfenceServer, params: types.DidChangeWatchedFilesParams
    ) -> None:
        """LSP handler for workspace/didChangeWatchedFiles: reload policies, re-read provenance."""
        ls.evidence.files_changed([change.uri for change in params.changes])

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(
        ls: RingfenceServer, params: types.DidChangeConfigurationParams
    ) -> None:
        """LSP handler for workspace/didChangeConfiguration: settings pushed, else pulled."""
        pushed = params.settings
        if isinstance(pushed, dict) and isinstance(pushed.get("ringfence"), dict):
            _apply_settings(ls, pushed)
        else:
            await _pull_settings(ls)

    @server.feature(names.EDIT_ORIGIN)
    def edit_origin(ls: RingfenceServer, params) -> None:
        """Custom notification ringfence/editOrigin (docs/lsp.md, Custom protocol and settings)."""
        ls.evidence.edit_origin(_plain(params))

    @server.feature(names.EXPLAIN)
    def explain(ls: RingfenceServer, params) -> dict | None:
        """Custom request ringfence/explain (docs/lsp.md, Custom protocol): the explain fields."""
        uri = _plain(params).get("uri") if isinstance(_plain(params), dict) else None
        if not isinstance(uri, str):
            raise JsonRpcInvalidParams("ringfence/explain needs {uri}")
        return explain_uri(ls, uri)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    def code_action(ls: RingfenceServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        """LSP handler for textDocument/codeAction."""
        from ringfence.lsp import actions

        return actions.code_actions(ls, params)

    @server.feature(types.TEXT_DOCUMENT_CODE_LENS)
    def code_lens(ls: RingfenceServer, params: types.CodeLensParams) -> list[types.CodeLens]:
        """LSP handler for textDocument/codeLens: the file's level on line 0 when above open."""
        from ringfence.lsp.diagnostics import decision_where

        od = ls.doc(params.text_document.uri)
        if od is None or od.view is None or od.view.decision.level.rank <= 0:
            return []
        decision = od.view.decision
        at = decision_where(od.repo, decision, od.uri)
        name = decision.zone.name if decision.zone else at.label
        title = f"ringfence: {decision.level.name} · {name}" + (
            f" — {at.reason}" if at.reason else ""
        )
        zero = types.Position(line=0, character=0)
        return [
            types.CodeLens(
                range=types.Range(start=zero, end=zero),
                command=types.Command(
                    title=title, command=names.OPEN_ZONE, arguments=[{"uri": od.uri}]
                ),
            )
        ]

    _register_commands(server)


def _register_commands(server: RingfenceServer) -> None:
    for name in (names.REVERT, names.TAG, names.REVIEW, names.DISMISS, names.OPEN_ZONE):
        server.command(name)(_command(name))

    @server.command(names.HANDOFF)
    async def move_to_assistant(ls: RingfenceServer, *args):
        """workspace/executeCommand ringfence.handoff: delegated to ringfence.lsp.handoff."""
        from ringfence.lsp import handoff
        from ringfence.lsp.api import find_region

        ref = _ref(args)
        region = find_region(ls, ref.uri, ref.region_id)
        if region is None:
            return _failed(
                ls, "that AI region is gone (the file changed or was closed); nothing was done"
            )
        return await handoff.handle_handoff(ls, region, _plain(args[0]))


def _command(name: str):
    async def handler(ls: RingfenceServer, *args):
        from ringfence.lsp import actions

        runners = {
            names.REVERT: actions.revert,
            names.TAG: actions.tag_provenance,
            names.REVIEW: actions.mark_reviewed,
            names.DISMISS: actions.dismiss_heuristic,
            names.OPEN_ZONE: actions.open_zone,
        }
        ref = _ref(args)
        try:
            return await runners[name](ls, ref)
        except actions.ActionError as exc:
            return _failed(ls, str(exc))

    handler.__doc__ = f"workspace/executeCommand {name}."
    handler.__name__ = name.rpartition(".")[2]
    return handler


def _ref(args: tuple):
    from ringfence.lsp.api import RegionRef

    try:
        return RegionRef.parse(tuple(_plain(a) for a in args))
    except ValueError as exc:
        raise JsonRpcInvalidParams(str(exc)) from None


def _failed(ls: RingfenceServer, message: str) -> dict:
    ls.window_show_message(
        types.ShowMessageParams(type=types.MessageType.Error, message=f"ringfence: {message}")
    )
    return {"applied": False, "error": message}


def explain_uri(ls: RingfenceServer, uri: str) -> dict | None:
    """The explain fields (docs/policy.md), the policy location and the level's attributes
    (None: an ignored document)."""
    from ringfence.lsp.diagnostics import decision_where

    od = ls.doc(uri)
    if od is not None:
        repo, decision = od.repo, od.view.decision
    else:
        located = document_path(uri)
        if located is None:
            return None
        repo = ls.repo_for(located[0])
        aliases = hard_links(located[0], repo.root)
        decision = repo.active.view(located[0], aliases=aliases).decision
    out = decision.to_json()
    out["path"] = decision.relpath if decision.relpath is not None else decision.path
    at = decision_where(repo, decision, uri)
    out["policy"] = {"uri": at.location[0], "line": at.location[1]} if at.location else None
    out.update(decision.level.attributes())
    table = repo.active.tool_table(decision)  # docs/lsp.md: what each external tool may do here
    out["toolEdits"] = {tool: judged.level.external_edits for tool, judged in table.items()}
    out["toolRules"] = {
        tool: judged.to_json() for tool, judged in table.items() if judged.rule is not None
    }
    # docs/lsp.md: who a "Move to <assistant>" goes to, and whose edits count as in-house here
    policy = repo.active
    assistant = policy.assistant
    out["assistant"] = assistant.name if assistant is not None else None
    named = {*policy.settings.inhouse_tools, *([assistant.name] if assistant else [])}
    out["inhouseTools"] = sorted(tool for tool in named if policy.is_inhouse(tool))
    return out


def _overlay(ls: RingfenceServer, od) -> bool:
    """Make an open policy file's text the one the policy reads; True when it changed."""
    text = od.text.source
    if od.repo.overlay.get(od.relpath) == text:
        return False
    od.repo.overlay[od.relpath] = text
    return True


def _apply_settings(ls: RingfenceServer, raw) -> None:
    ls.settings, problems = parse_settings(raw, ls.settings)
    for problem in problems:
        log.warning("%s (ignored)", problem)


async def _pull_settings(ls: RingfenceServer) -> None:
    workspace = ls.client_capabilities.workspace
    if not (workspace and workspace.configuration):
        return
    try:
        found = await asyncio.wait_for(
            ls.workspace_configuration_async(
                types.ConfigurationParams(items=[types.ConfigurationItem(section="ringfence")])
            ),
            CONFIG_TIMEOUT,
        )
    except Exception as exc:
        log.info("workspace/configuration failed: %s", exc)
        return
    if found and isinstance(found[0], dict):
        _apply_settings(ls, found[0])


async def _register_watchers(ls: RingfenceServer) -> None:
    workspace = ls.client_capabilities.workspace
    watched = workspace.did_change_watched_files if workspace else None
    if not (watched and watched.dynamic_registration):
        return  # the evidence watcher's polling covers clients without file watchers
    from ringfence.lsp.policies import POLICY_NAMES
    from ringfence.policy.engine import PYPROJECT
    from ringfence.provenance.trace import TRACE_FILE

    names = sorted(POLICY_NAMES) + [PYPROJECT]
    watchers = [types.FileSystemWatcher(glob_pattern=f"**/{name}") for name in names]
    watchers.append(types.FileSystemWatcher(glob_pattern=f"**/{TRACE_FILE}"))
    registration = types.Registration(
        id=str(uuid.uuid4()),
        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
    )
    try:
        await asyncio.wait_for(
            ls.client_register_capability_async(
                types.RegistrationParams(registrations=[registration])
            ),
            CONFIG_TIMEOUT,
        )
    except Exception as exc:
        log.info("client/registerCapability for file watchers failed: %s", exc)


def _plain(value):
    """Custom-method params as plain JSON values (pygls may hand over attrs-like objects)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) and not hasattr(value, "_asdict"):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if hasattr(value, "_asdict"):
        return {k: _plain(v) for k, v in value._asdict().items()}
    if hasattr(value, "__dict__"):
        return {k: _plain(v) for k, v in vars(value).items()}
    return value
