/**
 * Why a document changed, in the terms of `ringfence/editOrigin` (docs/protocol.md, "Custom methods"): AI (inline
 * completion or chat edit, with the tool), paste, undo or format. Sources, most certain first:
 * VS Code's proposed `textDocumentChangeReason` API when the host enables it, the stable undo/redo
 * reason, recent activity of a chat-editing document for the same file, and a save in progress
 * (format on save). Pure: no `vscode` import.
 */

import type { Origin, OriginKind } from "./protocol";

export interface Classified {
  origin: Origin;
  kind?: OriginKind;
  tool?: string;
  model?: string;
}

/** `TextDocumentChangeEvent.detailedReason` of the proposed API. */
export interface DetailedReason {
  source: string;
  metadata?: Record<string, unknown>;
}

/** Extensions whose edits come from a known AI tool, by lower-case extension id → canonical tool id. */
const KNOWN_AI_EXTENSIONS: Record<string, string> = {
  "github.copilot": "copilot",
  "github.copilot-chat": "copilot",
  "anthropic.claude-code": "claude-code",
  "openai.chatgpt": "codex",
  "google.geminicodeassist": "gemini",
  "codeium.codeium": "windsurf",
  "codeium.windsurf": "windsurf",
  "cursor.cursor": "cursor",
};

/** The tool id for an extension: the canonical id of a known AI tool, else the extension id itself. */
export function toolForExtension(extensionId: string | undefined): string {
  if (!extensionId) {
    return "unknown";
  }
  const id = extensionId.toLowerCase();
  return KNOWN_AI_EXTENSIONS[id] ?? id;
}

/** The canonical tool ids of the known AI extensions among `activeExtensionIds`, each once. */
export function knownToolsOf(activeExtensionIds: readonly string[]): string[] {
  return [...new Set(activeExtensionIds.map((id) => KNOWN_AI_EXTENSIONS[id.toLowerCase()]).filter((tool): tool is string => !!tool))];
}

/** Without the proposed API: the one known AI extension that is active, else `unknown`. */
export function guessToolFromExtensions(activeExtensionIds: readonly string[]): string {
  const tools = knownToolsOf(activeExtensionIds);
  return tools.length === 1 ? tools[0] : "unknown";
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** VS Code writes model ids as `provider|model`; ringfence records `provider/model`. */
function modelId(value: unknown): string | undefined {
  return text(value)?.replace(/\|/g, "/");
}

/**
 * The origin a detailed change reason proves, `"ignore"` for a reload from disk (the server knows
 * its own disk content), or undefined when the reason says nothing about AI, paste, undo or format.
 */
export function classifyDetailed(reason: DetailedReason | undefined): Classified | "ignore" | undefined {
  if (!reason) {
    return undefined;
  }
  const meta = reason.metadata ?? {};
  switch (reason.source) {
    case "inlineCompletionAccept":
    case "inlineCompletionPartialAccept":
      return { origin: "ai", kind: "inline-completion", tool: toolForExtension(text(meta.$extensionId)) };
    case "Chat.applyEdits":
    case "inlineChat.applyEdits":
      return {
        origin: "ai",
        kind: "chat-edit",
        tool: toolForExtension(text(meta.$extensionId) ?? "github.copilot-chat"),
        model: modelId(meta.$modelId),
      };
    case "Chat.undoEdits":
    case "Chat.reset":
      return { origin: "undo" };
    case "cursor":
      return meta.kind === "paste" ? { origin: "paste" } : undefined;
    case "unknown":
      return meta.name === "formatEditsCommand" ? { origin: "format" } : undefined;
    case "reloadFromDisk":
      return "ignore";
    default:
      return undefined;
  }
}

/** VS Code's chat editing keeps its snapshots and virtual models under `chat-editing-*` schemes. */
export function isChatEditingScheme(scheme: string): boolean {
  return /^(vscode-)?chat-editing-/.test(scheme);
}

/** Milliseconds during which a change to a file counts as a chat edit after its chat-editing document stirred. */
export const CHAT_EDIT_WINDOW_MS = 3000;

/**
 * Remembers when a chat-editing document for a path was opened or changed. A change to the `file:`
 * document of that path soon after is VS Code applying the chat's edit (a guess, used only when
 * the proposed API cannot say).
 */
export class ChatActivity {
  private readonly seen = new Map<string, number>();

  constructor(private readonly windowMs = CHAT_EDIT_WINDOW_MS) {}

  note(path: string, now: number): void {
    this.seen.set(path, now);
  }

  isRecent(path: string, now: number): boolean {
    const at = this.seen.get(path);
    if (at === undefined) {
      return false;
    }
    if (now - at > this.windowMs) {
      this.seen.delete(path);
      return false;
    }
    return true;
  }
}

export interface ChangeFacts {
  detailed?: DetailedReason;
  /** Whether the host delivers detailed reasons at all: then they, not the chat guess, decide AI. */
  detailedAvailable: boolean;
  /** The stable `TextDocumentChangeReason`: 1 = Undo, 2 = Redo. */
  reason?: number;
  chatActive: boolean;
  saving: boolean;
  /** The tool for a chat edit when the proposed API does not name it. */
  chatTool: string;
}

/** The origin to report for a change nobody wrapped, or undefined to report nothing. */
export function classifyChange(facts: ChangeFacts): Classified | undefined {
  const detailed = classifyDetailed(facts.detailed);
  if (detailed === "ignore") {
    return undefined;
  }
  if (detailed) {
    return detailed;
  }
  if (facts.reason === 1 || facts.reason === 2) {
    return { origin: "undo" };
  }
  if (facts.chatActive && !facts.detailedAvailable) {
    return { origin: "ai", kind: "chat-edit", tool: facts.chatTool };
  }
  if (facts.saving) {
    return { origin: "format" };
  }
  return undefined;
}
