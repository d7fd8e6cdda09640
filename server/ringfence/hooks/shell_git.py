"""Git commands that print file content: ``show``, ``cat-file``, ``grep``, ``log -p``, ``blame``,
``diff``, ``archive``, ``stash show -p`` are reads of the files whose content they print.

Each becomes read targets for the shell analysis: ``REV:path`` objects read that path
(root-relative, ``REV:./p`` cwd-relative); pathspecs read what they name (a directory or a glob
pathspec reads everything below its literal prefix); exclusions (``:!p``, ``:^p``,
``:(exclude)p``) are kept so the caller can leave them out. A command that prints content with
no pathspec, or names an object ringfence cannot map to a path (a blob id, ``--batch``), reads
the whole repository: it is judged like a recursive read of the work tree, which is denied when
any zone of it keeps its content from external tools (docs/security.md).
"""

from __future__ import annotations

import os
import posixpath

from ringfence.hooks.shell_programs import parse_options
from ringfence.hooks.shell_words import Unknown
from ringfence.policy.paths import find_root

GIT_SECONDS = 2.0  # how long git may take to list the paths of a patch-printing command
MAX_CHANGED = 2000  # paths judged from that list (more: best effort, docs/security.md)
_PATCH_FLAGS = (
    "-p",
    "-u",
    "--patch",
    "--patch-with-stat",
    "--patch-with-raw",
    "--cc",
    "-c",
    "--word-diff",
    "--color-words",
    "-L",
    "--remerge-diff",
    "--check",
    "-W",
    "--function-context",
    "--unified",
    "-U",
    "--textconv",
)
_NO_PATCH_FLAGS = (
    "-s",
    "--no-patch",
    "--stat",
    "--numstat",
    "--shortstat",
    "--name-only",
    "--name-status",
    "--summary",
    "--raw",
    "--dirstat",
    "--quiet",
    "-q",
)
_VALUES = {
    "log": "-n --max-count --author --committer --grep -S -G --since --until --after --before "
    "--skip -L -O --output --encoding --date",
    "show": "-n --max-count -O --output --encoding --date -S -G",
    "diff": "-O --output -S -G --relative -l",
    "blame": "-L -S --contents --ignore-rev --ignore-revs-file",
    "grep": "-e -f -A -B -C -m --max-depth --threads --max-count --after-context "
    "--before-context --context --open-files-in-pager -O",
    "cat-file": "--path",
    "archive": "-o --output --format --prefix --remote --exec --add-file --add-virtual-file",
}


def git_reads(run, sub: str, args: list[str], state) -> None:
    """Record the reads of ``git SUB ARGS`` run in ``state``'s working directory."""
    if sub in ("whatchanged",):
        sub, args = "log", args
    if sub in ("diff-tree", "diff-index", "diff-files"):
        sub, args = "log", args  # raw output unless asked for a patch, like log
    if sub == "annotate":
        sub = "blame"
    if sub == "stash":
        if not args or args[0] != "show":
            run.analysis.unanalysed.append("git stash")
            return
        sub, args = "log", args[1:]
    dashdash = "--" in args
    before, after = (
        (args[: args.index("--")], args[args.index("--") + 1 :]) if dashdash else (args, [])
    )
    positional, options = parse_options(before, _VALUES.get(sub, ""))
    names = {name for name, _ in options}
    root = find_root(state.cwd)
    reader = _Reader(run, state, root, f"git {sub}")
    if sub == "cat-file":
        _cat_file(reader, positional, names, options)
        return
    if sub == "grep":
        if not names & {"-e", "-f", "--regexp", "--file"} and positional:
            positional = positional[1:]  # the pattern
        revs, paths = _split(positional, state, after, dashdash)
        reader.content(paths, whole=True)
        return
    if sub == "blame":
        contents = [value for name, value in options if name == "--contents"]
        for value in contents:
            reader.path(value)
        revs, paths = _split(positional, state, after, dashdash)
        if not paths and positional:
            paths = [positional[-1]]
        reader.content(paths, whole=False)
        return
    if sub == "archive":
        for name, value in options:
            if name in ("-o", "--output"):
                run.add("write", value, state, "git archive")
        revs, paths = _split(positional[1:], state, after, dashdash)
        reader.content(paths, whole=True)
        return
    patch_by_default = sub in ("show", "diff")
    patch = bool(names & set(_PATCH_FLAGS)) or any(n.startswith(("-U", "--unified")) for n in names)
    if not patch and (not patch_by_default or names & set(_NO_PATCH_FLAGS)):
        _objects(reader, positional)  # ``git show --stat REV:path`` still prints the blob
        return
    for name, value in options:
        if name == "-L" and ":" in value:
            reader.path(value.rsplit(":", 1)[1])
        elif name == "--output" and value:
            run.add("write", value, state, f"git {sub}")
    if sub == "diff" and "--no-index" in names:
        for word in positional + after:
            reader.path(word)
        return
    revs, paths = _split(positional, state, after, dashdash)
    objects = [rev for rev in revs if _object_path(rev) is not None]
    _objects(reader, objects)
    if objects and len(objects) == len(revs):
        reader.content(paths, whole=False)
        return
    if sub == "log" and "-L" in names:
        return
    changed = changed_paths(state.cwd, sub, args)
    if changed is None:
        reader.content(paths, whole=True)  # git could not tell in time: all it may print
        return
    for path in changed:
        reader.path(posixpath.join(root, path))


