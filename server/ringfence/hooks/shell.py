"""Best-effort analysis of agent shell commands (SPEC §7): which files a command writes or reads.

``shlex`` splits the command into simple commands, operators and redirections; heredoc bodies
are dropped first so their text is never mistaken for syntax. Writes: redirections (``>``,
``>>``, ``&>``, ``>|``), ``tee``, ``sed -i``/``perl -i``, ``cp``/``mv``/``install``/``ln``
targets, ``rm``, ``touch``, ``truncate``, ``dd of=``, ``git rm``/``git mv``/``git config``.
Reads (the egress half): ``<`` and the file arguments of ``cat``, ``head``, ``grep`` and other
printers. ``sh -c``/``bash -c``/``eval`` strings are analysed too, and ``cd`` is followed.
Anything else (interpreters, build tools) is reported as not analysed; the caller allows and
journals it. shlex suffices here because nothing needs a full bash grammar: a command we cannot
split is simply "not analysed", never a guess.
"""

from __future__ import annotations

import glob
import os
import posixpath
import re
import shlex

from ringfence.policy.paths import find_root, git_common_dir

MAX_DEPTH = 3
_PUNCTUATION = "();<>|&\n"
_WRITE_REDIRECTS = frozenset({">", ">>", ">|", "&>", "&>>", "<>", ">>|"})
_HEREDOC = re.compile(r"<<-?\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\1")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_GLOB_CHARS = re.compile(r"[*?\[]")

READ_ONLY = frozenset(
    {
        "ls",
        "pwd",
        "echo",
        "printf",
        "true",
        "false",
        "test",
        "[",
        "which",
        "type",
        "whoami",
        "date",
        "uname",
        "wc",
        "stat",
        "file",
        "du",
        "df",
        "tree",
        "realpath",
        "readlink",
        "dirname",
        "basename",
        "sleep",
        "exit",
        "export",
        "set",
        "unset",
        "read",
        "mkdir",
        "clear",
        "ps",
        "man",
        "help",
        "id",
        "hostname",
        "seq",
        "yes",
        "tput",
        "command",
        ":",
        "cd",
        "pushd",
        "popd",
    }
)
PRINTERS = frozenset(
    {
        "cat",
        "head",
        "tail",
        "less",
        "more",
        "nl",
        "tac",
        "bat",
        "batcat",
        "base64",
        "xxd",
        "hexdump",
        "od",
        "strings",
        "sort",
        "uniq",
        "cut",
        "paste",
        "fold",
        "fmt",
        "rev",
        "diff",
        "cmp",
        "column",
    }
)
SEARCHERS = frozenset({"grep", "egrep", "fgrep", "rg", "ag", "ack"})
WRAPPERS = frozenset(
    {
        "sudo",
        "env",
        "command",
        "nohup",
        "time",
        "nice",
        "exec",
        "timeout",
        "stdbuf",
        "builtin",
        "doas",
    }
)
SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh"})
GIT_READ_ONLY = frozenset(
    {
        "status",
        "log",
        "diff",
        "show",
        "branch",
        "rev-parse",
        "ls-files",
        "blame",
        "grep",
        "remote",
        "describe",
        "tag",
        "shortlog",
        "fetch",
        "add",
        "commit",
        "push",
        "reflog",
        "ls-tree",
        "cat-file",
        "merge-base",
        "rev-list",
        "name-rev",
        "whatchanged",
        "help",
        "version",
        "check-ignore",
    }
)


class Target:
    """A file a command writes or reads, made absolute against the command's working directory."""

    __slots__ = ("path", "program", "recursive")

    def __init__(self, path: str, program: str, recursive: bool = False) -> None:
        self.path = path
        self.program = program
        self.recursive = recursive

    def __repr__(self) -> str:
        return f"Target({self.path!r}, {self.program!r}, recursive={self.recursive})"


class ShellAnalysis:
    """What a command line does to files, as far as it can be told without running it."""

    def __init__(self) -> None:
        self.writes: list[Target] = []
        self.reads: list[Target] = []
        self.unanalysed: list[str] = []  # programs whose effect on files is unknown
        self.problems: list[str] = []  # why parts of the command could not be analysed

    @property
    def complete(self) -> bool:
        return not self.unanalysed and not self.problems


def analyse(command: str, cwd: str) -> ShellAnalysis:
    """Analyse ``command`` as run in ``cwd`` (an absolute directory)."""
    analysis = ShellAnalysis()
    _analyse_into(analysis, command, cwd, 0)
    return analysis


def _analyse_into(analysis: ShellAnalysis, command: str, cwd: str, depth: int) -> None:
    if depth > MAX_DEPTH:
        analysis.problems.append("shell commands nested too deeply")
        return
    try:
        tokens = _tokens(_strip_heredocs(command.replace("\\\n", "")))
    except ValueError as exc:
        analysis.problems.append(f"cannot parse the command ({exc})")
        return
    for words, redirects in _simple_commands(tokens):
        cwd = _command(analysis, words, redirects, cwd, depth)


