"""``Move to <assistant>`` end to end: the real ``ringfence lsp`` under pytest-lsp (VS Code and
Neovim presets), a real chat completions server on 127.0.0.1, a real command assistant script,
the url kind through ``window/showDocument``, and every failure mode leaving the file as it was.
Each session gets its own ``XDG_CONFIG_HOME`` (the trust store) and handoff timeout."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import ClientServerConfig

from ringfence.handoff import TIMEOUT_ENV
from ringfence.provenance.trace import TRACE_FILE
from test_handoff_fakes import ChatServer, read_records, write_command
from test_lsp_editor import PRESETS, SERVER, Editor, make_client, start

KEY = "mc-secret-api-key"
AI = "EXTERNAL_AI_OUTPUT"
PASSWORD = "Tr0ub4dor&3xyz"
REGION_CODES = {"RF001", "RF002", "RF003", "RF005"}
TRUST_QUESTION = "Allow ringfence to send code context to"
INSTRUCTION_QUESTION = "No comment or docstring"
WAIT = 30.0  # generous: the suite shares two cores with other suites

HEAD = (
    "import os\n"
    f'DB_PASSWORD = "{PASSWORD}"\n'
    "\n"
    "def mean(values):\n"
    '    """Average of the values, 0 for an empty list."""\n'
)
AI_TEXT = (
    f"    total = sum(values)  # {AI}\n"
    f"    count = len(values)  # {AI}\n"
    f"    return total / count  # {AI}\n"
)
TAIL = "\n\ndef median(values):\n    return sorted(values)[len(values) // 2]\n"
ANSWER = "if not values:\n    return 0\nreturn sum(values) / len(values)\n"
ANSWER_LINES = "    if not values:\n        return 0\n    return sum(values) / len(values)\n"


def policy(assistant: str, style: str = "trace") -> str:
    return f"""version = 1

[assistant]
name = "metacode"
{assistant}

[provenance]
style = "{style}"

[[zone]]
name = "model-serving"
path = "serving/**"
level = "internal"
reason = "Serving code must not leave the company."

