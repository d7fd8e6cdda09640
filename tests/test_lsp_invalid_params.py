"""A request whose params do not parse gets an InvalidParams error reply instead of silence."""

import shutil

from conftest import DEMO, init_repo
from fuzz.rpc import RawServer


def test_unparsable_request_params_are_answered_with_an_error(tmp_path):
    root = tmp_path / "demo"
    shutil.copytree(DEMO, root)
    init_repo(root)
    server = RawServer(root)
    try:
        server.initialize()
        uri = (root / "training/datagen/generate.py").as_uri()
        reply = server.request(
            "textDocument/codeAction",
            {
                "textDocument": {"uri": uri},
                "range": {
                    "start": {"line": 0, "character": 2**31},
                    "end": {"line": 0, "character": 0},
                },
                "context": {"diagnostics": []},
            },
            timeout=20,
        )
        assert reply["error"]["code"] == -32602
        assert server.proc.poll() is None  # still serving
        assert "result" in server.request("ringfence/explain", {"uri": uri}, timeout=20)
    finally:
        server.close()
