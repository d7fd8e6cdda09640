"""Comment syntax by file extension and LSP language id: markers read in each language's syntax."""

from __future__ import annotations

import posixpath

# (line prefixes, block comment pairs)
_HASH = (("#",), ())
_SLASH = (("//",), (("/*", "*/"),))
_DASH = (("--",), ())
_SEMI = ((";",), ())
_PERCENT = (("%",), ())
_HTML = ((), (("<!--", "-->"),))

_BY_EXTENSION: dict[str, tuple[tuple[str, ...], tuple[tuple[str, str], ...]]] = {}
for _exts, _syntax in (
    (
        "py pyi pyw sh bash zsh fish rb rake gemspec pl pm r yaml yml toml cfg conf mk cmake tf "
        "tfvars nix ps1 psm1 jl ex exs cr nim gd awk tcl coffee dockerfile makefile gitignore "
        "dockerignore properties editorconfig bzl star",
        _HASH,
    ),
    (
        "c h cc cpp cxx hpp hh hxx cs java js jsx mjs cjs ts tsx mts cts go rs swift kt kts scala "
        "sc dart groovy gradle proto zig v sv svh sol d fs fsx m mm jsonc json5 scss less php hx",
        _SLASH,
    ),
    ("css", ((), (("/*", "*/"),))),
    ("sql lua hs lhs elm ada adb ads vhdl vhd purs", (("--",), (("{-", "-}"),))),
    ("lisp lsp cl clj cljs cljc edn el scm ss rkt asm s ini", _SEMI),
    ("tex sty cls erl hrl", _PERCENT),
    ("vim", (('"',), ())),
    ("vb bas vbs", (("'",), ())),
    ("f f90 f95 f03 f08", (("!",), ())),
    ("bat cmd", (("rem ", "REM ", "::"), ())),
    ("html htm xhtml xml svg vue md markdown rst", _HTML),
    ("ml mli pas", ((), (("(*", "*)"),))),
):
    for _ext in _exts.split():
        _BY_EXTENSION[_ext] = _syntax

_BY_LANGUAGE_ID = {
    "python": "py",
    "shellscript": "sh",
    "ruby": "rb",
    "perl": "pl",
    "r": "r",
    "yaml": "yaml",
    "toml": "toml",
    "makefile": "mk",
    "dockerfile": "dockerfile",
    "powershell": "ps1",
    "julia": "jl",
    "elixir": "ex",
    "c": "c",
    "cpp": "cpp",
    "csharp": "cs",
    "java": "java",
    "javascript": "js",
    "javascriptreact": "jsx",
    "typescript": "ts",
    "typescriptreact": "tsx",
    "go": "go",
    "rust": "rs",
    "swift": "swift",
    "kotlin": "kt",
    "scala": "scala",
    "dart": "dart",
    "groovy": "groovy",
    "proto": "proto",
    "zig": "zig",
    "jsonc": "jsonc",
    "scss": "scss",
    "less": "less",
    "php": "php",
    "css": "css",
    "sql": "sql",
    "lua": "lua",
    "haskell": "hs",
    "elm": "elm",
    "clojure": "clj",
    "lisp": "lisp",
    "scheme": "scm",
    "latex": "tex",
    "tex": "tex",
    "erlang": "erl",
    "vim": "vim",
    "vb": "vb",
    "fortran": "f90",
    "bat": "bat",
    "html": "html",
    "xml": "xml",
    "markdown": "md",
    "vue": "vue",
    "ocaml": "ml",
    "restructuredtext": "rst",
}

_BY_FILENAME = {
    "makefile": "mk",
    "dockerfile": "dockerfile",
    "gnumakefile": "mk",
    "cmakelists.txt": "cmake",
    "rakefile": "rb",
    "gemfile": "rb",
    "justfile": "mk",
    "build": "bzl",
    "workspace": "bzl",
}


def comment_syntax(path: str, language_id: str | None = None):
    """``(line_prefixes, block_pairs)`` for the file, or None when it has no comment syntax."""
    if language_id and language_id in _BY_LANGUAGE_ID:
        return _BY_EXTENSION[_BY_LANGUAGE_ID[language_id]]
    name = posixpath.basename(path.replace("\\", "/")).lower()
    if name in _BY_FILENAME:
        return _BY_EXTENSION[_BY_FILENAME[name]]
    _, dot, ext = name.rpartition(".")
    if dot and ext in _BY_EXTENSION:
        return _BY_EXTENSION[ext]
    if name.startswith(".") and name[1:] in _BY_EXTENSION:
        return _BY_EXTENSION[name[1:]]
    return None


def may_have_markers(path: str) -> bool:
    """Whether a file can carry markers: its comment syntax is known by name, or it has no
    extension (a script whose syntax its ``#!`` line tells). Called once per path by
    ``explain --stdin``, so it avoids :func:`comment_syntax`'s general path handling."""
    name = path[path.rfind("/") + 1 :].lower()
    _, dot, ext = name.rpartition(".")
    if not dot or not _:
        return True if not dot else name[1:] in _BY_EXTENSION or "." not in name[1:]
    return ext in _BY_EXTENSION or name in _BY_FILENAME


def syntax_for_text(path: str, text: str, language_id: str | None = None):
    """:func:`comment_syntax`, falling back to ``#`` comments for a ``#!`` script."""
    syntax = comment_syntax(path, language_id)
    if syntax is None and text.startswith("#!") and "." not in posixpath.basename(path).lstrip("."):
        return _HASH
    return syntax


def comment_line(path: str, text: str, language_id: str | None = None) -> str | None:
    """``text`` as a whole-line comment in the file's syntax (None: the file has no comments)."""
    syntax = comment_syntax(path, language_id)
    if syntax is None:
        return None
    prefixes, blocks = syntax
    if prefixes:
        return f"{prefixes[0].rstrip()} {text}"
    opener, closer = blocks[0]
    return f"{opener} {text} {closer}"
