"""What each program of a shell command does to files: the per-program half of hooks/shell.

:func:`run` gets one simple command's words (after bash's expansions; an ``Unknown`` word is
one whose value depends on the environment) and records its writes and reads in the
:class:`~ringfence.hooks.shell.Run`. Writes: ``tee``, ``sed -i`` and sed's ``w``/``W``
commands, ``perl -i``, ``cp``/``mv``/``install``/``ln``/``rsync`` (``-t DIR``, ``-tDIR``,
``--target-directory=DIR``), ``rm``, ``touch``, ``truncate``, ``mkdir``, ``mkfifo``,
``chmod``/``chown``, ``dd of=``, ``curl -o``, ``wget -O``, ``sort -o``, ``find -fprint``, ``git
rm``/``mv``/``config``/``remote add``/``branch -u``. Reads (what prints a file): ``cat`` and
the other printers, searchers, sed's ``r``/``R``, and git's ``show``, ``cat-file``, ``grep``,
``log -p``, ``blame``, ``diff`` (:func:`_git_reads`). Scripts handed to a shell (``-c``,
stdin, ``eval``) are analysed in turn; sed's ``e`` runs a command: a problem.
"""

from __future__ import annotations

import os
import posixpath

from ringfence.hooks.shell_words import Unknown

READ_ONLY = frozenset(
    "ls pwd echo printf true false test [ [[ which type whoami date uname wc stat file du df "
    "tree realpath readlink dirname basename sleep exit export set unset read clear ps man help "
    "id hostname seq yes tput : popd dirs shift return local declare typeset alias unalias "
    "hash history jobs wait kill trap umask ulimit printenv env".split()
)
PRINTERS = frozenset(
    "cat head tail less more nl tac bat batcat base64 base32 xxd hexdump od strings sort uniq "
    "cut paste fold fmt rev diff cmp column md5sum sha1sum sha256sum sha512sum iconv expand "
    "unexpand tr jq yq".split()
)
RESERVED = frozenset(
    "if then elif else fi do done while until for case esac in function select { } !".split()
)
SEARCHERS = frozenset({"grep", "egrep", "fgrep", "rg", "ag", "ack", "zgrep"})
SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "busybox"})
_WRAPPER_VALUES = {  # wrapper: options that take a value
    "sudo": "-u -g -h -p -C -D -r -t -U --user --group --host --prompt --chdir",
    "doas": "-u -C",
    "env": "-u -C -S --unset --chdir --split-string",
    "nice": "-n --adjustment",
    "nohup": "",
    "time": "-f -o --format --output",
    "timeout": "-s -k --signal --kill-after",
    "stdbuf": "-i -o -e --input --output --error",
    "command": "",
    "builtin": "",
    "exec": "-a",
    "ionice": "-c -n -p -t",
    "chrt": "",
    "setsid": "",
    "unbuffer": "",
    "caffeinate": "",
}
_PRINTER_VALUES = {
    "head": "-n -c --lines --bytes",
    "tail": "-n -c -s --lines --bytes --sleep-interval --pid",
    "sort": "-k -t -o -S -T --key --field-separator --output --buffer-size",
    "cut": "-d -f -c -b --delimiter --fields --characters --bytes",
    "fold": "-w --width",
    "fmt": "-w --width",
    "xxd": "-l -s -c -g",
    "od": "-N -j -t -A",
    "hexdump": "-n -s -e -f",
    "strings": "-n -t",
    "column": "-s -c",
    "nl": "-w -s -v -i -b",
    "diff": "-U -C --label -x -X",
    "iconv": "-f -t",
    "tr": "",
    "jq": "--arg --argjson --slurpfile --rawfile -f --from-file",
}
_SEARCH_VALUES = (
    "-e -f -m -A -B -C -g -t -T --regexp --file --max-count --glob --type --type-not "
    "--include --exclude --exclude-dir --after-context --before-context --context -d -D "
    "--directories --devices --color --colour"
)


