"""Best-effort analysis of agent shell commands: which files a command writes or reads.

The command is parsed with tree-sitter's bash grammar (``tree-sitter-bash``), so quoting,
comments, heredocs, compound commands (``if``/``for``/``{ …; }``/``!``), command and process
substitutions and backticks are bash's own, not a guess. The tree is walked in execution order,
following the working directory (``cd``, ``cd -``, ``pushd``/``popd``, ``env -C``, ``git -C``),
links the command itself creates (``ln -s ../zone t && echo > t/x``), and scripts handed to
another shell (``sh -c``, ``eval``, ``echo … | bash``, ``bash <<EOF``), to any depth up to
MAX_DEPTH. What each program does to files is in :mod:`ringfence.hooks.shell_programs`.

The analysis says what it could not pin down: ``unanalysed`` programs (interpreters, build
tools: their effect on files is their own business) and ``problems`` (a word whose value
depends on the environment, a script built at run time, a part the grammar cannot parse, a
glob past its bounds…). Every path-like word of the command is kept in ``mentions``: when there
are problems, the caller denies the command if any mention touches a deny zone. ``refusals``
are denials on their own (a link created and then used when its target cannot be told).
The grammar is imported on the first shell command only; hooks for edits never load it.
"""

from __future__ import annotations

import posixpath

from ringfence.hooks import shell_words as words
from ringfence.policy.paths import clean

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the hook path
if TYPE_CHECKING:
    import re

MAX_DEPTH = 32  # scripts within scripts (sh -c "sh -c …"); deeper is a problem, not a guess
MAX_COMMAND_BYTES = 256 * 1024  # longer command lines are not parsed (a problem)
_STATIC_DEVICES = frozenset({"/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty", "/dev/zero"})
_SEQUENTIAL = frozenset(
    {
        "program",
        "list",
        "compound_statement",
        "do_group",
        "if_statement",
        "elif_clause",
        "else_clause",
        "while_statement",
        "for_statement",
        "c_style_for_statement",
        "case_statement",
        "case_item",
        "function_definition",
    }
)
_REDIRECTS = frozenset({"file_redirect", "heredoc_redirect", "herestring_redirect"})
_SUBSTITUTIONS = frozenset({"command_substitution", "process_substitution"})
_WRITE_OPERATORS = frozenset({">", ">>", ">|", "&>", "&>>", "<>", ">&", "&>|"})
_parser = None


class Target:
    """A file a command writes or reads, absolute against the command's working directory.

    ``excluded`` (tree reads only): absolute paths the command leaves out (git's ``:!path``).
    """

    __slots__ = ("path", "program", "recursive", "excluded")

    def __init__(
        self, path: str, program: str, recursive: bool = False, excluded: tuple = ()
    ) -> None:
        self.path = path
        self.program = program
        self.recursive = recursive
        self.excluded = excluded

    def __repr__(self) -> str:
        return f"Target({self.path!r}, {self.program!r}, recursive={self.recursive})"


class ShellAnalysis:
    """What a command line does to files, as far as it can be told without running it."""

    def __init__(self) -> None:
        self.writes: list[Target] = []
        self.reads: list[Target] = []
        self.unanalysed: list[str] = []  # programs whose effect on files is unknown
        self.problems: list[str] = []  # why parts of the command could not be analysed
        self.mentions: list[Target] = []  # every path the command names (judged on problems)
        self.refusals: list[str] = []  # denials on their own

    @property
    def complete(self) -> bool:
        return not self.unanalysed and not self.problems

    def problem(self, text: str) -> None:
        if text not in self.problems:
            self.problems.append(text)


