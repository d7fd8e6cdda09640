/**
 * How a file's level is shown: the status bar text, its colour class and tooltip, and the
 * `ringfence: Explain` message, all from the server's `ringfence/explain` answer. Pure: no `vscode`.
 */

import type { Attribute, ExplainResult } from "./protocol";

/** `error` where external AI edits are denied, `warning` where they need provenance, else `none`. */
export type Tone = "error" | "warning" | "none";

const STRICTNESS: Record<Attribute, number> = { allow: 0, tag: 1, deny: 2 };

export function tone(result: ExplainResult): Tone {
  const strictest = Math.max(STRICTNESS[result.externalEdits] ?? 0, STRICTNESS[result.inhouseEdits] ?? 0);
  if (strictest === STRICTNESS.deny) {
    return "error";
  }
  return strictest === STRICTNESS.tag ? "warning" : "none";
}

export function statusText(result: ExplainResult): string {
  const icon = tone(result) === "none" ? "$(unlock)" : "$(lock)";
  return result.zone ? `${icon} ${result.level} · ${result.zone}` : `${icon} ${result.level}`;
}

const ATTRIBUTE_WORDS: Record<Attribute, string> = { allow: "allowed", tag: "allowed with provenance", deny: "denied" };

function describe(attribute: Attribute): string {
  return ATTRIBUTE_WORDS[attribute] ?? attribute;
}

/** Escapes text for a Markdown tooltip. */
function md(value: string): string {
  return value.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);
}

export function tooltipMarkdown(result: ExplainResult): string {
  const lines = [
    `**ringfence: ${md(result.level)}**${result.zone ? ` (zone ${md(result.zone)})` : ""}`,
    "",
  ];
  if (result.reason) {
    lines.push(md(result.reason), "");
  }
  lines.push(
    `- external AI edits: ${describe(result.externalEdits)}`,
    `- in-house assistant edits: ${describe(result.inhouseEdits)}`,
    `- external AI context: ${describe(result.externalContext)}`,
  );
  if (result.owner) {
    lines.push(`- owner: ${md(result.owner)}`);
  }
  lines.push(`- decided by: ${md(result.source)}${result.rule ? ` (${md(result.rule)})` : ""}`, "", "Click to explain.");
  return lines.join("\n");
}

/** The one-line message of `ringfence: Explain`. */
export function explainMessage(result: ExplainResult): string {
  const where = result.zone ? `, zone '${result.zone}'` : "";
  const decidedBy = result.rule ?? (result.source === "default" ? "policy default" : result.source);
  const parts = [`${result.path}: ${result.level}${where} (${decidedBy}).`];
  if (result.reason) {
    parts.push(result.reason);
  }
  parts.push(
    `External AI edits ${describe(result.externalEdits)}, in-house edits ${describe(result.inhouseEdits)}, ` +
      `external AI context ${describe(result.externalContext)}.`,
  );
  if (result.owner) {
    parts.push(`Owner: ${result.owner}.`);
  }
  return parts.join(" ");
}
