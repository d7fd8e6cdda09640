"""The handoff core against real parts: a real HTTP chat server on 127.0.0.1, a real command
script, a real trust file under a temp XDG_CONFIG_HOME, detect-secrets itself."""

from __future__ import annotations

import asyncio
import json
import os
import time

import pytest

from ringfence.handoff import (
    PLACEHOLDER,
    HandoffError,
    TrustStore,
    answer_lines,
    ask,
    build_request,
    describe,
    expand_url,
    extract_code,
    find_instruction,
    handoff_timeout,
    redact_lines,
    redaction_summary,
    replacement_span,
    replacement_text,
)
from ringfence.policy.model import AssistantConfig
from test_handoff_fakes import ChatServer, read_records, write_command

AI = "EXTERNAL_AI_OUTPUT"
AWS_KEY = "AKIAIOSFODNN7EXAMPLE"
PASSWORD = "Tr0ub4dor&3xyz"

SOURCE = [
    "import os",
    f'DB_PASSWORD = "{PASSWORD}"',
    "",
    "def mean(values):",
    '    """Average of the values, 0 for an empty list."""',
    f"    total = sum(values)  # {AI}",
    f"    return total / len(values)  # {AI}",
    "",
    "def median(values):",
    f'    aws = "{AWS_KEY}"',
    "    return sorted(values)[len(values) // 2]",
]


def request_for(lines=SOURCE, start=5, end=6, **kwargs):
    args = dict(
        assistant="metacode",
        lines=lines,
        start=start,
        end=end,
        path="serving/stats.py",
        language="python",
        zone="model-serving",
        level="internal",
        instruction="Average of the values, 0 for an empty list.",
    )
    args.update(kwargs)
    return build_request(**args)


# ----- redaction --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "secret", "kind"),
    [
        (f'password = "{PASSWORD}"', PASSWORD, "Secret Keyword"),
        (f'conn = connect(host="db", password="{PASSWORD}")', PASSWORD, "Secret Keyword"),
        (f'key_id = "{AWS_KEY}"', AWS_KEY, "AWS Access Key"),
        (
            'token = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"',
            "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
            "GitHub Token",
        ),
        (
            'url = "https://admin:s3cr3tPass@db.internal:5432/x"',
            "s3cr3tPass",
            "Basic Auth Credentials",
        ),
        (
            'key = "sk-abcdefghijklmnopqrstT3BlbkFJabcdefghijklmnopqrst"',
            "sk-abcdefghijklmnopqrstT3BlbkFJabcdefghijklmnopqrst",
            "OpenAI Token",
        ),
        (
            'jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.'
            'dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"',
            "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
            "JSON Web Token",
        ),
        (
            'headers = {"Authorization": "Bearer q8wR2mZ7xT4vB9nL3kP6q8wR2mZ7xT4v"}',
            "q8wR2mZ7xT4vB9nL3kP6q8wR2mZ7xT4v",
            "Bearer Token",
        ),
    ],
)
def test_redacts_common_secret_forms(line, secret, kind):
    out, found = redact_lines(["x = 1", line], "app/config.py", first_line=10)
    assert secret not in out[1] and PLACEHOLDER in out[1]
    assert out[0] == "x = 1"
    assert kind in {r.kind for r in found}
    assert {r.line for r in found} == {11}
    assert all(secret not in str(r) for r in found)


def test_redacts_whole_private_key_blocks_and_keeps_line_count():
    lines = [
        "KEY = '''",
        "-----BEGIN RSA PRIVATE KEY-----",
        "MIIEpAIBAAKCAQEA75q8wR2mZ7xT4vB9nL3kP6",
        "q8wR2mZ7xT4vB9nL3kP6q8wR2mZ7xT4vB9nL3kP6",
        "-----END RSA PRIVATE KEY-----",
        "'''",
        "done = True",
    ]
    out, found = redact_lines(lines, "k.py")
    assert out == [
        "KEY = '''",
        PLACEHOLDER,
        PLACEHOLDER,
        PLACEHOLDER,
        PLACEHOLDER,
        "'''",
        "done = True",
    ]
    assert {(r.line, r.kind) for r in found} >= {
        (2, "Private Key"),
        (3, "Private Key"),
        (5, "Private Key"),
    }


