"""``Move to <assistant>`` (``ringfence.handoff``, docs/handoff.md): the editor side of a handoff.

In order: the assistant's repository-provided value must be approved (asked once); ``kind =
"url"`` opens its page with ``window/showDocument`` and stops; otherwise the instruction is
found (argument, comment or docstring above the region, else the user is asked), the request
is built from the human-written context only (secrets redacted, redactions logged), the
assistant runs under a cancellable progress, and its answer replaces the AI region in ONE
versioned workspace edit. The new lines become an in-house region, tagged (trace record or
comment markers, per the policy), so they raise no diagnostic. On any failure the user sees an
Error message and the document is left exactly as it was. The work is in ``ringfence.handoff``.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import uuid
from dataclasses import dataclass

from lsprotocol import types

from ringfence.evidence.hashing import content_hash
from ringfence.evidence.regions import find_by_hash, line_content, split_lines
from ringfence.handoff import (
    DEFAULT_INSTRUCTION,
    HandoffError,
    HandoffRequest,
    TrustStore,
    ask,
    build_request,
    describe,
    expand_url,
    find_instruction,
    handoff_timeout,
    redaction_summary,
    replacement_span,
    replacement_text,
)
from ringfence.lsp.api import RegionHandle, add_region, apply_edit, wait_for_version
from ringfence.provenance.comments import provenance_markers

log = logging.getLogger(__name__)

ALLOW, CANCEL, COMPLETE = "Allow", "Cancel", "Complete this code"
QUESTION_TIMEOUT = 600.0  # a question waits for a person
PROGRESS_TIMEOUT = 5.0


async def handle_handoff(ls, region_ref: RegionHandle, args) -> dict:
    """workspace/executeCommand ringfence.handoff ``{uri, regionId, instruction?}``."""
    try:
        return await _handoff(ls, region_ref, _instruction_argument(args))
    except HandoffError as exc:
        return _failed(ls, str(exc))
    except Exception as exc:  # a bug must not leave the user guessing, nor the server dead
        log.exception("handoff failed: %s", exc)
        return _failed(ls, f"internal error during the handoff ({exc}); nothing was changed")


@dataclass(frozen=True)
class _Target:
    """What the handoff replaces, fixed before the first await that could let the text change."""

    version: int | None
    lines: list[str]  # the document's lines without line breaks
    start: int  # 0-based lines the answer replaces
    end: int
    earlier: list[str] | None  # the human-written text the AI change replaced, when known


async def _handoff(ls, handle: RegionHandle, instruction: str | None) -> dict:
    od = handle.doc
    assistant = od.repo.active.assistant
    if assistant is None:
        raise HandoffError(
            "no in-house assistant is configured ([assistant] in the policy or the user config)"
        )
    if od.relpath is None:
        raise HandoffError("the file is outside the repository; nothing was sent")
    at = handle.where()
    if at.level.inhouse_edits == "deny":
        raise HandoffError(
            f"{at.label} is {at.level.name}: the in-house assistant may not write here either"
        )
    await _require_trust(ls, od.repo.root, assistant)
    target = _target(handle)
    if assistant.kind == "url":
        url = expand_url(
            assistant.url or "", path=od.relpath, line=target.start + 1, zone=at.zone_name
        )
        return await _open_url(ls, url)
    request = await _request(ls, handle, target, at, instruction)
    answer = await _with_progress(
        ls,
        f"Moving to {assistant.name}",
        lambda: ask(
            assistant, request, cwd=od.repo.root, timeout=handoff_timeout(), environ=os.environ
        ),
    )
    if ls.doc(od.uri) is not od or od.version != target.version:
        raise HandoffError(
            f"the file changed while {assistant.name} was working; nothing was applied"
        )
    lines = await _apply(ls, handle, target, answer)
    log.info(
        "handoff to %s: %s lines %d-%d replaced by %d in-house line(s)",
        assistant.name,
        od.relpath,
        target.start + 1,
        target.end + 1,
        len(answer),
    )
    return {
        "applied": True,
        "assistant": assistant.name,
        "lines": [lines[0] + 1, lines[1] + 1],
        "redactions": len(request.redactions),
    }


def _target(handle: RegionHandle) -> _Target:
    od, region = handle.doc, handle.region
    lines = [line_content(line) for line in od.lines]
    revert = None
    if handle.earlier_text() is not None:
        first, last = region.revert_span()
        revert = (first, last, [line_content(line) for line in split_lines(region.revert.earlier)])
    start, end, earlier = replacement_span(lines, region.start, region.end, revert)
    return _Target(od.version, lines, start, end, earlier)


async def _request(
    ls, handle: RegionHandle, target: _Target, at, instruction: str | None
) -> HandoffRequest:
    """The request: other external AI regions left out, the instruction found or asked for."""
    od, policy = handle.doc, handle.doc.repo.active
    name = policy.assistant.name
    excluded = [
        (r.start, r.end)
        for r in od.regions
        if r.id != handle.region.id and not policy.is_inhouse(r.tool)
    ]
    skip = {i for first, last in excluded for i in range(first, last + 1)}
    instruction = (
        instruction
        or find_instruction(target.lines, target.start, od.relpath, od.language_id, skip)
        or await _ask_instruction(ls, name)
    )
    request = await asyncio.get_running_loop().run_in_executor(
        ls.thread_pool,
        functools.partial(
            build_request,
            assistant=name,
            lines=target.lines,
            start=target.start,
            end=target.end,
            path=od.relpath,
            language=od.language_id,
            zone=at.zone_name,
            level=at.level.name,
            instruction=instruction,
            earlier=target.earlier,
            excluded=excluded,
        ),
    )
    summary = redaction_summary(request)
    if summary:
        log.info("%s", summary)
    return request


async def _apply(ls, handle: RegionHandle, target: _Target, answer: list[str]) -> tuple[int, int]:
    """Replace the target lines with the answer in one versioned edit, then record the new lines
    as an in-house region, tagged; returns that region's 0-based lines."""
    od = handle.doc
    policy = od.repo.active
    assistant = policy.assistant
    comment = None
    if policy.settings.provenance_style == "comment":
        comment = provenance_markers(
            od.path, answer[0], assistant.name, assistant.model or "", od.language_id
        )
    new_lines = [comment[0], *answer, comment[1]] if comment else answer
    after = od.text.lines_end(target.end)
    final_break = (after.line, after.character) == (target.end + 1, 0)
    text = replacement_text(new_lines, _eol(od.lines, target.start), final_break=final_break)
    start = types.Position(line=target.start, character=0)
    edit = types.TextEdit(range=types.Range(start=start, end=after), new_text=text)
    if not await apply_edit(ls, od, [edit], f"Move to {assistant.name}"):
        raise HandoffError(
            "the editor did not apply the edit (was the file changed?); nothing was changed"
        )
    first = await _placed(ls, od, target.version, target.start, new_lines)
    od.regions.remove(
        handle.region.id
    )  # replaced (a line equal to the human text it held may survive)
    inner = (
        (first + 1, first + len(new_lines) - 2) if comment else (first, first + len(new_lines) - 1)
    )
    placed = add_region(
        ls, od.uri, *inner, assistant.name, model=assistant.model or "", source="client"
    )
    if not comment:
        placed.record("tagged")
    ls.publish(od)
    return inner


