"""The import wall: the core never imports a face, and every package has its layer in the docs.

The layers are the ones ``docs/architecture.md`` names in its "Packages" table (first cell the
dotted name in backticks, second ``core`` or ``face``). Every module of a core package is parsed
(nothing is imported or run) and each of its imports is checked, at the top of the module or
inside a function, ``TYPE_CHECKING`` blocks included: a core module never imports a face package
nor ``pygls`` / ``lsprotocol``. ``importlib.import_module("…")`` with a literal name counts too.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import NamedTuple

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE_DIR = REPO / "server" / "ringfence"
ARCHITECTURE = REPO / "docs" / "architecture.md"
EDITOR_PROTOCOL = ("pygls", "lsprotocol")  # the LSP libraries: faces only
LAYERS = ("core", "face")
_ROW = re.compile(r"^\|\s*`(ringfence(?:\.[A-Za-z_][A-Za-z0-9_]*)?)`\s*\|\s*([a-z]+)\s*\|")


class Import(NamedTuple):
    """One import statement of a module: what it imports and where it is written."""

    module: str  # dotted name, relative imports resolved
    path: Path
    line: int


def documented_layers(text: str) -> dict[str, str]:
    """``{dotted package name: layer}`` from the "Packages" table of architecture.md."""
    section = text.split("\n## Packages", 1)
    if len(section) != 2:
        pytest.fail(f"{ARCHITECTURE.relative_to(REPO)} has no '## Packages' section")
    body = section[1].split("\n## ", 1)[0]
    layers: dict[str, str] = {}
    for line in body.splitlines():
        row = _ROW.match(line)
        if row is None:
            continue
        name, layer = row.groups()
        assert layer in LAYERS, f"architecture.md: {name} has layer {layer!r}, not one of {LAYERS}"
        assert name not in layers, f"architecture.md names {name} twice"
        layers[name] = layer
    return layers


def existing_packages(root: Path = PACKAGE_DIR) -> set[str]:
    """Every subpackage and top-level module of ``ringfence`` (directories with code)."""
    found = set()
    for child in root.iterdir():
        if child.is_dir() and any(child.rglob("*.py")):
            found.add(f"ringfence.{child.name}")
        elif child.suffix == ".py" and child.name != "__init__.py":
            found.add(f"ringfence.{child.stem}")
    return found


def modules_of(package: str, root: Path = PACKAGE_DIR) -> list[Path]:
    """The source files of one package (or the one file of a top-level module)."""
    relative = package.split(".")[1:]
    directory = root.joinpath(*relative)
    if directory.is_dir():
        return sorted(directory.rglob("*.py"))
    return [directory.with_suffix(".py")]


def _module_name(path: Path, root: Path) -> tuple[str, bool]:
    """The dotted name of the module at ``path`` and whether it is a package's ``__init__``."""
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    is_init = parts[-1] == "__init__"
    if is_init:
        parts.pop()
    return ".".join(parts), is_init


