"""The VS Code extension's unit tests (`npm test` in clients/vscode: node --test over the pure
modules), the type check, and the packaged vsix, reported through pytest."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

# Node.js, npm and the client build of scripts/setup.d/vscode.sh: the editor's toolchain, so these
# run with the editor tests, not in the Python-only tiers (`-m "not e2e"`).
pytestmark = pytest.mark.e2e

VSCODE = Path(__file__).resolve().parents[1] / "clients" / "vscode"
SETUP_HINT = "run `bash scripts/setup.d/vscode.sh` first"


def _npm(*args: str) -> subprocess.CompletedProcess:
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is not on PATH: the VS Code extension needs Node.js 20+ and npm")
    if not (VSCODE / "node_modules" / "vscode-languageclient").is_dir():
        pytest.fail(f"clients/vscode/node_modules is missing: {SETUP_HINT}")
    return subprocess.run([npm, *args], cwd=VSCODE, capture_output=True, text=True, timeout=300)


def test_unit_tests_pass():
    done = _npm("test")
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    passed = int(re.search(r"^# pass (\d+)$", output, re.M).group(1))
    failed = int(re.search(r"^# fail (\d+)$", output, re.M).group(1))
    assert failed == 0, output[-4000:]
    assert passed >= 30, f"only {passed} unit tests ran:\n{output[-2000:]}"


def test_extension_type_checks():
    done = _npm("run", "--silent", "typecheck")
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]


def test_vsix_holds_the_bundled_extension():
    manifest = json.loads((VSCODE / "package.json").read_text(encoding="utf-8"))
    vsix = VSCODE / f"ringfence-{manifest['version']}.vsix"
    if not vsix.is_file():
        pytest.fail(f"{vsix.name} is missing: {SETUP_HINT}")
    with zipfile.ZipFile(vsix) as archive:
        names = set(archive.namelist())
        packaged = json.loads(archive.read("extension/package.json"))
        bundle = archive.read("extension/dist/extension.js").decode("utf-8")
    assert {"extension/dist/extension.js", "extension/package.json", "extension/readme.md"} <= names
    assert not any(
        name.startswith("extension/node_modules/") or name.startswith("extension/src/")
        for name in names
    )
    assert packaged["main"] == "./dist/extension.js"
    # vscode-languageclient is bundled in, vscode stays external.
    assert "ringfence/editOrigin" in bundle and 'require("vscode")' in bundle
    assert "Sending document notification" in bundle