def test_leaves_ordinary_code_alone():
    lines = [
        "def check(password):",
        "    secret = get_secret_key()",
        "    return hash(password) == stored",
        'user_id = "8f14e45f-ceea-167a-5a36-dedd4bea2543"',
        'greeting = "hello world"',
    ]
    out, found = redact_lines(lines, "app/auth.py")
    assert out[:3] == lines[:3] and out[4] == lines[4]
    assert not [r for r in found if r.line in (1, 3, 5)]


# ----- instruction --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "start", "path", "expected"),
    [
        (["def f(x):", '    """Double x."""', "    AI"], 2, "a.py", "Double x."),
        (
            ["def f(x):", '    """', "    Double x,", "    then add one.", '    """', "    AI"],
            5,
            "a.py",
            "Double x,\nthen add one.",
        ),
        (
            ["x = 1", "# load the rows", "# skipping the header", "", "AI"],
            4,
            "a.py",
            "load the rows\nskipping the header",
        ),
        (["// sum the prices", "AI"], 1, "a.ts", "sum the prices"),
        (
            ["/**", " * Parses the header.", " * @param row the raw line", " */", "AI"],
            4,
            "a.js",
            "Parses the header.\n@param row the raw line",
        ),
        (["-- count users per day", "AI"], 1, "q.sql", "count users per day"),
        (
            ["# compute the mean", "# ringfence: begin internal", "AI"],
            2,
            "a.py",
            "compute the mean",
        ),
        (["#!/usr/bin/env python", "AI"], 1, "a.py", None),
        (["# ringfence: internal", "AI"], 1, "a.py", None),
        (["x = compute()", "AI"], 1, "a.py", None),
        (["# far away", "", "", "AI"], 3, "a.py", None),
        (['s = """not a docstring"""', "AI"], 1, "a.py", None),
        (["AI"], 0, "a.py", None),
        (['{"a": 1}', "AI"], 1, "data.json", None),
    ],
)
def test_finds_the_comment_or_docstring_above(lines, start, path, expected):
    assert find_instruction(lines, start, path) == expected


def test_instruction_inside_other_ai_output_does_not_count():
    lines = ["# sum it", "AI", "AI"]
    assert find_instruction(lines, 1, "a.py", excluded={0}) is None


# ----- request ------------------------------------------------------------------------------------


def test_request_carries_only_human_context_with_secrets_redacted():
    request = request_for()
    sent = json.dumps(request.payload())
    assert AI not in sent
    assert PASSWORD not in sent and AWS_KEY not in sent and PLACEHOLDER in sent
    assert request.before.endswith('    """Average of the values, 0 for an empty list."""\n')
    assert request.after.startswith("\ndef median(values):\n")
    assert request.line == 6 and request.original == "" and request.indent == "    "
    assert {(r.line, r.kind) for r in request.redactions} >= {
        (2, "Secret Keyword"),
        (10, "AWS Access Key"),
    }
    summary = redaction_summary(request)
    assert "line 2: Secret Keyword" in summary and PASSWORD not in summary


def test_request_sends_the_replaced_human_text_and_omits_other_ai_regions():
    lines = [
        "a = 1",
        f"b = 2  # {AI} elsewhere",
        f"c = 3  # {AI} elsewhere",
        "d = 4",
        f"e = 5  # {AI}",
        "f = 6",
    ]
    request = request_for(lines, 4, 4, earlier=["e = 'human'"], excluded=[(1, 2)], path="x.py")
    assert AI not in json.dumps(request.payload())
    assert request.before == "a = 1\n# ... 2 line(s) of external AI output omitted ...\nd = 4\n"
    assert request.original == "e = 'human'\n"


@pytest.mark.parametrize(
    ("lines", "region", "revert", "expected"),
    [
        # an inline completion appended lines to the human line "def mean(values):"
        (
            ["def mean(values):", "    AI1", "    AI2", "x = 1"],
            (1, 2),
            (0, 2, ["def mean(values):"]),
            (1, 2, []),
        ),
        # the AI rewrote a human line: that line is what the answer replaces
        (["a", "b = AI", "c"], (1, 1), (1, 1, ["b = 1"]), (1, 1, ["b = 1"])),
        # the AI completed a human line in place and added one below
        (["x = AI(", "  AI)", "y"], (0, 1), (0, 1, ["x = "]), (0, 1, ["x = "])),
        # no revert information (journal or trace evidence): the region itself
        (["a", "AI", "b"], (1, 1), None, (1, 1, None)),
    ],
)
def test_replacement_span_keeps_the_human_lines_the_ai_change_left(lines, region, revert, expected):
    assert replacement_span(lines, *region, revert) == expected