def _instruction_argument(args) -> str | None:
    value = (
        args.get("instruction") if isinstance(args, dict) else getattr(args, "instruction", None)
    )
    if value is not None and not isinstance(value, str):
        raise HandoffError("'instruction' must be a string")
    return (value or "").strip() or None


async def _require_trust(ls, root: str, assistant) -> None:
    """A repository's endpoint, command or url is used only once the user approved it."""
    store = TrustStore()
    if store.is_trusted(root, assistant):
        return
    value = describe(assistant)
    question = (
        f"Allow ringfence to send code context to {value}? The repository's policy "
        f"({assistant.source_file}) names it as the in-house assistant '{assistant.name}'."
    )
    if await _ask(ls, types.MessageType.Warning, question, [ALLOW, CANCEL]) != ALLOW:
        raise HandoffError(f"{value} was not approved; nothing was sent")
    store.approve(root, assistant)
    log.info("approved %s for %s (in %s)", value, root, store.path)


async def _ask_instruction(ls, name: str) -> str:
    question = (
        f"No comment or docstring above the AI edit says what it should do. Ask {name} to "
        f"complete the code from the surrounding code?"
    )
    if await _ask(ls, types.MessageType.Info, question, [COMPLETE, CANCEL]) != COMPLETE:
        raise HandoffError("no instruction given; nothing was sent")
    return DEFAULT_INSTRUCTION


