/**
 * Whether an inline suggestion may be accepted where the cursor is: the level's verdict for the
 * suggesting tool (its `toolEdits` entry from `ringfence/explain`, in-house tools by the level's
 * `inhouseEdits`, anything else by `externalEdits`), the `ringfence.inlineSuggestions.prevent`
 * mode, and the notice that tells the developer why (docs/lsp.md "Custom protocol and settings",
 * clients/vscode/README.md "Holding back AI suggestions"). Pure: no `vscode` import.
 */

import type { Attribute, ExplainResult } from "./protocol";

/** `block`: refuse and say why; `warn`: accept and say so; `off`: accept silently (the edit is still reported). */
export type PreventMode = "block" | "warn" | "off";

export const PREVENT_MODES: readonly PreventMode[] = ["block", "warn", "off"];

export function preventMode(value: unknown): PreventMode {
  return PREVENT_MODES.includes(value as PreventMode) ? (value as PreventMode) : "block";
}

/**
 * The known tools whose VS Code extensions offer inline suggestions (ghost text). Assistants that
 * only chat or run agents (claude-code, codex) are left out: they never supply what Tab accepts.
 */
export const INLINE_SUGGESTING_TOOLS: ReadonlySet<string> = new Set(["copilot", "windsurf", "gemini"]);

/** Which of the active known AI tools may be behind a visible suggestion (none known: `unknown`). */
export function suggestingTools(activeTools: readonly string[]): string[] {
  const tools = activeTools.filter((tool) => INLINE_SUGGESTING_TOOLS.has(tool));
  return tools.length > 0 ? tools : ["unknown"];
}

const STRICTNESS: Record<Attribute, number> = { allow: 0, tag: 1, deny: 2 };

/** What `tool`'s edits get in the file `result` describes. */
export function editsFor(result: ExplainResult, tool: string): Attribute {
  const id = tool.toLowerCase();
  if ((result.inhouseTools ?? []).includes(id)) {
    return result.inhouseEdits;
  }
  return result.toolEdits?.[id] ?? result.externalEdits;
}

/** The strictest verdict over the tools that may be suggesting (none known: `unknown`). */
export function verdictFor(result: ExplainResult, tools: readonly string[]): { tool: string; edits: Attribute } {
  const candidates = tools.length > 0 ? tools : ["unknown"];
  let worst = { tool: candidates[0], edits: editsFor(result, candidates[0]) };
  for (const tool of candidates.slice(1)) {
    const edits = editsFor(result, tool);
    if (STRICTNESS[edits] > STRICTNESS[worst.edits]) {
      worst = { tool, edits };
    }
  }
  return worst;
}

/** Where the suggestion would land, as the notice names it: `human-only zone 'training-data'`. */
export function placeOf(result: ExplainResult): string {
  return result.zone ? `${result.level} zone '${result.zone}'` : `this ${result.level} file (${result.path})`;
}

/** Whether the in-house assistant may write here: then the notice offers `Move to <assistant>`. */
export function inhouseAlternative(result: ExplainResult): string | undefined {
  return result.assistant && result.inhouseEdits !== "deny" ? result.assistant : undefined;
}

export interface Notice {
  message: string;
  /** The in-house assistant to offer (`Move to <assistant>`), if it may write here. */
  moveTo?: string;
}

export type AcceptDecision =
  | { action: "accept" }
  | { action: "refuse"; tool: string; notice: Notice }
  | { action: "accept-and-warn"; tool: string; notice: Notice };

function who(tool: string): string {
  return tool === "unknown" ? "AI suggestions" : `AI suggestions from ${tool}`;
}

function alternative(result: ExplainResult): { text: string; moveTo?: string } {
  const moveTo = inhouseAlternative(result);
  if (moveTo) {
    return { text: ` Use ${moveTo}, the in-house assistant, instead.`, moveTo };
  }
  return { text: result.inhouseEdits === "deny" ? " Not even the in-house assistant may write here: write it yourself." : "" };
}

/** The notice for a suggestion from `tool` in the file `result` describes. */
export function noticeFor(result: ExplainResult, tool: string, accepted: boolean): Notice {
  const { text, moveTo } = alternative(result);
  const head = accepted
    ? `ringfence: accepted, but ${who(tool)} may not land in ${placeOf(result)}: it is flagged RF001.`
    : `ringfence: not accepted: ${who(tool)} may not land in ${placeOf(result)}.`;
  const reason = result.reason ? ` ${result.reason}` : "";
  return { message: `${head}${reason}${text}`, ...(moveTo ? { moveTo } : {}) };
}

/** The notice for a chat or agent edit VS Code wrote into a zone that denies its tool (pending Keep / Undo). */
export function chatEditNotice(result: ExplainResult, tool: string): Notice {
  const { text, moveTo } = alternative(result);
  const by = tool === "unknown" ? "A chat edit" : `A chat edit by ${tool}`;
  return {
    message: `ringfence: ${by} touches ${placeOf(result)}: its lines are flagged RF001. Undo it in the chat instead of keeping it.${text}`,
    ...(moveTo ? { moveTo } : {}),
  };
}

/** What the accept wrappers do with a visible suggestion, given the file's explain answer. */
export function decideAccept(mode: PreventMode, result: ExplainResult | undefined, tools: readonly string[]): AcceptDecision {
  if (mode === "off" || !result) {
    return { action: "accept" };
  }
  const { tool, edits } = verdictFor(result, tools);
  if (edits !== "deny") {
    return { action: "accept" };
  }
  return mode === "block"
    ? { action: "refuse", tool, notice: noticeFor(result, tool, false) }
    : { action: "accept-and-warn", tool, notice: noticeFor(result, tool, true) };
}

/** Whether the status bar marks the file: suggestions from the likely tools are refused here. */
export function holdsBack(mode: PreventMode, result: ExplainResult | undefined, tools: readonly string[]): boolean {
  return decideAccept(mode, result, tools).action === "refuse";
}

/** The status bar mark's tooltip. */
export function heldBackTooltip(result: ExplainResult, tools: readonly string[]): string {
  const { tool } = verdictFor(result, tools);
  const moveTo = inhouseAlternative(result);
  return (
    `ringfence: ${who(tool)} are held back in ${placeOf(result)}: Tab, next word and next line do not accept them here` +
    ` (ringfence.inlineSuggestions.prevent = block).${moveTo ? ` ${moveTo}, the in-house assistant, may write here.` : ""}`
  );
}

/**
 * Every AI tool is denied here (external, in-house and each approved tool): then no inline
 * suggestion may land, so VS Code need not ask any provider (`editor.inlineSuggest.enabled`).
 */
export function deniesEveryTool(result: ExplainResult): boolean {
  const tools = Object.values(result.toolEdits ?? {});
  return result.externalEdits === "deny" && result.inhouseEdits === "deny" && tools.every((edits) => edits === "deny");
}

/**
 * Remembers answers per document version, so Tab does not wait for the server twice for one
 * version. `clear` drops everything (the policy or the server changed).
 */
export class VersionedCache<T> {
  private readonly entries = new Map<string, { version: number; value: T }>();

  get(key: string, version: number): T | undefined {
    const entry = this.entries.get(key);
    return entry && entry.version === version ? entry.value : undefined;
  }

  set(key: string, version: number, value: T): void {
    this.entries.set(key, { version, value });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