class State:
    """Where a command runs: the working directory (and whether it is known), OLDPWD, DIRSTACK."""

    __slots__ = ("cwd", "known", "oldpwd", "stack")

    def __init__(self, cwd: str, known: bool = True, oldpwd=None, stack=()) -> None:
        self.cwd, self.known, self.oldpwd, self.stack = cwd, known, oldpwd, list(stack)

    def copy(self) -> State:
        return State(self.cwd, self.known, self.oldpwd, self.stack)

    def move(self, directory: str | None) -> None:
        """``cd``: to ``directory`` (lexically collapsed, as bash's ``cd -L``), None: unknown."""
        self.oldpwd = self.cwd
        if directory is None:
            self.known = False
        else:
            self.cwd, self.known = clean(directory, self.cwd), True

    def absorb(self, other: State) -> None:
        self.cwd, self.known, self.oldpwd, self.stack = (
            other.cwd,
            other.known,
            other.oldpwd,
            other.stack,
        )


def analyse(command: str, cwd: str) -> ShellAnalysis:
    """Analyse ``command`` as run in ``cwd`` (an absolute directory)."""
    run = Run()
    run.script(command, State(cwd), 0)
    return run.analysis


def parser():
    """tree-sitter's bash parser, loaded on first use (hooks for edits never import it)."""
    global _parser
    if _parser is None:
        try:  # the two compiled bindings alone: the packages' __init__ import typing, pathlib…
            binding, grammar = _binding("tree_sitter"), _binding("tree_sitter_bash")
        except (ImportError, OSError, AttributeError):
            import tree_sitter as binding
            import tree_sitter_bash as grammar
        _parser = binding.Parser(binding.Language(grammar.language()))
    return _parser


def _binding(package: str):
    """``PACKAGE._binding``, loaded without running ``PACKAGE/__init__.py`` (≈30 ms less)."""
    import importlib.machinery
    import importlib.util
    import os

    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(package)
    for directory in spec.submodule_search_locations:
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = os.path.join(directory, "_binding" + suffix)
            if os.path.isfile(path):
                found = importlib.util.spec_from_file_location(f"{package}._binding", path)
                if found is None or found.loader is None:
                    raise ImportError(f"{package}._binding: {path} cannot be loaded")
                module = importlib.util.module_from_spec(found)
                found.loader.exec_module(module)
                return module
    raise ImportError(f"{package}._binding")