def _strip_heredocs(command: str) -> str:
    """The command without heredoc bodies (their text is data, not shell syntax)."""
    lines = command.split("\n")
    out: list[str] = []
    pending: list[str] = []
    for line in lines:
        if pending:
            if line.strip() == pending[0]:
                pending.pop(0)
            continue
        out.append(line)
        pending.extend(match.group(2) for match in _HEREDOC.finditer(line))
    return "\n".join(out)


def _tokens(command: str) -> list[tuple[str, bool]]:
    """``(token, is_operator)`` pairs.

    shlex drops quotes, so a quoted word made only of operator characters (``grep '>' f``) reads as
    an operator: that errs towards seeing a redirection, never towards missing one.
    """
    lexer = shlex.shlex(command, posix=True, punctuation_chars=_PUNCTUATION)
    lexer.whitespace = " \t\r"
    lexer.whitespace_split = True
    lexer.commenters = "#"
    out = []
    for token in lexer:
        out.append((token, bool(token) and all(ch in _PUNCTUATION for ch in token)))
    return out


def _simple_commands(tokens: list[tuple[str, bool]]):
    """Split tokens into ``(words, redirects)`` per simple command; redirects are ``(op, word)``."""
    words: list[str] = []
    redirects: list[tuple[str, str]] = []
    index = 0
    while index < len(tokens):
        token, operator = tokens[index]
        index += 1
        if not operator:
            words.append(token)
            continue
        op = token.strip("\n")
        if ">" in op or op.startswith("<"):
            if words and words[-1].isdigit():
                words.pop()  # ``2>file``: the digit is a file descriptor, not an argument
            target = tokens[index][0] if index < len(tokens) and not tokens[index][1] else ""
            if target:
                index += 1
            redirects.append((op, target))
            continue
        if words or redirects:
            yield words, redirects
        words, redirects = [], []
    if words or redirects:
        yield words, redirects


def _command(analysis: ShellAnalysis, words: list[str], redirects, cwd: str, depth: int) -> str:
    """Record what one simple command does; return the working directory after it (``cd``)."""
    for op, target in redirects:
        if op in _WRITE_REDIRECTS or (
            op == ">&" and target and not target.isdigit() and target != "-"
        ):
            _add(analysis, analysis.writes, target, cwd, "redirection")
        elif op in ("<", "<>"):
            _add(analysis, analysis.reads, target, cwd, "redirection")
    words = _unwrap(words)
    if not words:
        return cwd
    program = posixpath.basename(words[0])
    args = words[1:]
    if program == "cd":
        return _cd(analysis, args, cwd)
    if program in SHELLS:
        script = _option_value(args, "-c")
        if script is not None:
            _analyse_into(analysis, script, cwd, depth + 1)
        elif args:
            analysis.unanalysed.append(program)
        return cwd
    if program == "eval":
        _analyse_into(analysis, " ".join(args), cwd, depth + 1)
        return cwd
    handler = _HANDLERS.get(program)
    if handler is not None:
        handler(analysis, program, args, cwd)
    elif program in PRINTERS:
        _printer(analysis, program, args, cwd)
    elif program in SEARCHERS:
        _search(analysis, program, args, cwd)
    elif program not in READ_ONLY:
        analysis.unanalysed.append(program)
    return cwd


def _unwrap(words: list[str]) -> list[str]:
    """Drop leading ``NAME=value`` assignments and wrappers (``sudo``, ``env``, ``timeout``…)."""
    index = 0
    while index < len(words):
        word = words[index]
        if _ASSIGNMENT.match(word):
            index += 1
        elif posixpath.basename(word) in WRAPPERS:
            index += 1
            while index < len(words) and (
                words[index].startswith("-") or _ASSIGNMENT.match(words[index])
            ):
                index += 1 + (words[index] in ("-u", "-g", "-n", "-s", "-k", "-o", "-i", "-e"))
            if posixpath.basename(word) == "timeout" and index < len(words):
                index += 1  # the duration
        else:
            break
    return words[index:]


def _cd(analysis: ShellAnalysis, args: list[str], cwd: str) -> str:
    target = next((a for a in args if not a.startswith("-")), "~")
    resolved = _resolve(target, cwd)
    if resolved is None:
        analysis.problems.append("cd into a directory that depends on the environment")
        return cwd
    return resolved[0]