def imports_of(path: Path, root: Path = PACKAGE_DIR) -> list[Import]:
    """Every import written anywhere in the module at ``path`` (function bodies too)."""
    name, is_init = _module_name(path, root)
    package = name if is_init else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[Import] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(Import(alias.name, path, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(node.module, node.level, package)
            found.append(Import(base, path, node.lineno))
            # ``from ringfence import lsp`` imports the package ringfence.lsp
            found.extend(Import(f"{base}.{alias.name}", path, node.lineno) for alias in node.names)
        elif isinstance(node, ast.Call) and _is_dynamic_import(node.func):
            target = _literal_prefix(node.args[0]) if node.args else None
            if target:
                found.append(Import(target, path, node.lineno))
    return found


def _resolve(module: str | None, level: int, package: str) -> str:
    if level == 0:
        return module or ""
    parts = package.split(".")
    base = parts[: len(parts) - (level - 1)] if level > 1 else parts
    return ".".join([*base, module] if module else base)


def _is_dynamic_import(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id in ("__import__", "import_module")
    return isinstance(func, ast.Attribute) and func.attr == "import_module"


def _literal_prefix(arg: ast.expr) -> str | None:
    """The literal text of a module-name argument, or the literal start of an f-string."""
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    if isinstance(arg, ast.JoinedStr) and arg.values:
        first = arg.values[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return first.value.rstrip(".")
    return None


def crosses_the_wall(imported: str, faces: set[str]) -> bool:
    """True when ``imported`` is a face package (or inside one), pygls or lsprotocol."""
    for forbidden in (*faces, *EDITOR_PROTOCOL):
        if imported == forbidden or imported.startswith(forbidden + "."):
            return True
    return False


def wall_violations(layers: dict[str, str], root: Path = PACKAGE_DIR) -> list[str]:
    """``path:line: core imports face`` for every import of a face by a core module."""
    faces = {name for name, layer in layers.items() if layer == "face"}
    out = []
    for package in sorted(name for name, layer in layers.items() if layer == "core"):
        for path in modules_of(package, root):
            lines = {}  # one report per statement: ``from F import a, b`` is one crossing
            for imp in imports_of(path, root):
                if crosses_the_wall(imp.module, faces):
                    lines.setdefault(imp.line, imp.module)
            where = path.relative_to(root.parent.parent)
            out += [f"{where}:{n}: {package} (core) imports {m}" for n, m in sorted(lines.items())]
    return out


@pytest.fixture(scope="module")
def layers() -> dict[str, str]:
    return documented_layers(ARCHITECTURE.read_text(encoding="utf-8"))


def test_every_package_has_its_layer_in_architecture_md(layers):
    existing = existing_packages()
    documented = set(layers) - {"ringfence"}
    assert {"ringfence.policy", "ringfence.lsp", "ringfence.hooks"} <= existing  # read the tree
    assert not existing - documented, (
        "packages without a row in docs/architecture.md's Packages table (place each in the core "
        f"or the faces): {sorted(existing - documented)}"
    )
    assert not documented - existing, (
        f"docs/architecture.md names packages that do not exist: {sorted(documented - existing)}"
    )


def test_the_core_never_imports_a_face(layers):
    core = [name for name, layer in layers.items() if layer == "core"]
    faces = [name for name, layer in layers.items() if layer == "face"]
    assert "ringfence.policy" in core and "ringfence.lsp" in faces, layers
    checked = [path for package in core for path in modules_of(package)]
    assert len(checked) >= len(core) and all(path.is_file() for path in checked), checked
    # not vacuous: the core's modules do import each other, and the parser sees it
    assert any(
        imp.module.startswith("ringfence.policy") for path in checked for imp in imports_of(path)
    )
    violations = wall_violations(layers)
    assert not violations, "the core imports a face:\n" + "\n".join(violations)


# ----- the checker itself catches each way of crossing the wall ---------------------------------

VIOLATIONS = {
    "top-level import": "import ringfence.lsp.server\n",
    "from-import of a face module": "from ringfence.hooks.events import HookEvent\n",
    "from ringfence import a face": "from ringfence import commands\n",
    "relative import": "from ..cli import main\n",
    "function-level import": "def f():\n    from ringfence.lsp import server\n    return server\n",
    "TYPE_CHECKING import": "from typing import TYPE_CHECKING\n"
    "if TYPE_CHECKING:\n    from lsprotocol import types\n",
    "pygls": "import pygls.server\n",
    "importlib with a literal name": "import importlib\n"
    "def f():\n    return importlib.import_module('ringfence.lsp.server')\n",
    "importlib with an f-string": "import importlib\n"
    "def f(n):\n    return importlib.import_module(f'ringfence.hooks.{n}')\n",
}


def _fake_tree(tmp_path: Path, core_source: str) -> Path:
    root = tmp_path / "ringfence"
    for package in ("policy", "lsp", "hooks", "commands"):
        (root / package).mkdir(parents=True)
        (root / package / "__init__.py").write_text("")
    (root / "__init__.py").write_text("")
    (root / "cli.py").write_text("def main():\n    return 0\n")
    (root / "policy" / "engine.py").write_text(core_source)
    return root


FAKE_LAYERS = {
    "ringfence.policy": "core",
    "ringfence.lsp": "face",
    "ringfence.hooks": "face",
    "ringfence.commands": "face",
    "ringfence.cli": "face",
}


@pytest.mark.parametrize("how", sorted(VIOLATIONS))
def test_the_checker_catches_a_core_module_importing_a_face(tmp_path, how):
    root = _fake_tree(tmp_path, VIOLATIONS[how])
    found = wall_violations(FAKE_LAYERS, root)
    assert len(found) >= 1 and all("ringfence/policy/engine.py:" in v for v in found), found


def test_the_checker_lets_the_core_import_the_core_and_faces_import_anything(tmp_path):
    root = _fake_tree(
        tmp_path,
        "import json\nfrom ringfence.policy import engine\nfrom . import engine as again\n"
        "from ringfence.lspish import x\n",  # a name that merely starts like a face
    )
    (root / "lsp" / "server.py").write_text("import pygls\nfrom ringfence.policy import engine\n")
    assert wall_violations(FAKE_LAYERS, root) == []


def test_the_docs_table_is_parsed_strictly():
    text = (
        "# A\n\n## Packages\n\n| package | layer | what |\n| --- | --- | --- |\n"
        "| `ringfence.policy` | core | x |\n| `ringfence.lsp` | face | y |\n\n## Later\n"
        "| `ringfence.other` | core | not in the Packages section |\n"
    )
    assert documented_layers(text) == {"ringfence.policy": "core", "ringfence.lsp": "face"}
    with pytest.raises(AssertionError, match="layer 'middle'"):
        documented_layers(text.replace("| face |", "| middle |"))
    with pytest.raises(AssertionError, match="twice"):
        documented_layers(text.replace("ringfence.lsp", "ringfence.policy"))
