// Server discovery order, candidate commands and the not-found message (src/discovery.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { type Candidate, candidates, commandLine, discover, type DiscoveryInputs, expandSetting, findOnPath, isPython, notFoundMessage } from "../../src/discovery";

function inputs(over: Partial<DiscoveryInputs> = {}, executables: string[] = []): DiscoveryInputs {
  return {
    env: { PATH: "/usr/local/bin:/usr/bin" },
    home: "/home/dev",
    workspaceFolder: "/work/repo",
    platform: "linux",
    isExecutable: (file) => executables.includes(file),
    ...over,
  };
}

const answers = (table: Record<string, string | Error>) => async (c: Candidate) => {
  const answer = table[c.command];
  if (answer === undefined || answer instanceof Error) {
    throw answer ?? new Error(`spawn ${c.command} ENOENT`);
  }
  return answer;
};

test("the order is setting, Python interpreter, PATH", () => {
  const got = candidates(inputs({ setting: "/opt/rf/bin/ringfence", python: ["/venv/bin/python"] }, ["/usr/bin/ringfence"]));
  assert.deepEqual(got.candidates, [
    { source: "setting", command: "/opt/rf/bin/ringfence", args: [] },
    { source: "python", command: "/venv/bin/python", args: ["-m", "ringfence"] },
    { source: "path", command: "/usr/bin/ringfence", args: [] },
  ]);
  assert.deepEqual(got.failures, []);
});

test("a setting that names a Python interpreter runs the module", () => {
  const got = candidates(inputs({ setting: "${workspaceFolder}/.venv/bin/python3.11" }));
  assert.deepEqual(got.candidates[0], { source: "setting", command: "/work/repo/.venv/bin/python3.11", args: ["-m", "ringfence"] });
  assert.deepEqual(commandLine(got.candidates[0], "lsp"), ["/work/repo/.venv/bin/python3.11", "-m", "ringfence", "lsp"]);
});

test("the Python extension's argv keeps its own arguments", () => {
  const got = candidates(inputs({ python: ["/usr/bin/conda", "run", "-n", "ml", "python"] }));
  assert.deepEqual(got.candidates[0], { source: "python", command: "/usr/bin/conda", args: ["run", "-n", "ml", "python"] });
});

test("settings expand ~, ${userHome}, ${workspaceFolder} and ${env:NAME}", () => {
  const base = { home: "/home/dev", workspaceFolder: "/w", env: { VENV: "/v" } };
  assert.equal(expandSetting("~/bin/ringfence", base), "/home/dev/bin/ringfence");
  assert.equal(expandSetting("${userHome}/x", base), "/home/dev/x");
  assert.equal(expandSetting(" ${workspaceFolder}/.venv/bin/ringfence ", base), "/w/.venv/bin/ringfence");
  assert.equal(expandSetting("${env:VENV}/bin/python", base), "/v/bin/python");
  assert.equal(expandSetting("${workspaceFolder}/x", { ...base, workspaceFolder: undefined }), "${workspaceFolder}/x");
});

test("python names are recognised, ringfence and other tools are not", () => {
  for (const name of ["/usr/bin/python", "python3", "/x/python3.12", "C:\\Py\\python.exe", "pythonw.exe"]) {
    assert.equal(isPython(name), true, name);
  }
  for (const name of ["/usr/bin/ringfence", "/x/python-config", "/x/ipython", "/x/conda"]) {
    assert.equal(isPython(name), false, name);
  }
});

test("PATH lookup takes the first executable, with PATHEXT on Windows", () => {
  const linux = inputs({ env: { PATH: "/a::/b:/c" } }, ["/b/ringfence", "/c/ringfence"]);
  assert.equal(findOnPath("ringfence", linux), "/b/ringfence");
  const win = inputs({ platform: "win32", env: { Path: "C:\\a;C:\\b", PATHEXT: ".COM;.EXE" } }, ["C:\\b\\ringfence.exe"]);
  assert.equal(findOnPath("ringfence", win), "C:\\b\\ringfence.exe");
  assert.equal(findOnPath("ringfence", inputs()), undefined);
});

test("discovery skips a broken setting and uses the next candidate that answers", async () => {
  const result = await discover(
    inputs({ setting: "/broken/ringfence", python: ["/venv/bin/python"] }, ["/usr/bin/ringfence"]),
    answers({ "/broken/ringfence": new Error("spawn /broken/ringfence ENOENT"), "/venv/bin/python": "ringfence 0.1.0\n" }),
  );
  assert.equal(result.found?.source, "python");
  assert.equal(result.version, "0.1.0");
  assert.deepEqual(result.failures.map((f) => [f.source, f.reason]), [["setting", "spawn /broken/ringfence ENOENT"]]);
});

test("a program that does not answer like ringfence is not used", async () => {
  const result = await discover(inputs({ setting: "/usr/bin/true" }, ["/usr/bin/ringfence"]), answers({ "/usr/bin/true": "", "/usr/bin/ringfence": "ringfence 2.0.1" }));
  assert.equal(result.found?.command, "/usr/bin/ringfence");
  assert.match(result.failures[0].reason, /does not answer 'ringfence X\.Y\.Z'/);
});

test("when nothing works, one message names every source in order and the fix", async () => {
  const result = await discover(
    inputs({ python: ["/usr/bin/python3"] }),
    answers({ "/usr/bin/python3": new Error("/usr/bin/python3: No module named ringfence") }),
  );
  assert.equal(result.found, undefined);
  const message = notFoundMessage(result);
  assert.match(message, /language server was not found/);
  const setting = message.indexOf("ringfence.server.path: not set");
  const python = message.indexOf("Python interpreter (/usr/bin/python3 -m ringfence): /usr/bin/python3: No module named ringfence");
  const path = message.indexOf("PATH: 'ringfence' is not on PATH");
  assert.ok(setting >= 0 && python > setting && path > python, message);
  assert.match(message, /pip install ringfence\) or set ringfence\.server\.path\.$/);
});