def _resolve(word: str, cwd: str) -> list[str] | None:
    """Absolute paths a word names (globs expanded), or None when it depends on the environment."""
    if "$" in word or "`" in word:
        return None
    if word.startswith("~"):
        word = os.path.expanduser(word)
        if word.startswith("~"):
            return None
    absolute = posixpath.normpath(posixpath.join(cwd, word))
    if _GLOB_CHARS.search(word):
        matches = sorted(glob.glob(absolute))
        if matches:
            return matches
    return [absolute]


def _add(
    analysis: ShellAnalysis,
    bucket: list[Target],
    word: str,
    cwd: str,
    program: str,
    recursive: bool = False,
) -> None:
    if not word:
        analysis.problems.append(f"{program} without a file name")
        return
    resolved = _resolve(word, cwd)
    if resolved is None:
        analysis.problems.append(f"{program} target depends on the environment")
        return
    bucket.extend(Target(path, program, recursive) for path in resolved)


def _files(
    analysis, bucket, words: list[str], cwd: str, program: str, recursive: bool = False
) -> None:
    for word in words:
        if word != "-":
            _add(analysis, bucket, word, cwd, program, recursive)


def _positional(args: list[str], takes_value: frozenset[str] = frozenset()) -> list[str]:
    """Arguments that are not options (``--`` ends options; listed options consume a value)."""
    out, index, options = [], 0, True
    while index < len(args):
        arg = args[index]
        if options and arg == "--":
            options = False
        elif options and arg.startswith("-") and arg != "-":
            if arg in takes_value:
                index += 1
        else:
            out.append(arg)
        index += 1
    return out


def _option_value(args: list[str], option: str) -> str | None:
    for index, arg in enumerate(args):
        if arg == option and index + 1 < len(args):
            return args[index + 1]
        if (
            arg.startswith("-")
            and not arg.startswith("--")
            and option[1] in arg[1:]
            and index + 1 < len(args)
        ):
            return args[index + 1]  # combined flags such as ``bash -lc "…"``
    return None


def _flag(args: list[str], short: str, *long: str) -> bool:
    return any(
        a in long or (a.startswith("-") and not a.startswith("--") and short in a[1:]) for a in args
    )


# ----- programs that write ------------------------------------------------------------------


def _tee(analysis, program, args, cwd):
    _files(analysis, analysis.writes, _positional(args), cwd, program)


def _touch(analysis, program, args, cwd):
    _files(
        analysis,
        analysis.writes,
        _positional(args, frozenset({"-d", "-r", "-t", "--date", "--reference"})),
        cwd,
        program,
    )


def _truncate(analysis, program, args, cwd):
    _files(
        analysis,
        analysis.writes,
        _positional(args, frozenset({"-s", "-r", "--size", "--reference"})),
        cwd,
        program,
    )


def _rm(analysis, program, args, cwd):
    recursive = _flag(args, "r", "--recursive") or _flag(args, "R")
    _files(analysis, analysis.writes, _positional(args), cwd, program, recursive)


def _copy(analysis, program, args, cwd):
    """cp/mv/install/ln: the destination is written; sources are read (and removed, for mv)."""
    takes = frozenset(
        {
            "-t",
            "--target-directory",
            "-S",
            "--suffix",
            "-m",
            "--mode",
            "-o",
            "--owner",
            "-g",
            "--group",
        }
    )
    paths = _positional(args, takes)
    target_dir = _option_value(args, "-t") if "-t" in args else None
    recursive = _flag(args, "r", "--recursive") or _flag(args, "R") or _flag(args, "a", "--archive")
    if target_dir is None:
        if len(paths) < 2:
            analysis.problems.append(f"{program} without a source and a destination")
            return
        sources, destination = paths[:-1], paths[-1]
    else:
        sources, destination = paths, target_dir
    resolved = _resolve(destination, cwd)
    if resolved is None:
        analysis.problems.append(f"{program} destination depends on the environment")
        return
    dest = resolved[0]
    into_dir = (
        target_dir is not None
        or destination.endswith("/")
        or os.path.isdir(dest)
        or len(sources) > 1
    )
    for source in sources:
        found = _resolve(source, cwd)
        if found is None:
            analysis.problems.append(f"{program} source depends on the environment")
            continue
        for path in found:
            is_dir = os.path.isdir(path)
            written = posixpath.join(dest, posixpath.basename(path)) if into_dir else dest
            analysis.writes.append(Target(written, program, recursive or is_dir))
            if program == "mv":
                analysis.writes.append(Target(path, program, is_dir))
            elif program != "ln":
                analysis.reads.append(Target(path, program, is_dir))


def _sed(analysis, program, args, cwd):
    in_place = any(
        a == "-i"
        or a.startswith("-i")
        or a.startswith("--in-place")
        or (a.startswith("-") and not a.startswith("--") and "i" in a[1:])
        for a in args
    )
    takes = frozenset({"-e", "-f", "--expression", "--file", "-l", "--line-length"})
    paths = _positional(args, takes)
    if not any(a in ("-e", "-f") or a.startswith(("--expression", "--file")) for a in args):
        paths = paths[1:]  # the first positional argument is the script
    bucket = analysis.writes if in_place else analysis.reads
    _files(analysis, bucket, paths, cwd, program)