def run(run, argv: list[str], state, stdin, depth: int):
    """Record what one simple command does; return its static output (for a pipeline)."""
    argv, state = _unwrap(run, argv, state)
    if not argv:
        return None
    name = argv[0]
    if isinstance(name, Unknown):
        run.analysis.problem("a program name that depends on the environment")
        return None
    if name in RESERVED:
        # tree-sitter-bash reads ``! if …; then cmd; fi`` and ``! { cmd; }`` as commands
        # named ``if``, ``then``, ``{``… without an error: what follows the word still runs
        run.analysis.problem("the bash grammar misplaced a reserved word")
        return globals()["run"](run, argv[1:], state, stdin, depth) if len(argv) > 1 else None
    program = posixpath.basename(name)
    args = argv[1:]
    handler = _HANDLERS.get(program)
    if handler is not None:
        return handler(run, program, args, state, stdin, depth)
    if program in PRINTERS:
        return _printer(run, program, args, state, stdin)
    if program in SEARCHERS:
        _search(run, program, args, state)
    elif program not in READ_ONLY:
        run.analysis.unanalysed.append(program)
    return None


# ----- options --------------------------------------------------------------------------------


def parse_options(args: list[str], takes: str = "") -> tuple[list[str], list[tuple[str, str]]]:
    """GNU-style options: ``(positional, [(option, value)])``. ``takes`` lists the options that
    take a value (``-t DIR``, ``-tDIR``, ``--target-directory DIR``, ``--target-directory=DIR``);
    short options cluster (``-rf``); ``--`` ends options."""
    valued = frozenset(takes.split())
    positional: list[str] = []
    options: list[tuple[str, str]] = []
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        if isinstance(arg, Unknown) or arg == "-" or not arg.startswith("-"):
            positional.append(arg)
        elif arg == "--":
            positional.extend(args[index:])
            break
        elif arg.startswith("--"):
            key, equals, value = arg.partition("=")
            if not equals and key in valued and index < len(args):
                value, index = args[index], index + 1
            options.append((key, value))
        else:
            for at, char in enumerate(arg[1:], start=1):
                if f"-{char}" in valued:
                    value = arg[at + 1 :]
                    if not value and index < len(args):
                        value, index = args[index], index + 1
                    options.append((f"-{char}", value))
                    break
                options.append((f"-{char}", ""))
    return positional, options


def _has(options, *names: str) -> bool:
    return any(name in names for name, _ in options)


def _value(options, *names: str) -> str | None:
    found = [value for name, value in options if name in names]
    return found[-1] if found else None


# ----- wrappers, shells, directories ---------------------------------------------------------


def _unwrap(run, argv: list[str], state):
    """Drop ``VAR=value`` words and wrappers (``sudo``, ``env -C DIR``, ``timeout 5``…)."""
    while argv:
        name = argv[0]
        program = posixpath.basename(name) if not isinstance(name, Unknown) else None
        if program == "env" or program in _WRAPPER_VALUES:
            rest = argv[1:]
            if program in ("env", "nice", "sudo", "doas", "exec", "stdbuf", "time", "timeout"):
                positional, options = _leading_options(rest, _WRAPPER_VALUES[program])
            else:
                positional, options = rest, []
            directory = _value(options, "-C", "--chdir", "-D")
            if directory is not None:
                state = state.copy()
                state.move(
                    None if isinstance(directory, Unknown) else posixpath.join(state.cwd, directory)
                )
            if _has(options, "-S", "--split-string"):
                run.analysis.problem("env -S splits a string into a command")
                run.raw_mentions(_value(options, "-S", "--split-string") or "", state)
            while program == "env" and positional and _is_assignment(positional[0]):
                positional = positional[1:]
            if program == "timeout" and positional:
                positional = positional[1:]  # the duration
            argv = positional
        elif _is_assignment(name):
            argv = argv[1:]
        else:
            break
    return argv, state


def _leading_options(args: list[str], takes: str):
    """Options before the wrapped command (its own options are not the wrapper's)."""
    valued = frozenset(takes.split())
    index = 0
    options = []
    while (
        index < len(args) and not isinstance(args[index], Unknown) and args[index].startswith("-")
    ):
        arg = args[index]
        index += 1
        if arg == "--":
            break
        key, equals, value = arg.partition("=")
        if not equals and key in valued and index < len(args):
            value, index = args[index], index + 1
        elif not key.startswith("--") and len(key) > 2 and key[:2] in valued:
            key, value = key[:2], arg[2:]
        options.append((key, value))
    return args[index:], options


def _is_assignment(word: str) -> bool:
    name, equals, _ = word.partition("=")
    return bool(equals) and name.replace("_", "a").isalnum() and not name[:1].isdigit()


