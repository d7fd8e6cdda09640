/**
 * Finding the ringfence language server: the `ringfence.server.path` setting, then the Python
 * extension's selected interpreter (`python -m ringfence`), then `ringfence` on PATH. The first
 * candidate whose `--version` answers `ringfence X.Y.Z` is used. Pure: file-system checks and
 * process probes are passed in, so the order and the messages are unit-tested without VS Code.
 */

import * as path from "node:path";

export type CandidateSource = "setting" | "python" | "path";

/** A way to run `ringfence`: append a subcommand (`lsp`, `export`) to `command` + `args`. */
export interface Candidate {
  source: CandidateSource;
  command: string;
  args: string[];
}

export interface DiscoveryInputs {
  /** The `ringfence.server.path` setting, raw. */
  setting?: string;
  /** The Python extension's interpreter as an argv (e.g. `["/repo/.venv/bin/python"]`), if any. */
  python?: string[];
  /** `PATH` (and on Windows `PATHEXT`) of the extension host. */
  env: Record<string, string | undefined>;
  workspaceFolder?: string;
  home: string;
  platform: NodeJS.Platform;
  isExecutable: (file: string) => boolean;
}

export interface Failure {
  candidate?: Candidate;
  source: CandidateSource;
  reason: string;
}

export interface DiscoveryResult {
  found?: Candidate;
  version?: string;
  failures: Failure[];
}

/** Answers `[...command, ...args, "--version"]`: resolves with stdout, rejects with a one-line reason. */
export type Probe = (candidate: Candidate) => Promise<string>;

const PYTHON_NAME = /^(python|pythonw|python\d+(\.\d+)*)(\.exe)?$/i;
const VERSION = /^ringfence (\S+)/m;

/** Whether a path names a Python interpreter, which then runs ringfence as `-m ringfence`. */
export function isPython(file: string): boolean {
  return PYTHON_NAME.test(path.basename(file.replace(/\\/g, "/")));
}

/** `${workspaceFolder}`, `${userHome}`, `${env:NAME}` and a leading `~` expanded. */
export function expandSetting(value: string, inputs: Pick<DiscoveryInputs, "workspaceFolder" | "home" | "env">): string {
  let out = value.trim();
  if (out === "~" || out.startsWith("~/") || out.startsWith("~\\")) {
    out = inputs.home + out.slice(1);
  }
  return out.replace(/\$\{(workspaceFolder|userHome|env:([^}]+))\}/g, (whole, name: string, envName?: string) => {
    if (envName !== undefined) {
      return inputs.env[envName] ?? "";
    }
    if (name === "userHome") {
      return inputs.home;
    }
    return inputs.workspaceFolder ?? whole;
  });
}

/** The first executable called `name` on PATH (with PATHEXT on Windows). */
export function findOnPath(name: string, inputs: Pick<DiscoveryInputs, "env" | "platform" | "isExecutable">): string | undefined {
  const windows = inputs.platform === "win32";
  const separator = windows ? ";" : ":";
  const pathValue = inputs.env.PATH ?? inputs.env.Path ?? "";
  const extensions = windows ? (inputs.env.PATHEXT ?? ".EXE;.CMD;.BAT").split(";").filter(Boolean) : [""];
  const join = windows ? path.win32.join : path.posix.join;
  for (const dir of pathValue.split(separator)) {
    if (!dir) {
      continue;
    }
    for (const ext of extensions) {
      const file = join(dir, name + ext.toLowerCase());
      if (inputs.isExecutable(file)) {
        return file;
      }
    }
  }
  return undefined;
}

/** A candidate for one executable: Python interpreters run the module, anything else is the CLI. */
function candidateFor(source: CandidateSource, argv: string[]): Candidate {
  const [command, ...rest] = argv;
  const args = isPython(command) ? [...rest, "-m", "ringfence"] : rest;
  return { source, command, args };
}

/** The candidates in discovery order, with a failure recorded for each source that offers none. */
export function candidates(inputs: DiscoveryInputs): { candidates: Candidate[]; failures: Failure[] } {
  const out: Candidate[] = [];
  const failures: Failure[] = [];
  const setting = inputs.setting ? expandSetting(inputs.setting, inputs) : "";
  if (setting) {
    out.push(candidateFor("setting", [setting]));
  } else {
    failures.push({ source: "setting", reason: "not set" });
  }
  if (inputs.python && inputs.python.length > 0) {
    out.push(candidateFor("python", inputs.python));
  } else {
    failures.push({ source: "python", reason: "no interpreter selected in the Python extension" });
  }
  const onPath = findOnPath("ringfence", inputs);
  if (onPath) {
    out.push(candidateFor("path", [onPath]));
  } else {
    failures.push({ source: "path", reason: "'ringfence' is not on PATH" });
  }
  return { candidates: out, failures };
}

/** Probes the candidates in order and returns the first that answers like ringfence. */
export async function discover(inputs: DiscoveryInputs, probe: Probe): Promise<DiscoveryResult> {
  const { candidates: list, failures } = candidates(inputs);
  const tried: Failure[] = [];
  for (const candidate of list) {
    try {
      const stdout = await probe(candidate);
      const version = VERSION.exec(stdout)?.[1];
      if (version) {
        return { found: candidate, version, failures: [...tried, ...failures] };
      }
      tried.push({ candidate, source: candidate.source, reason: "its --version does not answer 'ringfence X.Y.Z'" });
    } catch (error) {
      tried.push({ candidate, source: candidate.source, reason: oneLine(error) });
    }
  }
  return { failures: [...tried, ...failures] };
}

/** The argv that runs a ringfence subcommand with a found candidate. */
export function commandLine(candidate: Candidate, ...subcommand: string[]): string[] {
  return [candidate.command, ...candidate.args, ...subcommand];
}

const SOURCE_LABEL: Record<CandidateSource, string> = {
  setting: "ringfence.server.path",
  python: "Python interpreter",
  path: "PATH",
};

/** The one notification shown when no candidate works: what was tried and how to fix it. */
export function notFoundMessage(result: DiscoveryResult): string {
  const order: CandidateSource[] = ["setting", "python", "path"];
  const tried = order
    .flatMap((source) => result.failures.filter((f) => f.source === source))
    .map((f) => `${SOURCE_LABEL[f.source]}${f.candidate ? ` (${commandLine(f.candidate).join(" ")})` : ""}: ${f.reason}`);
  return (
    "ringfence: the language server was not found, so restricted zones are not checked in this window. " +
    `Tried ${tried.join("; ")}. Install it (pip install ringfence) or set ringfence.server.path.`
  );
}

export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const first = text.split(/\r?\n/).find((line) => line.trim() !== "") ?? text;
  return first.trim();
}