def changed_paths(cwd: str, sub: str, args: list[str]) -> list[str] | None:
    """The paths whose patches ``git SUB ARGS`` prints, from git itself (the same command with
    ``--name-only`` instead of patches); None when git fails or exceeds GIT_SECONDS."""
    if any(isinstance(a, Unknown) for a in args):
        return None
    kept = [
        a
        for a in args
        if a not in _PATCH_FLAGS
        and not a.startswith(
            (
                "-U",
                "--unified",
                "--word-diff",
                "--color-words",
                "--output",
                "--ext-diff",
                "--textconv",
                "-L",
            )
        )
    ]
    tail = ["--name-only", "-z", "--no-ext-diff", "--no-textconv"]
    if sub != "diff":
        tail.append("--format=")
    import subprocess

    try:
        done = subprocess.run(
            ["git", "--no-pager", "-c", "core.quotepath=off", sub, *tail, *kept],
            cwd=cwd,
            capture_output=True,
            timeout=GIT_SECONDS,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode not in (0, 1):
        return None
    names = done.stdout.decode("utf-8", "surrogateescape").replace("\n", "\0").split("\0")
    return sorted({name for name in names if name})[:MAX_CHANGED]


class _Reader:
    """Collects one git command's reads: single paths, pathspecs with exclusions, the tree."""

    def __init__(self, run, state, root: str, program: str) -> None:
        self.run, self.state, self.root, self.program = run, state, root, program

    def path(self, word: str, recursive: bool = False) -> None:
        self.run.add("read", word, self.state, self.program, recursive)

    def content(self, pathspecs: list[str], whole: bool) -> None:
        """Reads of ``pathspecs`` (the whole tree when none and ``whole``), minus exclusions."""
        from ringfence.hooks.shell import Target

        positive: list = []
        excluded: list = []
        for spec in pathspecs:
            if isinstance(spec, Unknown):
                self.run.paths(spec, self.state, f"{self.program} pathspec")
                continue
            absolute, exclude, recursive = _pathspec(spec, self.state.cwd, self.root)
            (excluded if exclude else positive).append((absolute, recursive))
        if not positive and not whole:
            return
        if not positive:
            positive = [(self.root, True)]
        skip = tuple(path for path, _ in excluded)
        for absolute, recursive in positive:
            recursive = recursive or os.path.isdir(absolute)
            self.run.analysis.reads.append(Target(absolute, self.program, recursive, skip))


def _cat_file(reader: _Reader, positional: list[str], names: set, options) -> None:
    if names & {"--batch", "--batch-check", "--batch-command", "--batch-all-objects"}:
        if names & {"--batch", "--batch-command"}:
            reader.content([], whole=True)  # object names come on stdin: any of them
        return
    if names & {"-t", "-s", "-e"} and not names & {"-p", "--textconv", "--filters"}:
        return
    objects = (
        positional[1:]
        if positional and positional[0] in ("blob", "tree", "commit", "tag")
        else positional
    )
    for obj in objects:
        if _object_path(obj) is None:
            reader.content([], whole=True)  # a blob id or ref: ringfence cannot tell its path
        else:
            _objects(reader, [obj])


def _objects(reader: _Reader, revs: list[str]) -> None:
    for rev in revs:
        path = _object_path(rev)
        if path is None:
            continue
        if path.startswith(("./", "../")):
            reader.path(path)
        elif path:
            reader.path(posixpath.join(reader.root, path), True)


def _object_path(rev: str) -> str | None:
    """The path of ``REV:path`` (``""`` for ``REV:``), None for anything else."""
    if isinstance(rev, Unknown) or rev.startswith(":") and not rev.startswith(":0:"):
        if isinstance(rev, str) and rev.startswith(":") and len(rev) > 1 and rev[1] not in "/!^(":
            return rev[1:]  # ``:path``: the index's copy
        return None
    if ":" not in rev:
        return None
    path = rev.split(":", 1)[1]
    if rev.startswith(":0:") or rev[:3] in (":1:", ":2:", ":3:"):
        path = rev[3:]
    return path


def _split(positional: list[str], state, after: list[str], dashdash: bool):
    """(revisions, pathspecs): after ``--`` all are paths; before, a word naming a file is one."""
    if dashdash:
        return positional, after
    revs: list[str] = []
    paths: list[str] = []
    for word in positional:
        if isinstance(word, Unknown):
            paths.append(word)
        elif word.startswith(":") and not word.startswith(":0:") and _object_path(word) is None:
            paths.append(word)
        elif _object_path(word) is None and (
            os.path.lexists(posixpath.join(state.cwd, word)) or any(c in word for c in "*?[")
        ):
            paths.append(word)
        else:
            revs.append(word)
    return revs, paths


def _pathspec(spec: str, cwd: str, root: str) -> tuple[str, bool, bool]:
    """A pathspec's (absolute literal prefix, exclude?, recursive?)."""
    exclude = False
    top = False
    if spec.startswith(":("):
        magic, _, spec = spec[2:].partition(")")
        words = {word.strip() for word in magic.split(",")}
        exclude = bool(words & {"exclude"})
        top = "top" in words
    elif spec.startswith(":") and len(spec) > 1:
        index = 1
        while index < len(spec) and spec[index] in "!^/":
            exclude = exclude or spec[index] in "!^"
            top = top or spec[index] == "/"
            index += 1
        spec = spec[index:].lstrip(":")
    base = root if top else cwd
    magic_at = min((spec.index(c) for c in "*?[" if c in spec), default=None)
    literal = spec if magic_at is None else spec[:magic_at]
    if magic_at is not None:
        literal = literal.rsplit("/", 1)[0] if "/" in literal else ""
    absolute = posixpath.normpath(posixpath.join(base, literal)) if literal else base
    return absolute, exclude, magic_at is not None or not literal
