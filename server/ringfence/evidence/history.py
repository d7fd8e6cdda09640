"""Evidence from git history (docs/lsp.md, AI regions): AI commits and the lines they still own.

A commit is AI-authored when its message carries an AI trailer (``Co-authored-by`` /
``Assisted-by``, keys matched case-insensitively, naming Claude, Codex, Copilot, Cursor, aider or
Gemini; all configurable in ``[history]``) or its author or committer is an AI tool (aider's
``(aider)`` suffix, ``copilot-swe-agent[bot]``). git-ai notes (``refs/notes/ai``) name AI lines
of a commit. ``git blame --incremental`` maps each current line to the commit and original line
that wrote it, so both become line-level evidence.

Cost model: one ``git log`` pass over the scope, one ``git diff-tree --stdin`` for the files AI
commits touched, one ``git cat-file --batch`` for all notes, then one ``git blame`` per file
that matters (run in parallel). No LSP here.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from ringfence.errors import RingfenceError
from ringfence.evidence.notes import NOTES_REF, NoteError, NoteRange, parse_note, unquote_path
from ringfence.policy.model import HistorySettings
from ringfence.tool_ids import canonical_tool

_STATUS = re.compile(rb"^[ACDMRTUXB][0-9]*$")
_HEX = re.compile(rb"^[0-9a-f]{40}([0-9a-f]{24})?$")
_TRAILER = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9-]*)\s*:\s*(.+?)\s*$")
_LOG_FORMAT = "%H%x1f%an%x1f%cn%x1f%B"
ZERO_SHA = "0" * 40


class GitError(RingfenceError):
    """A git command failed (its first stderr line is the message)."""


class GitMissing(GitError):
    """There is no ``git`` program to run."""


class Git:
    """Runs git in one repository: no pager, no optional locks, paths unquoted."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_PAGER": "cat", "LC_ALL": "C"}

    def run(self, *args: str, input: bytes | None = None, ok: Sequence[int] = (0,)) -> bytes:
        cmd = ["git", "-C", self.root, "-c", "core.quotePath=false", *args]
        try:
            done = subprocess.run(cmd, input=input, capture_output=True, env=self.env)
        except FileNotFoundError as exc:
            raise GitMissing("git is not installed (needed for history evidence)") from exc
        if done.returncode not in ok:
            message = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise GitError(
                f"git {args[0]} failed: {message[0] if message else f'exit {done.returncode}'}"
            )
        return done.stdout

    def ok(self, *args: str) -> bool:
        """True when the command succeeds; a missing git is an error, not a "no"."""
        try:
            self.run(*args)
        except GitMissing:
            raise
        except GitError:
            return False
        return True

    def is_repository(self) -> bool:
        return self.ok("rev-parse", "--git-dir")

    def is_shallow(self) -> bool:
        return self.run("rev-parse", "--is-shallow-repository").strip() == b"true"

    def resolve(self, rev: str) -> str | None:
        """The commit ``rev`` names, or None."""
        try:
            return (
                self.run("rev-parse", "-q", "--verify", "--end-of-options", f"{rev}^{{commit}}")
                .decode()
                .strip()
            )
        except GitMissing:
            raise
        except GitError:
            return None


@dataclass(frozen=True)
class AICommit:
    """Why a commit counts as AI-authored."""

    sha: str
    tool: str
    model: str
    signal: str  # the trailer line or "author: NAME"


@dataclass(frozen=True)
class HistoryRun:
    """Consecutive current lines ``start..end`` (1-based) history attributes to one AI source."""

    start: int
    end: int
    tool: str
    model: str
    commit: str
    signal: str
    kind: str  # trailer | author | note


@dataclass
class Blame:
    """One file's blame: per current line, the commit and original line and path that wrote it."""

    lines: list[tuple[str, int, str]] = field(default_factory=list)  # (sha, orig line, orig path)
    boundary: set[str] = field(default_factory=set)


# ----- which commits are AI-authored ----------------------------------------------------------