async def _ask(ls, kind: types.MessageType, message: str, titles: list[str]) -> str | None:
    """``window/showMessageRequest``; None when the user dismissed it or the client cannot ask."""
    params = types.ShowMessageRequestParams(
        type=kind,
        message=f"ringfence: {message}",
        actions=[types.MessageActionItem(title=t) for t in titles],
    )
    try:
        item = await asyncio.wait_for(
            ls.window_show_message_request_async(params), QUESTION_TIMEOUT
        )
    except Exception as exc:
        log.warning("window/showMessageRequest failed: %s", exc or type(exc).__name__)
        return None
    return getattr(item, "title", None)


async def _open_url(ls, url: str) -> dict:
    window = ls.client_capabilities.window
    if not (window and window.show_document and window.show_document.support):
        raise HandoffError(f"this editor cannot open links for ringfence; open {url} yourself")
    try:
        shown = await ls.window_show_document_async(
            types.ShowDocumentParams(uri=url, external=True)
        )
    except Exception as exc:
        raise HandoffError(f"the editor could not open {url}: {exc}") from None
    if not (shown and shown.success):
        raise HandoffError(f"the editor could not open {url}")
    return {"opened": url}


async def _with_progress(ls, title: str, work):
    """Run ``work()`` under a cancellable ``$/progress``; the user's cancel stops it."""
    token = str(uuid.uuid4())
    cancelled = await _begin_progress(ls, token, title)
    task = asyncio.ensure_future(work())
    if cancelled is not None:
        loop = asyncio.get_running_loop()

        def on_cancel(future) -> None:
            if future.cancelled():
                loop.call_soon_threadsafe(task.cancel)

        cancelled.add_done_callback(on_cancel)
    outcome = "cancelled"
    try:
        result = await task
        outcome = "done"
        return result
    except asyncio.CancelledError:
        if cancelled is not None and cancelled.cancelled():
            raise HandoffError("the handoff was cancelled; nothing was changed") from None
        raise
    except HandoffError:
        outcome = "failed"
        raise
    finally:
        if cancelled is not None:
            ls.work_done_progress.end(token, types.WorkDoneProgressEnd(message=outcome))


async def _begin_progress(ls, token: str, title: str):
    """Create and begin a progress; its cancellation future, or None without progress support."""
    window = ls.client_capabilities.window
    if not (window and window.work_done_progress):
        return None
    try:
        await asyncio.wait_for(ls.work_done_progress.create_async(token), PROGRESS_TIMEOUT)
    except Exception as exc:
        log.info("window/workDoneProgress/create failed: %s", exc or type(exc).__name__)
        return None
    ls.work_done_progress.begin(
        token,
        types.WorkDoneProgressBegin(
            title=title, message="sending the human-written context", cancellable=True
        ),
    )
    return ls.work_done_progress.tokens.get(token)


async def _placed(ls, od, version: int | None, start: int, new_lines: list[str]) -> int:
    """Where the applied lines are once the client's didChange arrived; heuristic guesses the
    edit itself caused are withdrawn (the server knows where these lines came from)."""
    if version is not None and not await wait_for_version(ls, od.uri, version + 1):
        log.warning("%s: the editor applied the handoff but sent no change yet", od.uri)
    lines = [line_content(line) for line in od.lines]
    first = start
    if lines[start : start + len(new_lines)] != new_lines:
        found = find_by_hash(od.lines, start, len(new_lines), content_hash(new_lines))
        if found is None:
            raise HandoffError(
                "the applied lines cannot be found in the file; they were not recorded"
            )
        first = found
    last = first + len(new_lines) - 1
    for guess in od.regions.overlapping(first, last):
        if guess.source == "heuristic" and (guess.version or 0) > (version or 0):
            od.regions.remove(guess.id)
    return first


def _eol(lines: list[str], near: int) -> str:
    for line in (*lines[near : near + 1], *lines):
        if line.endswith("\r\n"):
            return "\r\n"
        if line.endswith(("\n", "\r")):
            return line[-1]
    return "\n"


def _failed(ls, message: str) -> dict:
    log.warning("handoff: %s", message)
    ls.window_show_message(
        types.ShowMessageParams(type=types.MessageType.Error, message=f"ringfence: {message}")
    )
    return {"applied": False, "error": message}