def test_request_context_is_bounded():
    lines = [f"x{i} = {i}" for i in range(5000)] + ["AI"] + [f"y{i} = {i}" for i in range(5000)]
    request = request_for(lines, 5000, 5000, path="big.py")
    assert request.before.count("\n") == 200 and request.before.endswith("x4999 = 4999\n")
    assert request.after.count("\n") == 80 and request.after.startswith("y0 = 0\n")


def test_instruction_secrets_are_redacted_too():
    request = request_for(instruction=f'use password="{PASSWORD}" for the db')
    assert PASSWORD not in request.instruction
    assert any(r.line == 0 for r in request.redactions)


# ----- answer and edit ----------------------------------------------------------------------------


def test_answer_takes_the_fenced_code_and_fits_the_indentation():
    text = (
        "Here you go:\n```python\nif not values:\n    return 0\n"
        "return sum(values) / len(values)\n```\nDone."
    )
    assert answer_lines(extract_code(text), "    ") == [
        "    if not values:",
        "        return 0",
        "    return sum(values) / len(values)",
    ]
    assert extract_code("x = 1\n") == "x = 1\n"
    with pytest.raises(HandoffError, match="empty answer"):
        answer_lines(extract_code("```\n\n```"), "")


def test_replacement_text_keeps_the_documents_line_endings():
    assert replacement_text(["x", "y"], "\r\n") == "x\r\ny\r\n"
    assert replacement_text(["x", "y"], "\n", final_break=False) == "x\ny"


# ----- url ----------------------------------------------------------------------------------------


def test_url_template_is_filled_and_quoted():
    url = expand_url(
        "https://mc.internal/new?file={path}&line={line}&zone={zone}",
        path="serving/my file&x.py",
        line=12,
        zone="model serving",
    )
    assert (
        url == "https://mc.internal/new?file=serving/my%20file%26x.py&line=12&zone=model%20serving"
    )
    with pytest.raises(HandoffError, match="http"):
        expand_url("file:///etc/passwd?{path}", path="a", line=1, zone=None)


# ----- trust --------------------------------------------------------------------------------------


def test_trust_is_per_repository_kind_and_exact_value(tmp_path):
    store = TrustStore(tmp_path / "cfg")
    endpoint = AssistantConfig(
        "metacode", "openai", endpoint="http://127.0.0.1:1/v1", api_key_env="MC_KEY"
    )
    assert not store.is_trusted("/repo", endpoint)
    store.approve("/repo", endpoint)
    store.approve("/repo", endpoint)
    assert store.is_trusted("/repo", endpoint)
    assert not store.is_trusted("/other", endpoint)
    assert not store.is_trusted(
        "/repo",
        AssistantConfig(
            "metacode", "openai", endpoint="http://127.0.0.1:2/v1", api_key_env="MC_KEY"
        ),
    )
    assert not store.is_trusted(
        "/repo",
        AssistantConfig(
            "metacode",
            "openai",
            endpoint="http://127.0.0.1:1/v1",
            api_key_env="AWS_SECRET_ACCESS_KEY",
        ),
    )
    assert len(json.loads((tmp_path / "cfg" / "trust.json").read_text())["approved"]) == 1
    assert "$MC_KEY" in describe(endpoint)


def test_trust_distinguishes_command_argument_boundaries(tmp_path):
    store = TrustStore(tmp_path)
    store.approve("/repo", AssistantConfig("mc", "command", command=("sh", "-c", "echo a b")))
    assert store.is_trusted(
        "/repo", AssistantConfig("mc", "command", command=("sh", "-c", "echo a b"))
    )
    assert not store.is_trusted(
        "/repo", AssistantConfig("mc", "command", command=("sh", "-c", "echo", "a", "b"))
    )


def test_user_config_assistants_need_no_approval(tmp_path):
    assert TrustStore(tmp_path).is_trusted(
        "/repo", AssistantConfig("mc", "url", url="https://x", origin="user")
    )
    assert not (tmp_path / "trust.json").exists()


