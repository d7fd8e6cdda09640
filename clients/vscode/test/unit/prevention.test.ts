// Whether the accept keys take an inline suggestion, and what the notice says (src/prevention.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  chatEditNotice,
  decideAccept,
  deniesEveryTool,
  editsFor,
  heldBackTooltip,
  holdsBack,
  noticeFor,
  preventMode,
  suggestingTools,
  VersionedCache,
  verdictFor,
} from "../../src/prevention";
import type { ExplainResult } from "../../src/protocol";

const EXTERNAL = ["copilot", "claude-code", "codex", "windsurf", "unknown"];

function explained(overrides: Partial<ExplainResult> = {}): ExplainResult {
  const level = overrides.level ?? "human-only";
  const deny = level !== "open";
  return {
    path: "training/datagen/generate.py",
    level,
    zone: "training-data",
    reason: "Training and eval data must be handwritten.",
    owner: null,
    source: "zone",
    rule: ".ringfence.toml:17",
    exists: true,
    externalEdits: deny ? "deny" : "allow",
    inhouseEdits: level === "human-only" ? "deny" : "allow",
    externalContext: deny ? "deny" : "allow",
    toolEdits: Object.fromEntries(EXTERNAL.map((tool) => [tool, deny ? "deny" : "allow"])),
    assistant: "metacode",
    inhouseTools: ["metacode"],
    ...overrides,
  };
}

const open = explained({ level: "open", zone: null, reason: null, source: "default", rule: null });
const humanOnly = explained();
const internal = explained({ level: "internal", zone: "model-serving", reason: "Serving code must not leave the company." });
// A zone that approves Copilot but not Claude Code (docs/policy.md "Approved tools").
const approvesCopilot = explained({ level: "internal", zone: "src", toolEdits: { ...humanOnly.toolEdits, copilot: "allow" } });

test("the mode setting: block, warn or off; anything else is block", () => {
  assert.equal(preventMode("warn"), "warn");
  assert.equal(preventMode("off"), "off");
  assert.equal(preventMode(undefined), "block");
  assert.equal(preventMode("nonsense"), "block");
});

test("a tool's verdict: its toolEdits entry, in-house tools by inhouseEdits, others by externalEdits", () => {
  assert.equal(editsFor(approvesCopilot, "copilot"), "allow");
  assert.equal(editsFor(approvesCopilot, "Copilot"), "allow");
  assert.equal(editsFor(approvesCopilot, "claude-code"), "deny");
  assert.equal(editsFor(internal, "metacode"), "allow"); // in-house: the level's inhouse-edits
  assert.equal(editsFor(humanOnly, "metacode"), "deny");
  assert.equal(editsFor(internal, "acme.some-extension"), "deny"); // not in the table: external-edits
  assert.equal(editsFor({ ...internal, toolEdits: undefined }, "copilot"), "deny"); // an older server
});

test("the suggesting tools are the active known inline providers, else unknown", () => {
  assert.deepEqual(suggestingTools(["copilot", "claude-code"]), ["copilot"]);
  assert.deepEqual(suggestingTools(["claude-code", "codex"]), ["unknown"]); // they never supply ghost text
  assert.deepEqual(suggestingTools([]), ["unknown"]);
  assert.deepEqual(verdictFor(approvesCopilot, ["copilot", "windsurf"]), { tool: "windsurf", edits: "deny" }); // the strictest
  assert.deepEqual(verdictFor(approvesCopilot, []), { tool: "unknown", edits: "deny" });
});

test("block refuses in a human-only file with a notice naming the zone and saying no assistant may write", () => {
  const decision = decideAccept("block", humanOnly, ["unknown"]);
  assert.equal(decision.action, "refuse");
  assert.ok(decision.action === "refuse");
  assert.equal(
    decision.notice.message,
    "ringfence: not accepted: AI suggestions may not land in human-only zone 'training-data'. " +
      "Training and eval data must be handwritten. Not even the in-house assistant may write here: write it yourself.",
  );
  assert.equal(decision.notice.moveTo, undefined);
});