def _tool_named(text: str, names: Sequence[str]) -> str | None:
    lowered = text.lower()
    for name in names:
        if re.search(rf"(?<![a-z0-9]){re.escape(name)}(?![a-z0-9])", lowered):
            return name
    return None


def _trailer_agent(value: str, names: Sequence[str]) -> tuple[str, str] | None:
    """``(tool, model)`` when a trailer value names an AI tool, else None."""
    display = value.split("<", 1)[0].strip()
    bare = re.sub(r"\([^)]*\)", "", display).strip()
    name = _tool_named(bare, names) or _tool_named(value, names)
    if name is None:
        return None
    tool = canonical_tool(name)
    model = ""
    if ":" in bare:  # Assisted-by: Claude:claude-4.6-sonnet
        model = bare.split(":", 1)[1].strip()
    elif bare.lower() != name and bare:
        model = bare  # Co-Authored-By: Claude Opus 4.7 (1M context)
    else:
        inner = re.search(r"\(([^)]*)\)", display)
        model = inner.group(1).strip() if inner else ""
    return tool, model


def classify_commit(
    sha: str, author: str, committer: str, message: str, settings: HistorySettings
) -> AICommit | None:
    """The AI signal of one commit (trailer first, then author/committer), or None."""
    for line in message.splitlines():
        match = _TRAILER.match(line)
        if match is None or match.group(1).lower() not in settings.trailer_keys:
            continue
        agent = _trailer_agent(match.group(2), settings.ai_names)
        if agent is not None:
            return AICommit(sha, agent[0], agent[1], line.strip())
    for role, name in (("author", author), ("committer", committer)):
        lowered = name.strip().lower()
        for suffix in settings.ai_authors:
            if lowered.endswith(suffix):
                tool = _tool_named(suffix, settings.ai_names) or "unknown"
                return AICommit(sha, canonical_tool(tool), "", f"{role}: {name.strip()}")
    return None


def _split_log(data: bytes) -> Iterator[tuple[str, str, str, str]]:
    for record in data.split(b"\0"):
        if not record.strip():
            continue
        parts = record.lstrip(b"\n").decode("utf-8", "replace").split("\x1f", 3)
        if len(parts) == 4:
            yield parts[0], parts[1], parts[2], parts[3]


def ai_commits(
    git: Git, revs: Sequence[str], settings: HistorySettings
) -> tuple[dict[str, AICommit], int]:
    """``({sha: AICommit}, commits scanned)`` over ``git log REVS`` (one pass)."""
    data = git.run("log", "-z", f"--format={_LOG_FORMAT}", *revs, "--")
    found, count = {}, 0
    for sha, author, committer, message in _split_log(data):
        count += 1
        commit = classify_commit(sha, author, committer, message, settings)
        if commit is not None:
            found[sha] = commit
    return found, count


def lookup_commits(
    git: Git, shas: Iterable[str], settings: HistorySettings
) -> dict[str, AICommit | None]:
    """Classify the given commits (one ``git log --no-walk --stdin``)."""
    wanted = sorted({s for s in shas if s != ZERO_SHA})
    if not wanted:
        return {}
    data = git.run(
        "log",
        "--no-walk=unsorted",
        "--stdin",
        "-z",
        f"--format={_LOG_FORMAT}",
        input="\n".join(wanted).encode() + b"\n",
    )
    out: dict[str, AICommit | None] = dict.fromkeys(wanted)
    for sha, author, committer, message in _split_log(data):
        out[sha] = classify_commit(sha, author, committer, message, settings)
    return out


# ----- which files those commits touched --------------------------------------------------------


def touched_paths(git: Git, commits: Iterable[str]) -> dict[str, set[str]]:
    """``{sha: paths the commit added or changed}`` (new names of renames), one ``diff-tree``."""
    shas = list(commits)
    if not shas:
        return {}
    data = git.run(
        "diff-tree",
        "--stdin",
        "-r",
        "-M",
        "-z",
        "--name-status",
        "--root",
        input="\n".join(shas).encode() + b"\n",
    )
    out: dict[str, set[str]] = {}
    current: set[str] | None = None
    tokens = data.split(b"\0")
    i = 0
    while i < len(tokens):
        token = tokens[i].strip(b"\n")
        if _HEX.match(token):
            current = out.setdefault(token.decode(), set())
            i += 1
        elif _STATUS.match(token) and current is not None:
            width = 2 if token[:1] in b"RC" else 1
            if token[:1] != b"D":
                current.add(tokens[i + width].decode("utf-8", "replace"))
            i += 1 + width
        else:
            i += 1
    return out


