// Status bar text, colour class, tooltip and the explain message (src/presentation.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { explainMessage, statusText, tone, tooltipMarkdown } from "../../src/presentation";
import type { ExplainResult } from "../../src/protocol";

const humanOnly: ExplainResult = {
  path: "training/datagen/generate.py",
  level: "human-only",
  zone: "training-data",
  reason: "Training and eval data must be handwritten: distillation risk and provider terms.",
  owner: "@ml-data-governance",
  source: "zone",
  rule: ".ringfence.toml:17",
  exists: true,
  policy: { uri: "file:///repo/.ringfence.toml", line: 16 },
  externalEdits: "deny",
  inhouseEdits: "deny",
  externalContext: "deny",
};
const open: ExplainResult = {
  ...humanOnly, path: "app/main.py", level: "open", zone: null, reason: null, owner: null, source: "default", rule: null, policy: null,
  externalEdits: "allow", inhouseEdits: "allow", externalContext: "allow",
};

test("the tone follows the strictest edit attribute", () => {
  assert.equal(tone(humanOnly), "error");
  assert.equal(tone({ ...humanOnly, level: "internal", inhouseEdits: "tag" }), "error");
  assert.equal(tone({ ...humanOnly, level: "tagged", externalEdits: "tag", inhouseEdits: "allow" }), "warning");
  assert.equal(tone(open), "none");
});

test("the status text shows level and zone", () => {
  assert.equal(statusText(humanOnly), "$(lock) human-only · training-data");
  assert.equal(statusText(open), "$(unlock) open");
});

test("the tooltip carries the reason, attributes, owner and rule, escaped for Markdown", () => {
  const tip = tooltipMarkdown(humanOnly);
  assert.match(tip, /\*\*ringfence: human\\-only\*\* \(zone training\\-data\)/);
  assert.match(tip, /must be handwritten: distillation risk and provider terms\\\./);
  assert.match(tip, /external AI edits: denied/);
  assert.match(tip, /owner: @ml\\-data\\-governance/);
  assert.match(tip, /decided by: zone \(\\\.ringfence\\\.toml:17\)/);
});

test("the explain message reads as one sentence per fact", () => {
  assert.equal(
    explainMessage(humanOnly),
    "training/datagen/generate.py: human-only, zone 'training-data' (.ringfence.toml:17). " +
      "Training and eval data must be handwritten: distillation risk and provider terms. " +
      "External AI edits denied, in-house edits denied, external AI context denied. Owner: @ml-data-governance.",
  );
  assert.equal(
    explainMessage(open),
    "app/main.py: open (policy default). External AI edits allowed, in-house edits allowed, external AI context allowed.",
  );
});