[[zone]]
name = "training-data"
path = "training/**"
level = "human-only"
reason = "Handwritten only."
"""


def openai_policy(endpoint: str, style: str = "trace") -> str:
    return policy(
        f'kind = "openai"\nendpoint = "{endpoint}"\nmodel = "qwen2.5-coder"\n'
        f'api-key-env = "METACODE_API_KEY"',
        style,
    )


@pytest.fixture
def chat():
    server = ChatServer().start()
    server.answer = f"Here it is:\n```python\n{ANSWER}```\n"
    yield server
    server.stop()


class Session:
    """One editor session with the real server, plus what the user answers to its questions."""

    def __init__(self, editor: Editor, xdg: Path) -> None:
        self.editor = editor
        self.client = editor.client
        self.xdg = xdg
        self.replies = {TRUST_QUESTION: "Allow", INSTRUCTION_QUESTION: "Complete this code"}
        self.questions: list[str] = []

        def question(params: types.ShowMessageRequestParams):
            self.questions.append(params.message)
            reply = next(
                (r for prefix, r in self.replies.items() if prefix in params.message), None
            )
            return types.MessageActionItem(title=reply) if reply else None

        self.client.feature(types.WINDOW_SHOW_MESSAGE_REQUEST)(question)

    def open_with_ai_edit(self, rel: str = "serving/stats.py") -> str:
        uri = self.editor.open(rel)
        self.editor.ai_insert(uri, 5, AI_TEXT, tool="copilot", model="gpt-4o")
        return uri

    async def move(self, uri: str, line: int = 5, code: str = "RF001", **extra):
        """Run the ``Move to metacode`` code action offered on the ``code`` finding at ``line``."""
        await self.editor.codes(
            uri, until=lambda found: any(d.code == code for d in found), timeout=WAIT
        )
        actions = await self.editor.actions(uri, line)
        move = next(a for a in actions if a.title == "Move to metacode")
        assert move.kind == types.CodeActionKind.QuickFix
        arguments = [{**move.command.arguments[0], **extra}]
        return _plain(await self.editor.execute(move.command.command, *arguments))

    def errors(self) -> list[str]:
        return [m.message for m in self.client.messages if m.type == types.MessageType.Error]

    async def settled_region_codes(self, uri: str) -> set[str]:
        """The region diagnostics once the heuristic grace period is over."""
        await asyncio.sleep(0.5)
        found = await self.editor.diagnostics(uri, timeout=WAIT)
        return {d.code for d in found} & REGION_CODES


async def until(predicate, timeout: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out waiting"
        await asyncio.sleep(0.02)


def _plain(value):
    if isinstance(value, dict) or value is None:
        return value
    return {k: getattr(value, k) for k in dir(value) if not k.startswith("_")}


@pytest.fixture(params=PRESETS)
async def session(request, tmp_path):
    clients = []

    async def open_session(root: Path, *, env: dict | None = None, without: tuple = ()) -> Session:
        xdg = tmp_path / "xdg"
        server_env = {
            **os.environ,
            "XDG_CONFIG_HOME": str(xdg),
            TIMEOUT_ENV: "5",
            "METACODE_API_KEY": KEY,
            **(env or {}),
        }
        for name in without:
            server_env.pop(name, None)
        client = await ClientServerConfig(
            server_command=SERVER, client_factory=make_client, server_env=server_env
        ).start()
        client.preset = request.param
        clients.append(client)
        return Session(await start(client, root), xdg)

    yield open_session
    for client in clients:
        try:
            await asyncio.wait_for(client.shutdown_session(), 5)
        except (asyncio.TimeoutError, RuntimeError):
            pass
        await client.stop()


def repo_files(assistant_policy: str) -> dict[str, str]:
    return {
        ".ringfence.toml": assistant_policy,
        "serving/stats.py": HEAD + TAIL,
        "training/gen.py": HEAD + TAIL,
    }


def trace_records(root: Path) -> list[dict]:
    path = root / TRACE_FILE
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


# ----- the happy paths ---------------------------------------------------------------------------


async def test_openai_handoff_replaces_the_ai_edit_and_tags_the_result(session, make_repo, chat):
    root = make_repo(repo_files(openai_policy(chat.endpoint)))
    s = await session(root)
    uri = s.open_with_ai_edit()
    await s.editor.codes(
        uri, until=lambda found: any(d.code == "RF001" for d in found), timeout=WAIT
    )
    assert chat.received == []  # no connection before an explicit handoff
    result = await s.move(uri)
    assert result["applied"] is True and result["lines"] == [6, 8]
    assert s.editor.texts[uri] == HEAD + ANSWER_LINES + TAIL
    assert len(s.editor.applied) == 1  # revert and answer in one edit

    (received,) = chat.received
    sent = json.dumps(received["body"])
    assert AI not in sent, "the external tool's output must never reach the assistant"
    assert PASSWORD not in sent and "<redacted>" in sent
    assert (
        "Average of the values, 0 for an empty list." in received["body"]["messages"][1]["content"]
    )
    assert received["headers"]["Authorization"] == f"Bearer {KEY}"
    assert received["body"]["model"] == "qwen2.5-coder"

    assert await s.settled_region_codes(uri) == set()
    (record,) = trace_records(root)
    meta = record["metadata"]["dev.ringfence"]
    assert (meta["ai_tool"], meta["source"], meta["state"], meta["zone"]) == (
        "metacode",
        "client",
        "tagged",
        "model-serving",
    )
    assert record["files"][0]["conversations"][0]["ranges"][0]["start_line"] == 6
    logs = [m.message for m in s.client.log_messages]
    assert any("redacted 1 secret(s)" in m and "line 2: Secret Keyword" in m for m in logs)
    assert not any(PASSWORD in m or KEY in m for m in logs)
    assert [q for q in s.questions if TRUST_QUESTION in q] and chat.endpoint in s.questions[0]
    assert s.errors() == []
    (reports,) = [r for r in s.client.progress_reports.values() if r]
    assert (
        reports[0].kind == "begin"
        and reports[0].title == "Moving to metacode"
        and reports[0].cancellable
    )
    assert reports[-1].kind == "end" and reports[-1].message == "done"


async def test_handoff_of_a_guessed_ai_edit(session, make_repo, chat):
    root = make_repo(repo_files(openai_policy(chat.endpoint)))
    s = await session(root)
    uri = s.editor.open("serving/stats.py")
    s.editor.insert(
        uri, 5, AI_TEXT
    )  # a large insertion nobody reported: RF005 after the grace period
    result = await s.move(uri, code="RF005")
    assert result["applied"] is True
    assert s.editor.texts[uri] == HEAD + ANSWER_LINES + TAIL
    assert AI not in json.dumps(chat.received[0]["body"])
    assert await s.settled_region_codes(uri) == set()


async def test_crlf_file_ending_in_the_ai_edit_keeps_its_line_endings(session, make_repo, chat):
    text = "def moyenne(valeurs):\r\n    # calcule la moyenne, 0 si la liste est vide (é→ü)\r\n"
    root = make_repo({".ringfence.toml": openai_policy(chat.endpoint), "serving/fr.py": text})
    s = await session(root)
    uri = s.editor.open("serving/fr.py", text)
    ai = (
        f"    total = sum(valeurs)  # {AI} é\r\n    n = len(valeurs)\r\n"
        f"    return total / n  # {AI} ü"
    )
    version = s.editor.insert(
        uri, 2, ai
    )  # the file now ends inside the AI edit, without a line break
    end = s.editor.position(uri, 4, len("    return total / n  # ") + len(AI) + 2)
    s.editor.origin(
        uri,
        "ai",
        version=version,
        tool="copilot",
        ranges=[
            {"start": {"line": 2, "character": 0}, "end": {"line": 4, "character": end.character}}
        ],
    )
    result = await s.move(uri, 2)
    assert result["applied"] is True and result["lines"] == [3, 5]
    assert (
        "calcule la moyenne, 0 si la liste est vide"
        in chat.received[0]["body"]["messages"][1]["content"]
    )
    assert s.editor.texts[uri] == text + ANSWER_LINES.replace("\n", "\r\n")[:-2]
    assert AI not in json.dumps(chat.received[0]["body"])
    assert await s.settled_region_codes(uri) == set()


async def test_approval_is_asked_once_and_stored_in_the_user_config(session, make_repo, chat):
    root = make_repo(repo_files(openai_policy(chat.endpoint)))
    s = await session(root)
    uri = s.open_with_ai_edit()
    await s.move(uri)
    s.editor.ai_insert(uri, 12, f"    x = 1  # {AI}\n    y = 2  # {AI}\n    z = 3  # {AI}\n")
    result = await s.move(uri, 12)
    assert result["applied"] is True
    assert len([q for q in s.questions if TRUST_QUESTION in q]) == 1
    (entry,) = json.loads((s.xdg / "ringfence" / "trust.json").read_text())["approved"]
    assert entry["value"] == chat.endpoint and entry["kind"] == "openai"


async def test_command_assistant_gets_the_json_request(session, make_repo, tmp_path):
    argv = write_command(tmp_path)
    root = make_repo(repo_files(policy(f'kind = "command"\ncommand = {json.dumps(argv)}')))
    record = tmp_path / "record.jsonl"
    s = await session(root, env={"FAKE_RECORD": str(record), "FAKE_ANSWER": ANSWER})
    uri = s.open_with_ai_edit()
    result = await s.move(uri)
    assert result["applied"] is True
    assert s.editor.texts[uri] == HEAD + ANSWER_LINES + TAIL
    (call,) = read_records(record)
    request = call["request"]
    assert (request["file"], request["language"], request["zone"], request["level"]) == (
        "serving/stats.py",
        "python",
        "model-serving",
        "internal",
    )
    assert request["instruction"] == "Average of the values, 0 for an empty list."
    assert request["before"].startswith("import os\n") and request["after"].startswith(
        "\n\ndef median"
    )
    assert AI not in json.dumps(request) and PASSWORD not in json.dumps(request)
    assert Path(call["cwd"]) == root
    assert await s.settled_region_codes(uri) == set()


async def test_user_config_assistant_wins_and_needs_no_approval(session, make_repo, chat, tmp_path):
    argv = write_command(tmp_path)
    user_config = tmp_path / "xdg" / "ringfence" / "config.toml"
    user_config.parent.mkdir(parents=True)
    user_config.write_text(
        f'[assistant]\nname = "metacode"\nkind = "command"\ncommand = {json.dumps(argv)}\n'
    )
    root = make_repo(repo_files(openai_policy(chat.endpoint)))
    record = tmp_path / "record.jsonl"
    s = await session(root, env={"FAKE_RECORD": str(record), "FAKE_ANSWER": ANSWER})
    uri = s.open_with_ai_edit()
    result = await s.move(uri)
    assert result["applied"] is True
    assert len(read_records(record)) == 1 and chat.received == []
    assert s.questions == []


async def test_url_assistant_opens_the_page_and_leaves_the_file(session, make_repo):
    url = "https://metacode.internal/new?file={path}&line={line}&zone={zone}"
    root = make_repo(repo_files(policy(f'kind = "url"\nurl = "{url}"')))
    s = await session(root)
    uri = s.open_with_ai_edit()
    before = s.editor.texts[uri]
    result = await s.move(uri)
    expected = "https://metacode.internal/new?file=serving/stats.py&line=6&zone=model-serving"
    assert result == {"opened": expected}
    (shown,) = s.client.shown_documents
    assert shown.uri == expected and shown.external is True
    assert s.editor.texts[uri] == before and s.editor.applied == []


async def test_instruction_from_the_command_argument(session, make_repo, chat):
    root = make_repo(repo_files(openai_policy(chat.endpoint)))
    s = await session(root)
    uri = s.open_with_ai_edit()
    await s.move(uri, instruction="Use statistics.fmean")
    assert "Task: Use statistics.fmean" in chat.received[0]["body"]["messages"][1]["content"]
    assert not [q for q in s.questions if INSTRUCTION_QUESTION in q]


async def test_without_a_comment_the_user_is_asked_for_the_instruction(session, make_repo, chat):
    text = "import os\n\nVALUE = 1\n" + TAIL
    root = make_repo({".ringfence.toml": openai_policy(chat.endpoint), "serving/plain.py": text})
    s = await session(root)
    uri = s.editor.open("serving/plain.py")
    s.editor.ai_insert(uri, 3, f"x = 1  # {AI}\ny = 2  # {AI}\nz = 3  # {AI}\n")
    s.replies[INSTRUCTION_QUESTION] = "Cancel"
    result = await s.move(uri, 3)
    assert result["applied"] is False and chat.received == []
    assert any("no instruction given" in e for e in s.errors())
    s.replies[INSTRUCTION_QUESTION] = "Complete this code"
    result = await s.move(uri, 3)
    assert result["applied"] is True
    assert (
        "Task: Complete the code at the marked location"
        in chat.received[0]["body"]["messages"][1]["content"]
    )


async def test_comment_provenance_style_wraps_the_answer_in_markers(session, make_repo, chat):
    root = make_repo(repo_files(openai_policy(chat.endpoint, style="comment")))
    s = await session(root)
    uri = s.open_with_ai_edit()
    result = await s.move(uri)
    assert result["applied"] is True and result["lines"] == [7, 9]
    assert s.editor.texts[uri] == (
        HEAD
        + "    # ringfence: ai-begin tool=metacode model=qwen2.5-coder\n"
        + ANSWER_LINES
        + "    # ringfence: ai-end\n"
        + TAIL
    )
    assert await s.settled_region_codes(uri) == set()
    assert trace_records(root) == []


async def test_handoff_is_not_offered_where_in_house_edits_are_denied(session, make_repo, chat):
    root = make_repo(repo_files(openai_policy(chat.endpoint)))
    s = await session(root)
    uri = s.open_with_ai_edit("training/gen.py")
    await s.editor.codes(
        uri, until=lambda found: any(d.code == "RF001" for d in found), timeout=WAIT
    )
    actions = await s.editor.actions(uri, 5)
    assert not [a for a in actions if a.title.startswith("Move to")]
    region_id = next(d.data["regionId"] for d in s.client.diagnostics[uri] if d.code == "RF001")
    result = _plain(
        await s.editor.execute("ringfence.handoff", {"uri": uri, "regionId": region_id})
    )
    assert result["applied"] is False and "human-only" in result["error"]
    assert chat.received == []


# ----- failures: a clear message, the file exactly as before --------------------------------------


async def assert_failed(s: Session, uri: str, result: dict, message: str) -> None:
    assert result["applied"] is False, result
    assert message in result["error"]
    assert any(message in e for e in s.errors()), s.errors()
    assert s.editor.texts[uri] == HEAD + AI_TEXT + TAIL
    assert s.editor.applied == []


OPENAI_FAILURES = [
    ("error", "answered HTTP 500 Internal Server Error: model overloaded"),
    ("nonjson", "did not answer JSON"),
    ("empty", "returned an empty answer"),
    ("nochoices", "answered JSON without choices[0].message.content"),
    ("slow", "did not answer within 1 s"),
]


async def test_openai_endpoint_failures(session, make_repo, chat):
    root = make_repo(repo_files(openai_policy(chat.endpoint)))
    s = await session(root, env={TIMEOUT_ENV: "1"})
    uri = s.open_with_ai_edit()
    for count, (mode, message) in enumerate(OPENAI_FAILURES, start=1):
        chat.mode = mode
        await assert_failed(s, uri, await s.move(uri), message)
        assert len(chat.received) == count
    chat.mode = "ok"
    s.editor.refuse_edits = True  # the editor answers applied: false
    await assert_failed(s, uri, await s.move(uri), "the editor did not apply the edit")
    assert trace_records(root) == []
    assert "RF001" in await s.settled_region_codes(uri)


async def test_endpoint_down(session, make_repo):
    down = ChatServer()
    down.httpd.server_close()  # nothing listens on that port any more
    root = make_repo(repo_files(openai_policy(down.endpoint)))
    s = await session(root)
    uri = s.open_with_ai_edit()
    await assert_failed(s, uri, await s.move(uri), "connection refused")


async def test_unset_api_key_variable_sends_nothing(session, make_repo, chat):
    root = make_repo(repo_files(openai_policy(chat.endpoint)))
    s = await session(root, without=("METACODE_API_KEY",))
    uri = s.open_with_ai_edit()
    await assert_failed(s, uri, await s.move(uri), "METACODE_API_KEY is not set")
    assert chat.received == []


async def test_declined_approval_sends_nothing(session, make_repo, chat):
    root = make_repo(repo_files(openai_policy(chat.endpoint)))
    s = await session(root)
    s.replies[TRUST_QUESTION] = "Cancel"
    uri = s.open_with_ai_edit()
    await assert_failed(s, uri, await s.move(uri), "was not approved; nothing was sent")
    assert chat.received == []
    assert not (s.xdg / "ringfence" / "trust.json").exists()


COMMAND_FAILURES = [
    ("fail", "the metacode command failed (exit status 3): metacode: model unavailable"),
    ("hang", "the metacode command did not finish within 1 s"),
    ("empty", "returned an empty answer"),
    ("binary", "printed text that is not UTF-8"),
]


async def test_command_failures(session, make_repo, tmp_path):
    argv = write_command(tmp_path)
    root = make_repo(repo_files(policy(f'kind = "command"\ncommand = {json.dumps(argv)}')))
    mode_file = tmp_path / "mode"
    s = await session(
        root,
        env={
            "FAKE_RECORD": str(tmp_path / "record.jsonl"),
            "FAKE_MODE_FILE": str(mode_file),
            TIMEOUT_ENV: "1",
        },
    )
    uri = s.open_with_ai_edit()
    for mode, message in COMMAND_FAILURES:
        mode_file.write_text(mode)
        await assert_failed(s, uri, await s.move(uri), message)
    assert len(read_records(tmp_path / "record.jsonl")) == len(COMMAND_FAILURES)


async def test_document_changed_while_the_assistant_worked(session, make_repo, chat):
    root = make_repo(repo_files(openai_policy(chat.endpoint)))
    s = await session(root)
    uri = s.open_with_ai_edit()
    chat.mode = "slow"
    running = asyncio.ensure_future(s.move(uri))
    await until(lambda: chat.received)
    s.editor.insert(uri, 0, "# typed meanwhile\n")
    await s.editor.diagnostics(uri, timeout=WAIT)  # the server has seen the change
    chat.release.set()
    result = await running
    assert result["applied"] is False and "changed while metacode was working" in result["error"]
    assert s.editor.texts[uri] == "# typed meanwhile\n" + HEAD + AI_TEXT + TAIL
    assert s.editor.applied == []


async def test_cancelling_the_progress_stops_the_handoff(session, make_repo, chat):
    root = make_repo(repo_files(openai_policy(chat.endpoint)))
    s = await session(root)
    uri = s.open_with_ai_edit()
    chat.mode = "slow"
    running = asyncio.ensure_future(s.move(uri))
    await until(lambda: chat.received and any(s.client.progress_reports.values()))
    (token,) = [t for t, r in s.client.progress_reports.items() if r]
    s.client.protocol.notify(
        types.WINDOW_WORK_DONE_PROGRESS_CANCEL, types.WorkDoneProgressCancelParams(token=token)
    )
    result = await asyncio.wait_for(running, 30)
    await assert_failed(s, uri, result, "the handoff was cancelled")
    assert s.client.progress_reports[token][-1].message == "cancelled"