def test_a_broken_trust_store_is_reported_and_never_overwritten(tmp_path):
    (tmp_path / "trust.json").write_text("{broken", encoding="utf-8")
    store = TrustStore(tmp_path)
    assistant = AssistantConfig("mc", "url", url="https://x")
    with pytest.raises(HandoffError, match="not valid"):
        store.is_trusted("/repo", assistant)
    with pytest.raises(HandoffError, match="not valid"):
        store.approve("/repo", assistant)
    assert (tmp_path / "trust.json").read_text(encoding="utf-8") == "{broken"


def test_default_trust_store_follows_xdg_config_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    TrustStore().approve("/repo", AssistantConfig("mc", "url", url="https://x"))
    assert (tmp_path / "ringfence" / "trust.json").exists()


# ----- timeout setting ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"), [("", 120.0), ("2.5", 2.5), ("abc", 120.0), ("-1", 120.0)]
)
def test_timeout_comes_from_the_environment(raw, expected):
    assert handoff_timeout({"RINGFENCE_HANDOFF_TIMEOUT": raw}) == expected


# ----- openai kind against a real HTTP server -----------------------------------------------------


@pytest.fixture
def chat():
    server = ChatServer().start()
    yield server
    server.stop()


def openai_assistant(endpoint, **kwargs):
    return AssistantConfig(
        "metacode",
        "openai",
        endpoint=endpoint,
        model="qwen2.5-coder",
        api_key_env="METACODE_API_KEY",
        **kwargs,
    )


ENV = {"METACODE_API_KEY": "mc-test-key"}


async def test_openai_sends_one_request_and_returns_the_code(chat, tmp_path):
    chat.answer = "```python\nif not values:\n    return 0\nreturn total / len(values)\n```"
    lines = await ask(
        openai_assistant(chat.endpoint), request_for(), cwd=str(tmp_path), timeout=5, environ=ENV
    )
    assert lines == ["    if not values:", "        return 0", "    return total / len(values)"]
    (received,) = chat.received
    assert received["path"] == "/v1/chat/completions"
    assert received["headers"]["Authorization"] == "Bearer mc-test-key"
    body = received["body"]
    assert body["model"] == "qwen2.5-coder" and body["stream"] is False
    text = json.dumps(body)
    assert AI not in text and PASSWORD not in text and AWS_KEY not in text
    assert "Average of the values, 0 for an empty list." in body["messages"][1]["content"]


async def test_openai_accepts_an_endpoint_naming_chat_completions(chat, tmp_path):
    await ask(
        openai_assistant(chat.endpoint + "/chat/completions/"),
        request_for(),
        cwd=str(tmp_path),
        timeout=5,
        environ=ENV,
    )
    assert chat.received[0]["path"] == "/v1/chat/completions"


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("error", r"HTTP 500 Internal Server Error: model overloaded"),
        ("nonjson", r"did not answer JSON"),
        ("empty", r"empty answer"),
        ("nochoices", r"without choices\[0\]\.message\.content"),
        ("length", r"cut off"),
        ("redirect", r"redirected to http://example.com/v1/chat/completions"),
    ],
)
async def test_openai_failures_are_one_line_errors(chat, tmp_path, mode, message):
    chat.mode = mode
    with pytest.raises(HandoffError, match=message) as caught:
        await ask(
            openai_assistant(chat.endpoint),
            request_for(),
            cwd=str(tmp_path),
            timeout=5,
            environ=ENV,
        )
    assert "\n" not in str(caught.value)
    assert len(chat.received) == 1


async def test_openai_slow_endpoint_times_out(chat, tmp_path):
    chat.mode = "slow"  # it would answer after 30 s
    request = request_for()
    started = time.monotonic()
    with pytest.raises(HandoffError, match="did not answer within 0.5 s"):
        await ask(
            openai_assistant(chat.endpoint), request, cwd=str(tmp_path), timeout=0.5, environ=ENV
        )
    assert time.monotonic() - started < 15


