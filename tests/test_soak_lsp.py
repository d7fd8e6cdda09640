"""Soak: the real language server under a long mixed stream of events stays bounded and responsive.

20,000 events (``RINGFENCE_SOAK_EVENTS`` scales it for release checks) over 50 documents in
every kind of zone: opens, typing, AI insertions reported by ``ringfence/editOrigin``, code
action requests, closes, while the root policy is rewritten on disk twice a second and announced
with ``workspace/didChangeWatchedFiles``. Bounds (correctness bounds, not benchmarks: precise
figures live in ``bench/lsp_latency.py``): RSS grows by less than 50 MB after warm-up,
``didChange`` -> ``publishDiagnostics`` p99 stays under 250 ms, stdout carries only protocol, and
the server still finds an AI edit in a human-only zone at the end.
"""

from __future__ import annotations

import os
import random
import sys
import threading
import time

from fuzz.rpc import RawServer, did_change, did_open, edit_origin

EVENTS = int(os.environ.get("RINGFENCE_SOAK_EVENTS", "20000"))
DOCUMENTS = 50
RELOADS_PER_SECOND = 2
RSS_GROWTH_MB = 50
P99_MS = 250
DIRS = ["training/datagen", "evals", "serving", "docs", "docs/generated", "app", "notes"]
EXTRA_ZONE = (
    '\n[[zone]]\nname = "soak"\npath = ["app/soak_*"]\nlevel = "internal"\nreason = "soak test"\n'
)


def _rewrite_policy(root, stop: threading.Event, server: RawServer, count: list[int]) -> None:
    policy = root / ".ringfence.toml"
    original = policy.read_text()
    start = time.monotonic()
    while not stop.wait(max(0.0, start + (count[0] + 1) / RELOADS_PER_SECOND - time.monotonic())):
        policy.write_text(original + (EXTRA_ZONE if count[0] % 2 == 0 else ""))
        server.notify(
            "workspace/didChangeWatchedFiles", {"changes": [{"uri": policy.as_uri(), "type": 2}]}
        )
        count[0] += 1


def test_soak_mixed_events_with_policy_reloads(demo_repo):
    rng = random.Random(10)
    server = RawServer(demo_repo)
    server.initialize()
    uris = [(demo_repo / DIRS[i % len(DIRS)] / f"soak_{i}.py").as_uri() for i in range(DOCUMENTS)]
    lines = {uri: 0 for uri in uris}
    versions = {uri: 0 for uri in uris}
    stop, reloads = threading.Event(), [0]
    writer = threading.Thread(
        target=_rewrite_policy, args=(demo_repo, stop, server, reloads), daemon=True
    )
    latencies: list[float] = []
    baseline = None
    started = time.monotonic()
    writer.start()
    try:
        for step in range(EVENTS):
            uri = rng.choice(uris)
            if versions[uri] == 0:
                versions[uri], lines[uri] = 1, 3
                server.notify("textDocument/didOpen", did_open(uri, "a = 1\nb = 2\nc = 3\n"))
                continue
            roll = rng.random()
            if roll < 0.03:
                server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
                versions[uri] = 0
            elif roll < 0.08:
                reply = server.request(
                    "textDocument/codeAction",
                    {
                        "textDocument": {"uri": uri},
                        "range": {
                            "start": {"line": 0, "character": 0},
                            "end": {"line": lines[uri], "character": 0},
                        },
                        "context": {"diagnostics": []},
                    },
                )
                assert "result" in reply, reply
            else:
                at = rng.randrange(lines[uri] + 1)
                size = 3 if roll < 0.3 else 1
                versions[uri] += 1
                server.notify(
                    "textDocument/didChange",
                    did_change(
                        uri, versions[uri], at, "".join(f"x{step}_{k} = {k}\n" for k in range(size))
                    ),
                )
                lines[uri] += size
                if size == 3:
                    server.notify(
                        "ringfence/editOrigin", edit_origin(uri, versions[uri], at, at + 3)
                    )
                if step % 10 == 0:
                    sent = time.monotonic()
                    _, _, arrived = server.wait_published(uri, versions[uri])
                    latencies.append((arrived - sent) * 1000)
            if step == EVENTS // 10:
                baseline = server.rss_kb()
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        writer.join()
    growth_mb = (server.rss_kb() - baseline) / 1024
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    sys.stderr.write(
        f"soak: {EVENTS} events, {reloads[0]} policy reloads, {elapsed:.1f}s, "
        f"RSS growth {growth_mb:.1f} MB, didChange->publish p50 "
        f"{latencies[len(latencies) // 2]:.1f} ms p99 {p99:.1f} ms over {len(latencies)}\n"
    )
    assert reloads[0] >= RELOADS_PER_SECOND * int(elapsed) - 2  # on schedule, not drifting
    assert growth_mb < RSS_GROWTH_MB
    assert p99 < P99_MS

    probe = (demo_repo / "training/datagen/soak_probe.py").as_uri()
    server.notify("textDocument/didOpen", did_open(probe, "a = 1\n"))
    server.notify("textDocument/didChange", did_change(probe, 2, 1, "b = 2\nc = 3\nd = 4\n"))
    server.notify("ringfence/editOrigin", edit_origin(probe, 2, 1, 4))
    explain = server.request("ringfence/explain", {"uri": probe})["result"]
    assert explain["level"] == "human-only"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not server.latest[probe][1]:
        time.sleep(0.01)
    assert [d["code"] for d in server.latest[probe][1]] == ["RF001"]
    assert server.noise == []
    assert server.close() == 0