def renames(git: Git, revs: Sequence[str]) -> list[tuple[str, str]]:
    """``(old, new)`` renames over ``revs``, oldest first (one ``git log --diff-filter=R``)."""
    data = git.run("log", "-M", "--diff-filter=R", "--name-status", "-z", "--format=", *revs, "--")
    tokens = [t.strip(b"\n") for t in data.split(b"\0")]
    pairs, i = [], 0
    while i + 2 < len(tokens):
        if tokens[i][:1] in (b"R", b"C") and _STATUS.match(tokens[i]):
            pairs.append(
                (tokens[i + 1].decode("utf-8", "replace"), tokens[i + 2].decode("utf-8", "replace"))
            )
            i += 3
        else:
            i += 1
    pairs.reverse()
    return pairs


def follow_renames(paths: set[str], pairs: Sequence[tuple[str, str]]) -> set[str]:
    """``paths`` plus every later name they were renamed to."""
    live = set(paths)
    for old, new in pairs:
        if old in live:
            live.add(new)
    return live


# ----- git-ai notes -------------------------------------------------------------------------


@dataclass
class Notes:
    """Every git-ai note: ``{commit: {path: AI ranges}}``, plus what could not be read."""

    by_commit: dict[str, dict[str, list[NoteRange]]] = field(default_factory=dict)
    present: bool = False  # refs/notes/ai exists
    problems: list[str] = field(default_factory=list)
    unreadable: int = 0  # notes skipped entirely

    def paths(self, commits: Iterable[str] | None = None) -> set[str]:
        keys = self.by_commit if commits is None else (c for c in commits if c in self.by_commit)
        return {path for sha in keys for path in self.by_commit[sha]}


def load_notes(git: Git) -> Notes:
    """Read ``refs/notes/ai`` (two git processes however many notes there are)."""
    notes = Notes()
    if git.resolve(NOTES_REF) is None:
        return notes
    notes.present = True
    listing = git.run("notes", f"--ref={NOTES_REF}", "list").decode().split()
    pairs = list(zip(listing[0::2], listing[1::2], strict=False))
    if not pairs:
        return notes
    data = git.run("cat-file", "--batch", input="".join(f"{blob}\n" for blob, _ in pairs).encode())
    offset = 0
    for _blob, commit in pairs:
        header_end = data.index(b"\n", offset)
        header = data[offset:header_end].split()
        size = int(header[2]) if len(header) == 3 else 0
        body = data[header_end + 1 : header_end + 1 + size]
        offset = header_end + 1 + size + (1 if len(header) == 3 else 0)
        try:
            files, problems = parse_note(body.decode("utf-8"))
        except (NoteError, UnicodeDecodeError) as exc:
            notes.unreadable += 1
            notes.problems.append(f"git-ai note on commit {commit[:12]} skipped: {exc}")
            continue
        notes.problems.extend(f"git-ai note on commit {commit[:12]}: {p}" for p in problems)
        if files:
            notes.by_commit[commit] = files
    return notes


# ----- blame -----------------------------------------------------------------------------------


def parse_blame(data: bytes) -> Blame:
    """Parse ``git blame --incremental`` output into per-line attributions."""
    entries: list[tuple[str, int, int, int]] = []
    boundary: set[str] = set()
    paths: list[str] = []
    current: str | None = None
    for raw in data.split(b"\n"):
        if not raw:
            continue
        head = raw.split(b" ")
        if current is None and len(head) == 4 and _HEX.match(head[0]):
            current = head[0].decode()
            entries.append((current, int(head[1]), int(head[2]), int(head[3])))
        elif raw == b"boundary" and current is not None:
            boundary.add(current)
        elif raw.startswith(b"filename ") and current is not None:
            paths.append(unquote_path(raw[9:].decode("utf-8", "replace")))
            current = None
    total = max((final + count - 1 for _, _, final, count in entries), default=0)
    lines: list[tuple[str, int, str]] = [(ZERO_SHA, 0, "")] * total
    for (sha, orig, final, count), path in zip(entries, paths, strict=True):
        for i in range(count):
            lines[final - 1 + i] = (sha, orig + i, path)
    return Blame(lines, boundary)


