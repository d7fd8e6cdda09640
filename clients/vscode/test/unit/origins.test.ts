// Classifying why a document changed (src/origins.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { ChatActivity, classifyChange, classifyDetailed, guessToolFromExtensions, isChatEditingScheme, toolForExtension } from "../../src/origins";

const facts = { detailedAvailable: false, chatActive: false, saving: false, chatTool: "copilot" };

test("known AI extensions map to canonical tool ids, others keep their id", () => {
  assert.equal(toolForExtension("GitHub.copilot"), "copilot");
  assert.equal(toolForExtension("github.copilot-chat"), "copilot");
  assert.equal(toolForExtension("Anthropic.claude-code"), "claude-code");
  assert.equal(toolForExtension("acme.metacode"), "acme.metacode");
  assert.equal(toolForExtension(undefined), "unknown");
});

test("without the proposed API the tool is the one active known AI extension", () => {
  assert.equal(guessToolFromExtensions(["vscode.git", "GitHub.copilot", "GitHub.copilot-chat"]), "copilot");
  assert.equal(guessToolFromExtensions(["GitHub.copilot", "Codeium.codeium"]), "unknown");
  assert.equal(guessToolFromExtensions(["vscode.git"]), "unknown");
});

test("detailed reasons: inline accepts and chat edits are AI with the extension's tool and model", () => {
  assert.deepEqual(classifyDetailed({ source: "inlineCompletionAccept", metadata: { $extensionId: "GitHub.copilot" } }), {
    origin: "ai",
    kind: "inline-completion",
    tool: "copilot",
  });
  assert.deepEqual(classifyDetailed({ source: "inlineCompletionPartialAccept", metadata: {} }), {
    origin: "ai",
    kind: "inline-completion",
    tool: "unknown",
  });
  assert.deepEqual(classifyDetailed({ source: "Chat.applyEdits", metadata: { $modelId: "copilot|gpt-5" } }), {
    origin: "ai",
    kind: "chat-edit",
    tool: "copilot",
    model: "copilot/gpt-5",
  });
});

test("detailed reasons: paste, format, chat undo, reload and typing", () => {
  assert.deepEqual(classifyDetailed({ source: "cursor", metadata: { kind: "paste" } }), { origin: "paste" });
  assert.equal(classifyDetailed({ source: "cursor", metadata: { kind: "type" } }), undefined);
  assert.deepEqual(classifyDetailed({ source: "unknown", metadata: { name: "formatEditsCommand" } }), { origin: "format" });
  assert.deepEqual(classifyDetailed({ source: "Chat.undoEdits" }), { origin: "undo" });
  assert.equal(classifyDetailed({ source: "reloadFromDisk" }), "ignore");
  assert.equal(classifyDetailed({ source: "snippet" }), undefined);
  assert.equal(classifyDetailed(undefined), undefined);
});

test("undo and redo come from the stable reason; a save in progress is formatting", () => {
  assert.deepEqual(classifyChange({ ...facts, reason: 1 }), { origin: "undo" });
  assert.deepEqual(classifyChange({ ...facts, reason: 2 }), { origin: "undo" });
  assert.deepEqual(classifyChange({ ...facts, saving: true }), { origin: "format" });
  assert.equal(classifyChange(facts), undefined);
});

test("recent chat-editing activity makes a change a chat edit unless detailed reasons are available", () => {
  assert.deepEqual(classifyChange({ ...facts, chatActive: true }), { origin: "ai", kind: "chat-edit", tool: "copilot" });
  assert.equal(classifyChange({ ...facts, chatActive: true, detailedAvailable: true, detailed: { source: "cursor", metadata: { kind: "type" } } }), undefined);
  assert.equal(classifyChange({ ...facts, reason: 1, detailed: { source: "reloadFromDisk" } }), undefined);
});

test("chat-editing schemes and the activity window", () => {
  assert.equal(isChatEditingScheme("chat-editing-text-model"), true);
  assert.equal(isChatEditingScheme("chat-editing-snapshot-text-model"), true);
  assert.equal(isChatEditingScheme("file"), false);
  const activity = new ChatActivity(1000);
  activity.note("/repo/a.py", 5000);
  assert.equal(activity.isRecent("/repo/a.py", 5900), true);
  assert.equal(activity.isRecent("/repo/b.py", 5900), false);
  assert.equal(activity.isRecent("/repo/a.py", 6001), false);
  assert.equal(activity.isRecent("/repo/a.py", 5100), false, "an expired entry is forgotten");
});