def _shell(run, program, args, state, stdin, depth):
    """``sh -c SCRIPT``, ``bash -s``/``bash`` reading a script on stdin, ``bash FILE``."""
    if program == "busybox":
        if not args or args[0] not in SHELLS:
            run.analysis.unanalysed.append(program)
            return None
        program, args = args[0], args[1:]
    index, script = 0, None
    while index < len(args):
        arg = args[index]
        if isinstance(arg, Unknown) or not arg.startswith(("-", "+")) or arg in ("-", "--"):
            break
        if arg in ("-o", "+o", "-O", "+O", "--rcfile", "--init-file"):
            index += 2
            continue
        if not arg.startswith("--") and "c" in arg[1:]:
            script = args[index + 1] if index + 1 < len(args) else ""
            break
        index += 1
    if script is not None:
        _nested(run, script, state, depth, f"{program} -c")
        return None
    rest = args[index:]
    if rest and rest[0] not in ("-", "--") and not _has_s(args[:index]):
        run.analysis.unanalysed.append(program)  # a script file: its content is its own
        return None
    if stdin is None:
        return None
    _nested(run, stdin, state, depth, f"a script piped into {program}")
    return None


def _has_s(options: list[str]) -> bool:
    return any(not a.startswith("--") and "s" in a[1:] for a in options if a.startswith("-"))


def _nested(run, script, state, depth: int, what: str) -> None:
    if isinstance(script, Unknown):
        run.analysis.problem(f"{what} runs a script built at run time")
        run.raw_mentions(script, state)
    run.script(str(script), state.copy(), depth + 1)


def _eval(run, program, args, state, stdin, depth):
    _nested(run, _join(args), state, depth, "eval")


def _join(args: list[str]) -> str:
    text = " ".join(args)
    return Unknown(text) if any(isinstance(a, Unknown) for a in args) else text


def _source(run, program, args, state, stdin, depth):
    run.analysis.unanalysed.append(program)


def _cd(run, program, args, state, stdin, depth):
    positional, _ = parse_options(args)
    if program == "popd":
        if state.stack:
            state.move(state.stack.pop())
        return None
    if program == "pushd":
        if not positional:
            if state.stack:
                top = state.stack.pop()
                state.stack.append(state.cwd)
                state.move(top)
            return None
        if positional[0][:1] in ("+", "-") and positional[0][1:].isdigit():
            state.move(None)  # rotating the stack: not followed
            return None
        state.stack.append(state.cwd)
    target = positional[0] if positional else "~"
    if target == "-" and program == "cd":
        if state.oldpwd is None:
            state.move(None)  # OLDPWD from before the command: unknown here
        else:
            state.move(state.oldpwd)
        return None
    if isinstance(target, Unknown):
        state.move(None)
        return None
    if target.startswith("~"):
        target = os.path.expanduser(target)
    state.move(posixpath.join(state.cwd, target))
    return None


# ----- programs that print ---------------------------------------------------------------------


def _echo(run, program, args, state, stdin, depth):
    if any(isinstance(a, Unknown) for a in args):
        return Unknown(" ".join(args))
    words = list(args)
    escapes = False
    while words and words[0] in ("-n", "-e", "-E", "-ne", "-en"):
        escapes = escapes or "e" in words[0]
        words = words[1:]
    text = " ".join(words) + "\n"
    return Unknown(text) if escapes and "\\" in text else text


def _printf(run, program, args, state, stdin, depth):
    positional, options = parse_options(args, "-v")
    if _has(options, "-v"):
        return None
    if len(positional) == 1 and not isinstance(positional[0], Unknown):
        text = positional[0]
        if "%" not in text and "\\" not in text:
            return text
        if "%" not in text:
            return (
                text.replace("\\n", "\n").replace("\\t", "\t")
                if "\\" not in text.replace("\\n", "").replace("\\t", "")
                else Unknown(text)
            )
    return Unknown(" ".join(args))


def _printer(run, program, args, state, stdin):
    """Programs that print their file arguments (``sort -o FILE`` also writes one)."""
    positional, options = parse_options(args, _PRINTER_VALUES.get(program, ""))
    if program == "tr":
        return None
    if program == "jq" and positional:
        positional = positional[1:]  # the filter
    for word in positional:
        if word != "-":
            run.add("read", word, state, program)
    output = _value(options, "-o", "--output") if program == "sort" else None
    if output:
        run.add("write", output, state, program)
    if program == "cat" and not positional:
        return stdin
    return None