def blame(
    git: Git, path: str, *, revs: Sequence[str] = (), contents: bytes | None = None
) -> Blame | None:
    """Blame ``path`` (working tree, or ``contents`` on stdin); None if git has no history of it."""
    args = ["blame", "--incremental", *revs]
    if contents is not None:
        args += ["--contents", "-"]
    try:
        return parse_blame(git.run(*args, "--", path, input=contents))
    except GitError:
        return None


def blame_many(
    git: Git,
    paths: Sequence[str],
    *,
    revs: Sequence[str] = (),
    contents: dict[str, bytes] | None = None,
) -> dict[str, Blame | None]:
    """Blame several files in parallel (git does the work; threads only wait)."""
    contents = contents or {}
    workers = max(1, min(len(paths), (os.cpu_count() or 2) + 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = pool.map(lambda p: blame(git, p, revs=revs, contents=contents.get(p)), paths)
        return dict(zip(paths, results, strict=True))


def attribute(result: Blame, commits: dict[str, AICommit | None], notes: Notes) -> list[HistoryRun]:
    """The AI-authored runs of one blamed file: lines from AI commits, and lines a note names."""
    runs: list[HistoryRun] = []
    for number, (sha, orig, path) in enumerate(result.lines, 1):
        if sha == ZERO_SHA or sha in result.boundary:
            continue
        run = _line_source(sha, orig, path, commits, notes)
        if run is None:
            continue
        tool, model, signal, kind = run
        last = runs[-1] if runs else None
        if (
            last
            and last.end == number - 1
            and (last.tool, last.model, last.commit, last.kind) == (tool, model, sha, kind)
        ):
            runs[-1] = HistoryRun(last.start, number, tool, model, sha, signal, kind)
        else:
            runs.append(HistoryRun(number, number, tool, model, sha, signal, kind))
    return runs


def _line_source(
    sha: str, orig: int, path: str, commits: dict[str, AICommit | None], notes: Notes
) -> tuple[str, str, str, str] | None:
    for note in notes.by_commit.get(sha, {}).get(path, ()):
        if note.start <= orig <= note.end:
            return note.tool, note.model, f"git-ai note on {sha[:12]}", "note"
    commit = commits.get(sha)
    if commit is not None:
        kind = "author" if commit.signal.startswith(("author:", "committer:")) else "trailer"
        return commit.tool, commit.model, commit.signal, kind
    return None


# ----- one file at a time (the language server) --------------------------------------------------


class FileHistory:
    """One repository's history evidence for single files, with what does not change cached:
    commit classifications (per sha, forever) and the notes (until ``refs/notes/ai`` moves).

    Spawns git: call it off the event loop.
    """

    def __init__(self, root: str, settings: HistorySettings) -> None:
        self.git = Git(root)
        self.settings = settings
        self._commits: dict[str, AICommit | None] = {}
        self._notes = Notes()
        self._notes_ref: str | None = None

    def runs(self, relpath: str, content: bytes) -> list[HistoryRun]:
        """AI-authored runs of ``content`` (the file as the editor holds it) by its history."""
        result = blame(self.git, relpath, contents=content)
        if result is None:
            return []
        missing = {sha for sha, _, _ in result.lines} - self._commits.keys()
        self._commits.update(lookup_commits(self.git, missing, self.settings))
        return attribute(result, self._commits, self._current_notes())

    def _current_notes(self) -> Notes:
        ref = self.git.resolve(NOTES_REF)
        if ref != self._notes_ref:
            self._notes = load_notes(self.git) if ref else Notes()
            self._notes_ref = ref
        return self._notes