async def test_openai_cancel_aborts_the_request(chat, tmp_path):
    chat.mode = "slow"
    task = asyncio.ensure_future(
        ask(
            openai_assistant(chat.endpoint),
            request_for(),
            cwd=str(tmp_path),
            timeout=30,
            environ=ENV,
        )
    )
    while not chat.received:
        await asyncio.sleep(0.02)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_openai_endpoint_down(tmp_path):
    down = ChatServer()
    endpoint = down.endpoint
    down.httpd.server_close()  # the port is now closed: nothing listens there
    with pytest.raises(HandoffError, match="connection refused"):
        await ask(
            openai_assistant(endpoint), request_for(), cwd=str(tmp_path), timeout=5, environ=ENV
        )


async def test_openai_unset_key_variable_sends_nothing(chat, tmp_path):
    with pytest.raises(HandoffError, match="METACODE_API_KEY is not set"):
        await ask(
            openai_assistant(chat.endpoint), request_for(), cwd=str(tmp_path), timeout=5, environ={}
        )
    assert chat.received == []


async def test_openai_without_key_variable_sends_no_authorization(chat, tmp_path):
    assistant = AssistantConfig("metacode", "openai", endpoint=chat.endpoint)
    await ask(assistant, request_for(), cwd=str(tmp_path), timeout=5, environ={})
    assert "Authorization" not in chat.received[0]["headers"]
    assert "model" not in chat.received[0]["body"]


async def test_openai_rejects_non_http_endpoints(tmp_path):
    with pytest.raises(HandoffError, match="http"):
        await ask(
            openai_assistant("ftp://127.0.0.1/v1"),
            request_for(),
            cwd=str(tmp_path),
            timeout=5,
            environ=ENV,
        )


# ----- command kind with a real script ------------------------------------------------------------


def command_env(tmp_path, mode="ok", answer="return 42\n"):
    return {
        **os.environ,
        "FAKE_RECORD": str(tmp_path / "record.jsonl"),
        "FAKE_MODE": mode,
        "FAKE_ANSWER": answer,
    }


async def test_command_gets_the_json_request_and_its_stdout_is_the_answer(tmp_path):
    assistant = AssistantConfig("metacode", "command", command=tuple(write_command(tmp_path)))
    env = command_env(tmp_path, answer="if not values:\n    return 0\nreturn total / len(values)\n")
    lines = await ask(assistant, request_for(), cwd=str(tmp_path), timeout=10, environ=env)
    assert lines == ["    if not values:", "        return 0", "    return total / len(values)"]
    (record,) = read_records(tmp_path / "record.jsonl")
    request = record["request"]
    assert set(request) >= {"file", "language", "zone", "instruction", "before", "after"}
    assert request["file"] == "serving/stats.py" and request["zone"] == "model-serving"
    assert request["language"] == "python" and request["line"] == 6
    assert AI not in json.dumps(request) and PASSWORD not in json.dumps(request)
    assert record["cwd"] == str(tmp_path)


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("fail", r"failed \(exit status 3\): metacode: model unavailable"),
        ("empty", r"empty answer"),
        ("binary", r"not UTF-8"),
    ],
)
async def test_command_failures(tmp_path, mode, message):
    assistant = AssistantConfig("metacode", "command", command=tuple(write_command(tmp_path)))
    with pytest.raises(HandoffError, match=message):
        await ask(
            assistant,
            request_for(),
            cwd=str(tmp_path),
            timeout=10,
            environ=command_env(tmp_path, mode),
        )


async def test_command_that_hangs_is_killed(tmp_path):
    assistant = AssistantConfig("metacode", "command", command=tuple(write_command(tmp_path)))
    request = request_for()
    started = time.monotonic()
    with pytest.raises(HandoffError, match="did not finish within 2 s"):
        await ask(
            assistant, request, cwd=str(tmp_path), timeout=2, environ=command_env(tmp_path, "hang")
        )
    assert time.monotonic() - started < 30  # the script sleeps 60 s
    (record,) = read_records(tmp_path / "record.jsonl")
    with pytest.raises(ProcessLookupError):
        os.kill(record["pid"], 0)


async def test_command_not_found(tmp_path):
    assistant = AssistantConfig(
        "metacode", "command", command=(str(tmp_path / "no-such-assistant"),)
    )
    with pytest.raises(HandoffError, match="cannot run the metacode command"):
        await ask(assistant, request_for(), cwd=str(tmp_path), timeout=5, environ=dict(os.environ))
