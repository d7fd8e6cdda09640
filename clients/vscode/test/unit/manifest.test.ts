// The extension manifest: palette commands, keybindings and settings (package.json).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { SERVER_COMMANDS } from "../../src/protocol";

const manifest = JSON.parse(readFileSync("package.json", "utf8"));
const contributes = manifest.contributes;
const commandIds: string[] = contributes.commands.map((c: { command: string }) => c.command);
const sources = ["extension", "commands", "editOrigins"].map((name) => readFileSync(`src/${name}.ts`, "utf8")).join("\n");

test("the server's executeCommand ids are never contributed or registered by the extension", () => {
  for (const id of Object.values(SERVER_COMMANDS)) {
    assert.ok(!commandIds.includes(id), id);
    assert.ok(!sources.includes(`registerCommand("${id}"`), id);
  }
});

test("every palette command is in the ringfence category and registered", () => {
  for (const command of contributes.commands) {
    assert.equal(command.category, "ringfence", command.command);
    assert.ok(sources.includes(`"${command.command}"`), `${command.command} is not registered`);
  }
  for (const id of ["explain", "tagProvenanceAtCursor", "revertAtCursor", "handoffAtCursor", "markReviewedAtCursor", "exportExclusions", "restart", "showOutput"]) {
    assert.ok(commandIds.includes(`ringfence.${id}`), id);
  }
});

test("Tab accepts through the wrapper with the built-in when-clause", () => {
  const tab = contributes.keybindings.find((k: { key: string }) => k.key === "tab");
  assert.equal(tab.command, "ringfence.acceptInlineSuggestion");
  assert.match(tab.when, /^inlineSuggestionVisible && .*!editor\.hasSelection && inlineSuggestionHasIndentationLessThanTabSize$/);
  for (const binding of contributes.keybindings) {
    assert.ok(commandIds.includes(binding.command), binding.command);
  }
});

test("every setting has a description and a scope, and the required ones exist", () => {
  const properties = contributes.configuration.properties;
  for (const key of [
    "server.path",
    "heuristics.enabled",
    "heuristics.minLines",
    "heuristics.minChars",
    "history.enabled",
    "inlineSuggestions.prevent",
    "inlineSuggestions.pauseProviders",
    "trace.server",
  ]) {
    const setting = properties[`ringfence.${key}`];
    assert.ok(setting, key);
    assert.ok(setting.description || setting.markdownDescription, key);
    assert.ok(["window", "resource", "machine", "machine-overridable", "application"].includes(setting.scope), key);
  }
});

test("activation covers every file at start-up and the engine matches the language client", () => {
  assert.deepEqual(manifest.activationEvents, ["onStartupFinished"]);
  assert.equal(manifest.engines.vscode, "^1.82.0");
  assert.equal(manifest.devDependencies["@types/vscode"], "1.82.0");
});

test("the prevent setting offers block, warn and off, block by default", () => {
  const prevent = contributes.configuration.properties["ringfence.inlineSuggestions.prevent"];
  assert.deepEqual(prevent.enum, ["block", "warn", "off"]);
  assert.equal(prevent.default, "block");
  assert.equal(prevent.enumDescriptions.length, 3);
});