test("where the in-house assistant may write, the notice offers Move to <assistant>", () => {
  const decision = decideAccept("block", internal, ["copilot"]);
  assert.ok(decision.action === "refuse");
  assert.equal(decision.tool, "copilot");
  assert.match(decision.notice.message, /AI suggestions from copilot may not land in internal zone 'model-serving'\..*Use metacode, the in-house assistant, instead\.$/);
  assert.equal(decision.notice.moveTo, "metacode");
  assert.equal(noticeFor({ ...internal, assistant: null }, "copilot", false).moveTo, undefined); // no assistant configured
});

test("an open file, an approved tool and a tag level are never blocked", () => {
  for (const mode of ["block", "warn", "off"] as const) {
    assert.deepEqual(decideAccept(mode, open, ["unknown"]), { action: "accept" });
    assert.deepEqual(decideAccept(mode, approvesCopilot, ["copilot"]), { action: "accept" });
    assert.deepEqual(decideAccept(mode, { ...internal, toolEdits: undefined, externalEdits: "tag" }, ["copilot"]), { action: "accept" });
  }
});

test("warn accepts and says so; off accepts silently; no answer (server down) accepts", () => {
  const warned = decideAccept("warn", humanOnly, ["copilot"]);
  assert.ok(warned.action === "accept-and-warn");
  assert.match(warned.notice.message, /^ringfence: accepted, but AI suggestions from copilot may not land in human-only zone 'training-data': it is flagged RF001\./);
  assert.deepEqual(decideAccept("off", humanOnly, ["copilot"]), { action: "accept" });
  assert.deepEqual(decideAccept("block", undefined, ["copilot"]), { action: "accept" });
});

test("a file without a zone is named by its path", () => {
  const marked = explained({ level: "internal", zone: null, source: "marker", path: "app/secrets_loader.py" });
  assert.match(noticeFor(marked, "unknown", false).message, /may not land in this internal file \(app\/secrets_loader\.py\)\./);
});

test("the status bar mark: only where block refuses the likely tool", () => {
  assert.equal(holdsBack("block", humanOnly, ["unknown"]), true);
  assert.equal(holdsBack("warn", humanOnly, ["unknown"]), false);
  assert.equal(holdsBack("block", open, ["unknown"]), false);
  assert.equal(holdsBack("block", approvesCopilot, ["copilot"]), false);
  assert.match(heldBackTooltip(internal, ["copilot"]), /^ringfence: AI suggestions from copilot are held back in internal zone 'model-serving'.*metacode, the in-house assistant, may write here\.$/);
});

test("every tool denied: human-only yes; an internal zone (in-house allowed) or an approved tool no", () => {
  assert.equal(deniesEveryTool(humanOnly), true);
  assert.equal(deniesEveryTool(internal), false);
  assert.equal(deniesEveryTool({ ...humanOnly, toolEdits: { ...humanOnly.toolEdits, copilot: "tag" } }), false);
  assert.equal(deniesEveryTool(open), false);
});

test("answers are cached per document version", () => {
  const cache = new VersionedCache<string>();
  cache.set("file:///a.py", 3, "human-only");
  assert.equal(cache.get("file:///a.py", 3), "human-only");
  assert.equal(cache.get("file:///a.py", 4), undefined);
  cache.set("file:///a.py", 4, "open");
  assert.equal(cache.get("file:///a.py", 3), undefined);
  cache.clear();
  assert.equal(cache.get("file:///a.py", 4), undefined);
});

test("a chat edit in a deny zone: the notice names the zone and says to undo it in the chat", () => {
  assert.deepEqual(chatEditNotice(humanOnly, "copilot"), {
    message:
      "ringfence: A chat edit by copilot touches human-only zone 'training-data': its lines are flagged RF001. " +
      "Undo it in the chat instead of keeping it. Not even the in-house assistant may write here: write it yourself.",
  });
  const internalNotice = chatEditNotice(internal, "unknown");
  assert.match(internalNotice.message, /^ringfence: A chat edit touches internal zone 'model-serving'/);
  assert.equal(internalNotice.moveTo, "metacode");
});