class Run:
    """One analysis: the findings, links created so far, the glob budget."""

    def __init__(self) -> None:
        self.analysis = ShellAnalysis()
        self.links: list[tuple[str, str | None]] = []  # (link, target or None when unknown)
        self.globs = words.GlobBudget()

    # ----- scripts and statements ----------------------------------------------------------

    def script(self, text: str, state: State, depth: int) -> None:
        """Analyse a whole script (the command line, an ``sh -c`` string, a heredoc'd script)."""
        if depth > MAX_DEPTH:
            self.analysis.problem("shell scripts nested too deeply")
            self.raw_mentions(text, state)
            return
        if len(text) > MAX_COMMAND_BYTES:
            self.analysis.problem("the command is too long to analyse")
            self.raw_mentions(text[:MAX_COMMAND_BYTES], state)
            return
        if "!" in text:
            text = _without_bangs(text)
        tree = parser().parse(text.encode("utf-8", errors="surrogateescape"))
        if tree.root_node.has_error:
            self.analysis.problem("the bash grammar cannot parse part of the command")
            self.raw_mentions(text, state)
            if "`" in text:  # unescaped nested backticks: bash still runs each piece
                self.script(text.replace("`", ";"), state.copy(), depth + 1)
        self.depth = depth
        self.statement(tree.root_node, state, None, depth)

    def statement(self, node, state: State, stdin, depth: int):
        """Walk one statement in execution order; return its static output (or None)."""
        kind = node.type
        if kind == "negated_command":  # ``! cmd <<EOF``: the heredoc is cmd's stdin
            output = stdin
            for child in node.named_children:
                output = self.statement(child, state, stdin, depth)
            return output
        if kind in _SEQUENTIAL:
            output = None
            for child in node.named_children:
                output = self.statement(child, state, None, depth)
            return output
        if kind == "subshell":
            inner = state.copy()
            for child in node.named_children:
                self.statement(child, inner, None, depth)
            return None
        if kind == "pipeline":
            return self.pipeline(node.named_children, state, stdin, depth)
        if kind == "redirected_statement":
            return self.redirected(node, state, stdin, depth)
        if kind == "command":
            return self.command(node, state, stdin, depth, [], [])
        if kind in _SUBSTITUTIONS:
            inner = state.copy()
            for child in node.named_children:
                self.statement(child, inner, None, depth)
            return None
        if kind == "ERROR":
            self.raw_mentions(node.text.decode("utf-8", "replace"), state)
        if kind in ("comment", "heredoc_body", "heredoc_start", "heredoc_end"):
            return None
        self.substitutions(node, state, depth)  # assignments, tests, declarations…
        return None

    def pipeline(self, parts, state: State, stdin, depth: int):
        output = stdin
        for part in parts:
            inner = state.copy()  # each part of a pipeline runs in its own subshell
            output = self.statement(part, inner, output, depth)
        return output

    def redirected(self, node, state: State, stdin, depth: int):
        body = node.child_by_field_name("body") or node.named_children[0]
        redirects = [c for c in node.named_children if c is not body and c.type in _REDIRECTS]
        while body.type == "list" and body.named_children:
            # the grammar hangs ``a && b > f`` on the list; bash gives it to the last command
            *first, body = body.named_children
            for child in first:
                self.statement(child, state, None, depth)
        extra: list = []
        tail: list = []
        for redirect in redirects:
            if redirect.type == "file_redirect":
                extra.extend(self.redirect_words(redirect)[1:])  # ``echo > a b``: b is an argument
            elif redirect.type == "heredoc_redirect":
                stdin = self.heredoc(redirect, state, depth)
                tail.extend(c for c in redirect.named_children if c.type not in _HEREDOC_PARTS)
            elif redirect.type == "herestring_redirect":
                stdin = self.herestring(redirect, state)
        before = state.copy()
        if body.type == "command":
            output = self.command(body, state, stdin, depth, extra, [])
        else:
            output = self.statement(body, state, stdin, depth)
        for redirect in redirects:
            self.redirect(redirect, before, depth)
        for part in tail:
            if part.type in _REDIRECTS:
                continue
            if part.type == "pipeline":  # ``cat <<EOF | bash``: the pipeline goes on here
                output = self.pipeline(part.named_children, state, output, depth)
            else:
                output = self.statement(part, state, None, depth)
        return output

    # ----- redirections --------------------------------------------------------------------

    def redirect_words(self, redirect) -> list:
        return [c for c in redirect.named_children if c.type != "file_descriptor"]

    def redirect(self, redirect, before: State, depth: int) -> None:
        if redirect.type == "heredoc_redirect":
            for child in redirect.named_children:
                if child.type == "file_redirect":
                    self.redirect(child, before, depth)
            return
        if redirect.type != "file_redirect":
            self.substitutions(redirect, before, depth)
            return
        operator = next((c.type for c in redirect.children if not c.is_named), "")
        targets = self.redirect_words(redirect)
        if not targets:
            return
        target = targets[0]
        if target.type in _SUBSTITUTIONS:
            self.statement(target, before.copy(), None, depth)
            return
        if (
            operator in (">&", "<&", "&>", ">&-")
            and target.type == "number"
            or (operator in (">&", "<&") and target.text in (b"-",))
        ):
            return  # ``2>&1``, ``>&2``, ``<&-``: a file descriptor, not a file
        self.substitutions(target, before, depth)
        bucket = "write" if operator in _WRITE_OPERATORS else "read" if "<" in operator else None
        if bucket is None:
            return
        for value in self.expand(target, before):
            self.add(bucket, value, before, "redirection")

    def heredoc(self, redirect, state: State, depth: int):
        """A heredoc's text (what the command reads on stdin), or an Unknown when it expands."""
        start = next((c for c in redirect.named_children if c.type == "heredoc_start"), None)
        body = next((c for c in redirect.named_children if c.type == "heredoc_body"), None)
        text = body.text.decode("utf-8", "surrogateescape") if body is not None else ""
        quoted = start is not None and any(q in start.text for q in (b"'", b'"', b"\\"))
        if body is not None and not quoted:
            self.substitutions(body, state, depth)
            if any(c.type in words._EXPANSIONS for c in body.named_children):
                return words.Unknown(text)
            text = _heredoc_unescape(text)
        if start is not None and redirect.children and redirect.children[0].type == "<<-":
            text = "\n".join(line.lstrip("\t") for line in text.split("\n"))
        return text

    def herestring(self, redirect, state: State):
        word = next((c for c in redirect.named_children), None)
        if word is None:
            return None
        value = words.segments(word)
        if value is None:
            return words.Unknown(word.text.decode("utf-8", "surrogateescape"))
        return "".join(text for text, _ in value) + "\n"

    # ----- commands ------------------------------------------------------------------------

    def command(self, node, state: State, stdin, depth: int, extra: list, redirects: list):
        from ringfence.hooks import shell_programs

        self.substitutions(node, state, depth)
        argv: list[str] = []
        for child in node.named_children:
            if child.type == "variable_assignment":
                continue
            if child.type in _REDIRECTS:
                if child.type == "herestring_redirect":
                    stdin = self.herestring(child, state)
                else:
                    redirects = [*redirects, child]
                continue
            argv.extend(self.expand(child, state))
        for word in extra:
            argv.extend(self.expand(word, state))
        for word in argv[1:]:
            self.mention(word, state)
        before = state.copy()
        output = shell_programs.run(self, argv, state, stdin, depth) if argv else None
        for redirect in redirects:
            self.redirect(redirect, before, depth)
        return output

    def substitutions(self, node, state: State, depth: int) -> None:
        """Run every command or process substitution inside ``node`` (each in a subshell)."""
        stack = list(node.named_children)
        while stack:
            child = stack.pop()
            if child.type in _SUBSTITUTIONS:
                self.statement(child, state.copy(), None, depth)
            elif child.type not in ("heredoc_redirect", "file_redirect"):
                stack.extend(child.named_children)

    # ----- words and paths -----------------------------------------------------------------

    def expand(self, node, state: State) -> list[str]:
        """The words ``node`` becomes (brace, tilde and glob expansion); Unknown where unsure."""
        parts = words.segments(node)
        if parts is None:
            return [words.Unknown(words.literal_prefix(node))]
        expanded = words.brace_expand(parts)
        if expanded is None:
            self.analysis.problem("a brace expansion too large to follow")
            return [words.Unknown(_before(parts, "{"))]
        out: list[str] = []
        for braced in expanded:
            word = words.tilde(braced)
            if word is None:
                out.append(words.Unknown(""))
            elif words.has_magic(word):
                matches = words.glob(word, state.cwd, self.globs)
                if matches is None:
                    self.analysis.problem("a glob too large to follow")
                    out.append(words.Unknown(_before(word, "*?[")))
                else:
                    out.extend(matches)
            else:
                out.append("".join(text for text, _ in word))
        return out

    def paths(self, word: str, state: State, what: str) -> list[str] | None:
        """Absolute paths ``word`` names (through links this command created), None if unknown."""
        if isinstance(word, words.Unknown):
            self.analysis.problem(f"{what} depends on the environment")
            self.mention(word, state)
            return None
        if not word:
            return []
        if not word.startswith("/") and not state.known:
            self.analysis.problem("the working directory is unknown (cd -, cd $DIR …)")
        absolute = word if word.startswith("/") else posixpath.join(state.cwd, word)
        found = [absolute]
        spelled = clean(absolute, "/")
        for link, target in self.links:
            if spelled == link or spelled.startswith(link + "/"):
                if target is None:
                    self.analysis.refusals.append(
                        f"ringfence: {spelled} goes through the link {link}, which this command "
                        "creates with a target ringfence cannot tell; denied. Instead: create "
                        "the link in one command and use it in another."
                    )
                    continue
                found.append(target + spelled[len(link) :])
        return found

    def add(self, bucket: str, word: str, state: State, program: str, recursive=False) -> None:
        found = self.paths(word, state, f"{program} target")
        if found is None:
            return
        if not found:
            self.analysis.problem(f"{program} without a file name")
            return
        into = self.analysis.writes if bucket == "write" else self.analysis.reads
        for path in found:
            if path not in _STATIC_DEVICES:
                into.append(Target(path, program, recursive))

    def mention(self, word: str, state: State) -> None:
        """Keep a path-like word, judged only if the command has problems."""
        if isinstance(word, words.Unknown):
            if not word:
                return
            base = word if word.endswith("/") else posixpath.dirname(word) or word
            absolute = posixpath.join(state.cwd, base)
            self.analysis.mentions.append(Target(absolute, "unknown"))
            self.analysis.mentions.append(Target(posixpath.join(absolute, "*"), "unknown"))
            return
        if word.startswith("-") and "=" in word:
            word = word.split("=", 1)[1]
        if not word or word.startswith("-") or word in _STATIC_DEVICES:
            return
        self.analysis.mentions.append(Target(posixpath.join(state.cwd, word), "named"))

    def raw_mentions(self, text: str, state: State) -> None:
        """Path-like tokens of text the grammar could not give structure to."""
        for token in _TOKEN_SPLIT.split(text):
            token = token.replace("'", "").replace('"', "")
            if token.startswith("-") and not token.startswith("--"):
                token = token[2:]  # an option's attached value: ``-tDIR``
            if token and not token.startswith(("-", "$")) and len(self.analysis.mentions) < 4096:
                self.analysis.mentions.append(Target(posixpath.join(state.cwd, token), "named"))

    def link(self, link: str, target: str | None) -> None:
        """Remember a link this command creates (``target`` None: cannot be told)."""
        self.links.append((clean(link, "/"), clean(target, "/") if target else None))


