"""``kind = "command"``: run the configured command, JSON request on stdin, answer on stdout.

The command runs in the repository root in its own process group, so a timeout or a cancelled
handoff kills it and anything it started.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
from collections.abc import Mapping

from ringfence.handoff.errors import HandoffError
from ringfence.handoff.request import HandoffRequest
from ringfence.policy.model import AssistantConfig

MAX_ANSWER_BYTES = 8 * 1024 * 1024


async def complete(
    assistant: AssistantConfig,
    request: HandoffRequest,
    *,
    timeout: float,
    cwd: str,
    environ: Mapping[str, str],
) -> str:
    """The command's stdout, decoded; a failure, a hang or empty output is a HandoffError."""
    argv = list(assistant.command or ())
    stdin = json.dumps(request.payload(), ensure_ascii=False).encode("utf-8")
    try:
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            cwd=cwd,
            env=dict(environ),
            start_new_session=True,
        )
    except OSError as exc:
        raise HandoffError(
            f"cannot run the {assistant.name} command {argv[0]!r}: {exc.strerror or exc}"
        ) from None
    try:
        out, err = await asyncio.wait_for(process.communicate(stdin), timeout)
    except asyncio.TimeoutError:
        await _kill(process)
        raise HandoffError(
            f"the {assistant.name} command did not finish within {timeout:g} s and was stopped"
        ) from None
    except BaseException:
        await _kill(process)
        raise
    if process.returncode != 0:
        last = next(
            (
                line
                for line in reversed(err.decode("utf-8", "replace").splitlines())
                if line.strip()
            ),
            "",
        )
        detail = f": {' '.join(last.split())[:200]}" if last else ""
        raise HandoffError(
            f"the {assistant.name} command failed (exit status {process.returncode}){detail}"
        )
    if len(out) > MAX_ANSWER_BYTES:
        raise HandoffError(
            f"the {assistant.name} command printed more than 8 MiB; nothing was changed"
        )
    try:
        return out.decode("utf-8")
    except UnicodeDecodeError:
        raise HandoffError(
            f"the {assistant.name} command printed text that is not UTF-8; nothing was changed"
        ) from None


async def _kill(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        await process.wait()
