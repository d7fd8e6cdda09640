/**
 * The ringfence custom protocol (docs/protocol.md, "Commands", "Custom methods"): method names, payload shapes and the server's
 * command ids. Kept free of `vscode` imports so the pure modules and their tests can use it.
 */

export const EDIT_ORIGIN = "ringfence/editOrigin";
export const EXPLAIN = "ringfence/explain";

/** Commands the server registers through `workspace/executeCommand` (the client never registers them). */
export const SERVER_COMMANDS = {
  revert: "ringfence.revert",
  tagProvenance: "ringfence.tagProvenance",
  handoff: "ringfence.handoff",
  markReviewed: "ringfence.markReviewed",
  dismissHeuristic: "ringfence.dismissHeuristic",
  openZone: "ringfence.openZone",
} as const;

export type Origin = "ai" | "paste" | "undo" | "format" | "human";
export type OriginKind = "inline-completion" | "chat-edit" | "agent";

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface EditOriginParams {
  textDocument: { uri: string; version: number };
  origin: Origin;
  ranges?: Range[];
  tool?: string;
  model?: string;
  kind?: OriginKind;
}

export type Attribute = "allow" | "tag" | "deny";

/** The answer to `ringfence/explain`: the explain fields (docs/protocol.md, "Custom methods") plus the policy location and the level's attributes. */
export interface ExplainResult {
  path: string;
  level: string;
  zone: string | null;
  reason: string | null;
  owner: string | null;
  source: "zone" | "marker" | "import" | "default" | string;
  rule: string | null;
  exists: boolean;
  policy?: { uri: string; line: number } | null;
  externalEdits: Attribute;
  inhouseEdits: Attribute;
  externalContext: Attribute;
  /** What each canonical external tool's edits get here once the policy's approved tools apply (docs/lsp.md). */
  toolEdits?: Record<string, Attribute>;
  /** The in-house assistant a handoff goes to (`[assistant] name`), or null when none is configured. */
  assistant?: string | null;
  /** Tool ids whose edits are in-house here (`inhouse-tools` and the assistant). */
  inhouseTools?: string[];
}