_HEREDOC_PARTS = frozenset({"heredoc_start", "heredoc_body", "heredoc_end"})


def _before(parts, chars: str) -> str:
    out = []
    for text, quoted in parts:
        if not quoted:
            cut = min((text.index(c) for c in chars if c in text), default=None)
            if cut is not None:
                out.append(text[:cut])
                break
        out.append(text)
    return "".join(out)


def _without_bangs(text: str) -> str:
    """The script with pipeline negations (``! cmd``) blanked out. ``!`` changes only an exit
    status, never what a command writes, and tree-sitter-bash misreads ``! if …; fi`` and
    ``! { …; }`` (commands named ``if``, ``then``… and no error)."""
    import re

    return re.sub(r"(^|[\s;&|({])!(?=\s)", r"\1 ", text)


def _heredoc_unescape(text: str) -> str:
    out, index = [], 0
    while index < len(text):
        if text[index] == "\\" and index + 1 < len(text) and text[index + 1] in "$`\\\n":
            if text[index + 1] != "\n":
                out.append(text[index + 1])
            index += 2
            continue
        out.append(text[index])
        index += 1
    return "".join(out)


class _Splitter:
    """Split text on shell metacharacters and quotes (compiled on first use)."""

    _compiled: re.Pattern[str] | None = None

    def split(self, text: str) -> list[str]:
        compiled = _Splitter._compiled
        if compiled is None:
            import re

            compiled = _Splitter._compiled = re.compile(r"[\s;|&<>()`=]+")
        return compiled.split(text)


_TOKEN_SPLIT = _Splitter()
