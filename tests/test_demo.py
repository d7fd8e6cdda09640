"""`ringfence demo` runs a real LSP session and prints what an editor would show."""

import re

from conftest import DEMO, run_cli


def test_demo_transcript_shows_findings_actions_and_their_effect():
    done = run_cli("demo")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    lines = (DEMO / "training/datagen/generate.py").read_text().count("\n")
    # the Copilot suggestion lands after the last line; its first non-blank line is the def
    first = lines + 2
    assert re.search(
        rf"training/datagen/generate.py:{first}:1: error RF001 AI edit \(copilot\) in human-only "
        r"zone 'training-data': Training and eval data must be handwritten",
        out,
    ), out
    assert f"{first:>8} | def dedupe(examples):" in out
    assert f"{first + 3:>8} |" not in out.split("code actions on RF001")[0].split("error RF001")[1]
    assert "see .ringfence.toml:17: zone 'training-data' is human-only" in out
    rf001_actions = out.split("code actions on RF001:")[1].split("\n\n")[0]
    assert "Revert AI edit (3 lines by copilot) [quickfix]" in rf001_actions
    assert "Move to" not in rf001_actions  # human-only: in-house edits are denied too
    assert "Open zone definition (zone 'training-data', human-only)" in rf001_actions
    assert "warning RF002 AI edit (copilot) without provenance in tagged zone 'docs'" in out
    rf002_actions = out.split("code actions on RF002:")[1].split("\n\n")[0]
    for title in (
        "Revert AI edit",
        "Move to metacode",
        "Tag provenance",
        "Mark as human-reviewed",
        "Open zone definition",
    ):
        assert title in rf002_actions
    tagged = out.split("4. Apply 'Tag provenance'")[1].split("5. ")[0]
    assert "docs/guide.md: no ringfence diagnostics" in tagged
    assert re.search(
        r"recorded [0-9a-f-]{36} in \.agent-trace/traces\.jsonl: docs/guide\.md lines \d+-\d+, "
        r"github/gpt-4o, sha256:",
        tagged,
    )
    reverted = out.split("5. Apply 'Revert AI edit'")[1]
    assert "training/datagen/generate.py: no ringfence diagnostics" in reverted
    assert "the file is back to its earlier text: yes" in reverted
    assert "Traceback" not in done.stderr