def _search(run, program, args, state):
    positional, options = parse_options(args, _SEARCH_VALUES)
    if not _has(options, "-e", "-f", "--regexp", "--file") and positional:
        positional = positional[1:]  # the pattern
    recursive = program in ("rg", "ag", "ack") or _has(options, "-r", "-R", "--recursive")
    if recursive and not positional:
        positional = ["."]
    for word in positional:
        if word != "-":
            run.add("read", word, state, program, recursive)


# ----- programs that write ---------------------------------------------------------------------


def _writer(takes: str, skip: int = 0, recursive_flags: tuple = ()):
    """A program that writes (or deletes) each positional argument after the first ``skip``."""

    def handle(run, program, args, state, stdin, depth):
        positional, options = parse_options(args, takes)
        recursive = _has(options, *recursive_flags)
        for word in positional[skip:]:
            run.add("write", word, state, program, recursive)
        return None

    return handle


def _tee(run, program, args, state, stdin, depth):
    positional, _ = parse_options(args, "--output-error")
    for word in positional:
        run.add("write", word, state, program)
    return stdin


_COPY_VALUES = (
    "-t -S -m -o -g -Z -T --target-directory --suffix --mode --owner --group --backup "
    "--context --sparse --reflink --preserve"
)
_RSYNC_VALUES = "-e -f --rsh --exclude --include --filter --exclude-from --include-from --chmod"


def _copy(run, program, args, state, stdin, depth):
    """cp/mv/install/ln/rsync: the destination is written; sources are read (moved, for mv)."""
    takes = _RSYNC_VALUES if program == "rsync" else _COPY_VALUES
    if program == "ln":
        takes = "-t -S --target-directory --suffix --backup"
    paths, options = parse_options(args, takes)
    target_dir = _value(options, "-t", "--target-directory")
    if program == "install" and _has(options, "-d", "--directory"):
        for word in paths:
            run.add("write", word, state, program)
        return None
    recursive = _has(options, "-r", "-R", "--recursive", "-a", "--archive")
    symbolic = _has(options, "-s", "--symbolic", "--symbolic-link")
    linking = program == "ln" or (
        program == "cp" and _has(options, "-s", "-l", "--link", "--symbolic-link")
    )
    if target_dir is None:
        if len(paths) < 2:
            if program == "ln" and len(paths) == 1:  # ``ln -s TARGET``: a link named like it
                paths = [paths[0], "."]
            else:
                run.analysis.problem(f"{program} without a source and a destination")
                return None
        sources, destination = paths[:-1], paths[-1]
    else:
        sources, destination = paths, target_dir
    dest_paths = run.paths(destination, state, f"{program} destination")
    if dest_paths is None:
        return None
    dest = dest_paths[0]
    into_dir = (
        target_dir is not None
        or destination.endswith("/")
        or (os.path.isdir(dest) and not _has(options, "-T", "--no-target-directory"))
        or len(sources) > 1
    )
    created: list[tuple[str, str | None]] = []
    for source in sources:
        if isinstance(source, Unknown):
            run.paths(source, state, f"{program} source")
            written = dest if not into_dir else None
            if written is None:
                run.analysis.problem(
                    f"{program} into a directory from a source that depends on the environment"
                )
                continue
            created.append((written, None))
            continue
        found = [source] if program == "ln" and symbolic else run.paths(source, state, program)
        for path in found or []:
            is_dir = os.path.isdir(path)
            name = posixpath.basename(path.rstrip("/")) or path
            written = posixpath.join(dest, name) if into_dir else dest
            for extra in dest_paths[1:]:  # the destination through a link made earlier
                run.analysis.writes.append(
                    _target(posixpath.join(extra, name) if into_dir else extra, program)
                )
            run.analysis.writes.append(_target(written, program, recursive or is_dir))
            if program == "mv":
                run.analysis.writes.append(_target(path, program, is_dir))
            elif not linking:
                run.analysis.reads.append(_target(path, program, is_dir))
            if linking:
                created.append((written, _link_target(path, written, symbolic, state)))
    for link, target in created:
        run.link(link, target)
    return None


def _target(path, program, recursive=False):
    from ringfence.hooks.shell import Target

    return Target(path, program, recursive)


def _link_target(source: str, link: str, symbolic: bool, state) -> str | None:
    """Where a new link points: a relative symbolic target is relative to the link's directory."""
    if isinstance(source, Unknown):
        return None
    if symbolic and not source.startswith("/"):
        return posixpath.join(posixpath.dirname(link), source)
    return source if source.startswith("/") else posixpath.join(state.cwd, source)