def _perl(analysis, program, args, cwd):
    if not any(a.startswith("-") and not a.startswith("--") and "i" in a[1:] for a in args):
        analysis.unanalysed.append(program)
        return
    paths = _positional(args, frozenset({"-e", "-E", "-M", "-I"}))
    if not _flag(args, "e") and not _flag(args, "E"):
        paths = paths[1:]  # the script file
    _files(analysis, analysis.writes, paths, cwd, program)


def _dd(analysis, program, args, cwd):
    for arg in args:
        if arg.startswith("of="):
            _add(analysis, analysis.writes, arg[3:], cwd, program)
        elif arg.startswith("if="):
            _add(analysis, analysis.reads, arg[3:], cwd, program)


def _find(analysis, program, args, cwd):
    actions = {
        "-delete",
        "-exec",
        "-execdir",
        "-ok",
        "-okdir",
        "-fprint",
        "-fprint0",
        "-fprintf",
        "-fls",
    }
    if any(a in actions for a in args):
        analysis.unanalysed.append(program)


def _git(analysis, program, args, cwd):
    index = 0
    while index < len(args) and args[index].startswith("-"):
        if args[index] in ("-C", "-c", "--git-dir", "--work-tree", "--namespace"):
            if args[index] == "-C" and index + 1 < len(args):
                resolved = _resolve(args[index + 1], cwd)
                cwd = resolved[0] if resolved else cwd
            index += 1
        index += 1
    if index >= len(args):
        return
    sub, rest = args[index], args[index + 1 :]
    if sub in ("rm", "mv"):
        paths = _positional(rest)
        _files(analysis, analysis.writes, paths, cwd, f"git {sub}", _flag(rest, "r"))
    elif sub == "config":
        if not any(a.startswith(("--get", "--list", "-l", "--show")) for a in rest):
            common = git_common_dir(find_root(cwd))
            config = (
                posixpath.join(str(common), "config")
                if common
                else posixpath.join(cwd, ".git/config")
            )
            analysis.writes.append(Target(config, "git config"))
    elif sub not in GIT_READ_ONLY:
        analysis.unanalysed.append(f"git {sub}")


_PRINTER_VALUES = {  # options that take a value, per printer
    "head": "-n -c --lines --bytes",
    "tail": "-n -c --lines --bytes",
    "sort": "-k -t -o -S -T --key --field-separator --output",
    "cut": "-d -f -c -b --delimiter --fields",
    "fold": "-w --width",
    "fmt": "-w --width",
    "xxd": "-l -s -c -g",
    "od": "-N -j -t -A",
    "hexdump": "-n -s -e -f",
    "strings": "-n -t",
    "column": "-s -c",
    "nl": "-w -s -v -i -b",
}


def _printer(analysis, program, args, cwd):
    """Programs that print their file arguments (``sort -o FILE`` also writes one)."""
    takes = frozenset(_PRINTER_VALUES.get(program, "").split())
    _files(analysis, analysis.reads, _positional(args, takes), cwd, program)
    output = _option_value(args, "-o") if program == "sort" else None
    if output is not None:
        _add(analysis, analysis.writes, output, cwd, program)


def _search(analysis, program, args, cwd):
    takes = frozenset(
        {
            "-e",
            "-f",
            "-m",
            "-A",
            "-B",
            "-C",
            "--regexp",
            "--file",
            "--max-count",
            "-g",
            "--glob",
            "-t",
            "--type",
            "--include",
            "--exclude",
        }
    )
    paths = _positional(args, takes)
    if not any(a in ("-e", "-f", "--regexp", "--file") for a in args):
        paths = paths[1:]  # the first positional argument is the pattern
    recursive = (
        program in ("rg", "ag", "ack") or _flag(args, "r", "--recursive") or _flag(args, "R")
    )
    _files(analysis, analysis.reads, paths, cwd, program, recursive)


def _awk(analysis, program, args, cwd):
    analysis.unanalysed.append(program)  # awk programs can write files themselves


_HANDLERS = {
    "tee": _tee,
    "touch": _touch,
    "truncate": _truncate,
    "rm": _rm,
    "unlink": _rm,
    "rmdir": _rm,
    "cp": _copy,
    "mv": _copy,
    "install": _copy,
    "ln": _copy,
    "sed": _sed,
    "gsed": _sed,
    "perl": _perl,
    "dd": _dd,
    "find": _find,
    "git": _git,
    "awk": _awk,
    "gawk": _awk,
}
