// Pausing completion providers for a deny-zone document and restoring exactly (src/pauses.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { COPILOT_ENABLE, copilotEnableWithout, INLINE_SUGGEST_ENABLED, NO_PAUSE, type PausedSetting, pausePlan, restoredValue } from "../../src/pauses";
import type { ExplainResult } from "../../src/protocol";

function explained(externalEdits: "allow" | "deny", inhouseEdits: "allow" | "deny", toolEdits: Record<string, "allow" | "tag" | "deny">): ExplainResult {
  return {
    path: "x.py", level: "internal", zone: "z", reason: null, owner: null, source: "zone", rule: null, exists: true,
    externalEdits, inhouseEdits, externalContext: "deny", toolEdits, assistant: null, inhouseTools: [],
  };
}

const humanOnly = explained("deny", "deny", { copilot: "deny", "claude-code": "deny" });
const internal = explained("deny", "allow", { copilot: "deny", "claude-code": "deny" });
const approvesCopilot = explained("deny", "allow", { copilot: "allow", "claude-code": "deny" });

test("what is paused: all inline suggestions where every tool is denied, else Copilot where it is denied", () => {
  assert.deepEqual(pausePlan("block", true, humanOnly, true), { inlineSuggest: true, copilot: false });
  assert.deepEqual(pausePlan("block", true, internal, true), { inlineSuggest: false, copilot: true });
  assert.deepEqual(pausePlan("block", true, internal, false), NO_PAUSE); // Copilot not installed
  assert.deepEqual(pausePlan("block", true, approvesCopilot, true), NO_PAUSE);
  assert.deepEqual(pausePlan("warn", true, humanOnly, true), NO_PAUSE);
  assert.deepEqual(pausePlan("block", false, humanOnly, true), NO_PAUSE);
  assert.deepEqual(pausePlan("block", true, undefined, true), NO_PAUSE);
});

test("Copilot's per-language object keeps the user's keys and gets '*': true when it had none", () => {
  assert.deepEqual(copilotEnableWithout(undefined, "python"), { "*": true, python: false });
  assert.deepEqual(copilotEnableWithout({ "*": false, markdown: true }, "python"), { "*": false, markdown: true, python: false });
  assert.deepEqual(copilotEnableWithout("garbage", "python"), { "*": true, python: false });
});

test("restoring writes back exactly what was there while nobody touched it", () => {
  const inline: PausedSetting = { setting: INLINE_SUGGEST_ENABLED, language: "python", languageOverride: true, previous: undefined, written: false };
  assert.deepEqual(restoredValue(inline, false), { value: undefined }); // no [python] value before: removed again
  assert.deepEqual(restoredValue({ ...inline, previous: true }, false), { value: true });
  assert.equal(restoredValue(inline, true), undefined); // the user set it again meanwhile: left as they set it
  const copilot: PausedSetting = {
    setting: COPILOT_ENABLE, language: "python", languageOverride: false,
    previous: { markdown: true }, written: { markdown: true, "*": true, python: false },
  };
  assert.deepEqual(restoredValue(copilot, { markdown: true, "*": true, python: false }), { value: { markdown: true } });
  // Changed meanwhile (a new key): only our key is put back.
  assert.deepEqual(restoredValue(copilot, { markdown: true, "*": true, python: false, go: false }), { value: { markdown: true, "*": true, go: false } });
  assert.deepEqual(
    restoredValue({ ...copilot, previous: { python: true } }, { "*": true, python: false, go: false }),
    { value: { "*": true, python: true, go: false } },
  );
});