def _dd(run, program, args, state, stdin, depth):
    for arg in args:
        if arg.startswith("of="):
            run.add(
                "write", Unknown(arg[3:]) if isinstance(arg, Unknown) else arg[3:], state, program
            )
        elif arg.startswith("if="):
            run.add(
                "read", Unknown(arg[3:]) if isinstance(arg, Unknown) else arg[3:], state, program
            )
    return None


def _perl(run, program, args, state, stdin, depth):
    positional, options = parse_options(args, "-e -E -M -I -m -l -0 -x")
    if not _has(options, "-i"):
        run.analysis.unanalysed.append(program)
        return None
    if not _has(options, "-e", "-E") and positional:
        positional = positional[1:]  # the script file
    for word in positional:
        run.add("write", word, state, program)
    return None


def _find(run, program, args, state, stdin, depth):
    for index, arg in enumerate(args):
        if arg in ("-fprint", "-fprint0", "-fprintf", "-fls") and index + 1 < len(args):
            run.add("write", args[index + 1], state, program)
    if any(a in ("-delete", "-exec", "-execdir", "-ok", "-okdir") for a in args):
        run.analysis.unanalysed.append(program)
    return None


def _curl(run, program, args, state, stdin, depth):
    takes = (
        "-o --output -T --upload-file -d --data --data-binary --data-raw --data-ascii "
        "--data-urlencode -F --form -H --header -X --request -u --user -A -e --url -K "
        "--config -b --cookie -c --cookie-jar -D --dump-header"
    )
    if program == "wget":
        takes = "-O --output-document -o --output-file -a --append-output -P --directory-prefix"
    _, options = parse_options(args, takes)
    for name, value in options:
        if name in (
            "-o",
            "--output",
            "-O",
            "--output-document",
            "-c",
            "--cookie-jar",
            "-D",
            "--dump-header",
            "--output-file",
            "--append-output",
            "-a",
        ):
            if value != "-":
                run.add("write", value, state, program)
        elif name in ("-T", "--upload-file", "-K", "--config"):
            run.add("read", value, state, program)
        elif name.startswith(("-d", "--data", "-F", "--form")) and "@" in value:
            source = value.split("@", 1)[1].split(";", 1)[0]
            if source != "-":
                run.add("read", source, state, program)
    if program == "wget" and _has(options, "-P", "--directory-prefix"):
        run.add("write", _value(options, "-P", "--directory-prefix"), state, program, True)
    return None


# ----- sed ----------------------------------------------------------------------------------------


def _sed(run, program, args, state, stdin, depth):
    args, in_place = _without_in_place(args)
    positional, options = parse_options(args, "-e -f -l --expression --file --line-length")
    scripts = [value for name, value in options if name in ("-e", "--expression")]
    if _has(options, "-f", "--file"):
        run.analysis.problem("sed reads its script from a file")
    if not scripts and not _has(options, "-f", "--file"):
        if not positional:
            return None
        scripts, positional = [positional[0]], positional[1:]
    sandbox = _has(options, "--sandbox")
    for script in scripts:
        if isinstance(script, Unknown):
            run.analysis.problem("a sed script that depends on the environment")
            continue
        effects = sed_effects(script)
        if effects is None:
            run.analysis.problem("a sed script ringfence cannot read")
            run.raw_mentions(script, state)
            continue
        for kind, value in effects:
            if sandbox:
                break
            if kind == "exec":
                run.analysis.problem("sed's e command runs a shell command")
                run.raw_mentions(value, state)
            elif value not in ("/dev/stdout", "/dev/stderr"):
                run.add(kind, value, state, "sed")
    for word in positional:
        if word != "-":
            run.add("write" if in_place else "read", word, state, program)
    return None


def _without_in_place(args: list[str]) -> tuple[list[str], bool]:
    """GNU sed's ``-i[SUFFIX]``/``--in-place[=SUFFIX]`` (the suffix is attached, never the next
    word), taken out of the arguments: ``(other arguments, in place?)``."""
    out, in_place = [], False
    for arg in args:
        if isinstance(arg, Unknown) or not arg.startswith("-") or arg == "--":
            out.append(arg)
        elif arg.startswith("--in-place"):
            in_place = True
        elif not arg.startswith("--") and "i" in arg[1:]:
            flags = arg[1 : arg.index("i", 1)]
            if all(flag in "nrEsuz" for flag in flags):
                in_place = True
                if flags:
                    out.append("-" + flags)
            else:
                out.append(arg)
        else:
            out.append(arg)
    return out, in_place


_SED_SIMPLE = frozenset("=dDgGhHlLnNpPqQxzF")


def sed_effects(script: str) -> list[tuple[str, str]] | None:
    """The files a sed script writes (``w``, ``W``, ``s///w``) or reads (``r``, ``R``), and its
    ``e`` commands: ``[("write"|"read"|"exec", text)]``; None when it cannot be read."""
    effects: list[tuple[str, str]] = []
    index, size = 0, len(script)
    while index < size:
        char = script[index]
        if char in " \t\n;{}!":
            index += 1
            continue
        if char == "#":
            index = _line_end(script, index)
            continue
        after = _skip_address(script, index)
        if after is None:
            return None
        index = after
        while index < size and script[index] in " \t!":
            index += 1
        if index >= size:
            return None
        command = script[index]
        index += 1
        if command in "{}":
            continue
        if command in _SED_SIMPLE:
            while index < size and script[index].isdigit():
                index += 1
        elif command in "aic":
            index = _text_end(script, index)
        elif command in "btT:":
            while index < size and script[index] not in ";\n":
                index += 1
        elif command in "rRwWe":
            end = _line_end(script, index)
            value = script[index:end].strip()
            kind = {"r": "read", "R": "read", "w": "write", "W": "write", "e": "exec"}[command]
            effects.append((kind, value))
            index = end
        elif command in "sy":
            after = _substitution(script, index, command, effects)
            if after is None:
                return None
            index = after
        elif command == "v":
            while index < size and script[index] not in ";\n}":
                index += 1
        else:
            return None
    return effects


def _line_end(script: str, index: int) -> int:
    end = script.find("\n", index)
    return len(script) if end < 0 else end


def _text_end(script: str, index: int) -> int:
    while index < len(script):
        if script[index] == "\\" and index + 1 < len(script):
            index += 2
            continue
        if script[index] == "\n":
            return index
        index += 1
    return index


def _skip_address(script: str, index: int) -> int | None:
    for _ in range(2):
        found = _one_address(script, index)
        if found is None:
            return None
        index = found
        if index < len(script) and script[index] == ",":
            index += 1
            continue
        break
    return index


def _one_address(script: str, index: int) -> int | None:
    size = len(script)
    if index < size and script[index] in "0123456789$+~":
        index += 1
        while index < size and (script[index].isdigit() or script[index] == "~"):
            index += 1
        return index
    if index < size and script[index] in "/\\":
        delimiter = "/"
        if script[index] == "\\":
            if index + 1 >= size:
                return None
            delimiter, index = script[index + 1], index + 1
        end = _delimited(script, index + 1, delimiter)
        if end is None:
            return None
        index = end + 1
        while index < size and script[index] in "IM":
            index += 1
    return index


def _delimited(script: str, index: int, delimiter: str) -> int | None:
    while index < len(script):
        char = script[index]
        if char == "\\":
            index += 2
            continue
        if char == delimiter:
            return index
        index += 1
    return None


def _substitution(script: str, index: int, command: str, effects: list) -> int | None:
    if index >= len(script):
        return None
    delimiter = script[index]
    first = _delimited(script, index + 1, delimiter)
    second = _delimited(script, first + 1, delimiter) if first is not None else None
    if second is None:
        return None
    index = second + 1
    if command == "y":
        return index
    while index < len(script) and script[index] not in ";\n}":
        flag = script[index]
        if flag == "w":
            end = _line_end(script, index + 1)
            effects.append(("write", script[index + 1 : end].strip()))
            return end
        if flag == "e":
            effects.append(("exec", "pattern space"))
        elif not (flag.isdigit() or flag in "gpiImM \t"):
            return None
        index += 1
    return index


# ----- git ----------------------------------------------------------------------------------------


_GIT_GLOBAL_VALUES = frozenset(
    {
        "-C",
        "-c",
        "--git-dir",
        "--work-tree",
        "--namespace",
        "--exec-path",
        "--config-env",
        "--super-prefix",
    }
)
GIT_READ_ONLY = frozenset(
    "status branch rev-parse ls-files remote describe tag shortlog fetch add commit push "
    "reflog ls-tree merge-base rev-list name-rev help version check-ignore log whatchanged "
    "show diff diff-tree diff-index diff-files blame annotate grep cat-file stash archive "
    "worktree for-each-ref show-ref symbolic-ref var count-objects fsck verify-commit "
    "check-attr check-ref-format cherry".split()
)


def _git(run, program, args, state, stdin, depth):
    index = 0
    here = state
    while (
        index < len(args) and not isinstance(args[index], Unknown) and args[index].startswith("-")
    ):
        option = args[index].split("=", 1)[0]
        if option in _GIT_GLOBAL_VALUES and "=" not in args[index]:
            if option == "-C" and index + 1 < len(args):
                here = here.copy()
                directory = args[index + 1]
                here.move(
                    None if isinstance(directory, Unknown) else posixpath.join(here.cwd, directory)
                )
            index += 1
        index += 1
    if index >= len(args):
        return None
    sub, rest = args[index], args[index + 1 :]
    if isinstance(sub, Unknown):
        run.analysis.problem("a git subcommand that depends on the environment")
        return None
    from ringfence.hooks import protected

    config = protected.git_config_write([sub, *rest])
    if config:
        run.analysis.writes.append(_target(_git_config_path(here.cwd), f"git {sub}"))
        return None
    if sub in ("rm", "mv"):
        positional, options = parse_options(rest)
        for word in positional:
            run.add("write", word, here, f"git {sub}", _has(options, "-r"))
        return None
    if sub in ("checkout", "restore") and "--" in rest:
        for word in rest[rest.index("--") + 1 :]:
            run.add("write", word, here, f"git {sub}", True)
        return None
    if sub in _GIT_READERS:
        from ringfence.hooks.shell_git import git_reads

        git_reads(run, sub, rest, here)
        return None
    if sub not in GIT_READ_ONLY:
        run.analysis.unanalysed.append(f"git {sub}")
    return None


_GIT_READERS = frozenset(
    "show log whatchanged diff diff-tree diff-index diff-files blame annotate grep cat-file "
    "archive stash".split()
)


def _git_config_path(cwd: str) -> str:
    from ringfence.policy.paths import find_root, git_common_dir

    common = git_common_dir(find_root(cwd))
    return posixpath.join(str(common), "config") if common else posixpath.join(cwd, ".git/config")


def _unanalysed(run, program, args, state, stdin, depth):
    run.analysis.unanalysed.append(program)


def _xargs(run, program, args, state, stdin, depth):
    """``… | xargs CMD``: CMD with stdin's words appended, when stdin is known."""
    positional, options = parse_options(
        args, "-a -d -E -I -L -n -P -s --arg-file --delimiter --max-args --max-procs --replace"
    )
    if not positional:
        positional = ["echo"]
    if stdin is None or isinstance(stdin, Unknown) or _has(options, "-I", "--replace", "-a"):
        run.analysis.problem("xargs runs a command with arguments read at run time")
        return None
    return run_words(run, [*positional, *stdin.split()], state, depth)


def run_words(run, argv, state, depth):
    return globals()["run"](run, argv, state, None, depth)


_HANDLERS = {
    "cd": _cd,
    "pushd": _cd,
    "popd": _cd,
    "eval": _eval,
    "source": _source,
    ".": _source,
    "echo": _echo,
    "printf": _printf,
    "tee": _tee,
    "touch": _writer("-d -r -t --date --reference"),
    "truncate": _writer("-s -r --size --reference"),
    "rm": _writer("", 0, ("-r", "-R", "--recursive")),
    "unlink": _writer(""),
    "rmdir": _writer("", 0, ("-p",)),
    "shred": _writer("-n -s --iterations --size"),
    "mkdir": _writer("-m --mode"),
    "mkfifo": _writer("-m --mode"),
    "mknod": _writer("-m --mode", 0),
    "chmod": _writer("--reference", 1, ("-R", "--recursive")),
    "chown": _writer("--reference --from", 1, ("-R", "--recursive")),
    "chgrp": _writer("--reference", 1, ("-R", "--recursive")),
    "cp": _copy,
    "mv": _copy,
    "install": _copy,
    "ln": _copy,
    "rsync": _copy,
    "sed": _sed,
    "gsed": _sed,
    "perl": _perl,
    "dd": _dd,
    "find": _find,
    "git": _git,
    "curl": _curl,
    "wget": _curl,
    "xargs": _xargs,
    "awk": _unanalysed,
    "gawk": _unanalysed,
    "mawk": _unanalysed,
    **{shell: _shell for shell in SHELLS},
}
