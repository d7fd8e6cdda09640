/**
 * Tells the server which edits came from AI and which were paste, undo or format
 * (`ringfence/editOrigin`, docs/protocol.md, "Custom methods"), so AI edits are certain and the heuristic does not flag the rest.
 *
 * - Accepting an inline suggestion (Tab, next word, next line) runs through wrapper commands bound to
 *   the built-in keys: they first ask the gate (gate.ts) whether the suggestion may land here (and
 *   refuse it in a zone that denies the suggesting tool), then run VS Code's accept command, collect
 *   the document changes it makes and report only the characters the suggestion added, as
 *   `kind: "inline-completion"`.
 * - Changes nobody wrapped are classified by origins.ts (proposed detailed reason, undo/redo, chat
 *   editing activity, format on save) and reported as they happen.
 * - `reportAiEdit` is the public API for an in-house assistant's extension.
 */

import * as vscode from "vscode";
import { InsertionTracker, spansToRanges } from "./insertions";
import { ChatActivity, classifyChange, classifyDetailed, type DetailedReason, guessToolFromExtensions, isChatEditingScheme } from "./origins";
import type { SuggestionGate } from "./gate";
import { EDIT_ORIGIN, type EditOriginParams, type OriginKind, type Range } from "./protocol";
import { isWatched, type RingfenceServer } from "./server";

/** How long to wait for the change of an accept that had not arrived when the accept command returned. */
const ACCEPT_EVENT_GRACE_MS = 150;

export const ACCEPT_COMMANDS: Record<string, string> = {
  "ringfence.acceptInlineSuggestion": "editor.action.inlineSuggest.commit",
  "ringfence.acceptInlineSuggestionNextWord": "editor.action.inlineSuggest.acceptNextWord",
  "ringfence.acceptInlineSuggestionNextLine": "editor.action.inlineSuggest.acceptNextLine",
};

/** Reads the proposed `detailedReason`; undefined where the host does not enable that API. */
function detailedReasonOf(event: vscode.TextDocumentChangeEvent): { available: boolean; reason?: DetailedReason } {
  const available = "detailedReason" in event;
  const reason = (event as { detailedReason?: DetailedReason }).detailedReason;
  return { available, reason };
}

/** `lines 21-24` style summary (1-based) for the log. */
function describeRanges(ranges: readonly Range[]): string {
  return ranges.map((r) => `${r.start.line + 1}:${r.start.character + 1}-${r.end.line + 1}:${r.end.character + 1}`).join(", ");
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class EditOriginReporter implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly wrapping = new Set<string>();
  private readonly reportedByApi = new Set<string>();
  private readonly saving = new Set<string>();
  private readonly chat = new ChatActivity();

  constructor(
    private readonly server: RingfenceServer,
    private readonly gate: SuggestionGate,
  ) {
    for (const [wrapper, builtin] of Object.entries(ACCEPT_COMMANDS)) {
      this.disposables.push(vscode.commands.registerCommand(wrapper, () => this.acceptChecked(builtin)));
    }
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((event) => this.onChange(event)),
      vscode.workspace.onDidOpenTextDocument((document) => this.noteChatDocument(document)),
      vscode.workspace.onWillSaveTextDocument((event) => {
        this.saving.add(event.document.uri.toString());
      }),
      vscode.workspace.onDidSaveTextDocument((document) => {
        this.saving.delete(document.uri.toString());
      }),
    );
  }

  dispose(): void {
    for (const disposable of this.disposables) {
      disposable.dispose();
    }
  }

  /**
   * Public API: an assistant's extension reports the ranges (in the document's current version) it
   * just wrote, with its tool id; an in-house assistant's id makes them in-house edits.
   */
  async reportAiEdit(
    document: vscode.TextDocument | vscode.Uri,
    ranges: readonly vscode.Range[],
    tool: string,
    model?: string,
    kind?: OriginKind,
  ): Promise<void> {
    const doc = document instanceof vscode.Uri ? vscode.workspace.textDocuments.find((d) => d.uri.toString() === document.toString()) : document;
    if (!doc || typeof doc.version !== "number") {
      throw new TypeError("ringfence.reportAiEdit: the document is not open");
    }
    if (!Array.isArray(ranges) || ranges.some((range) => !(range instanceof vscode.Range))) {
      throw new TypeError("ringfence.reportAiEdit: ranges must be an array of vscode.Range");
    }
    if (typeof tool !== "string" || tool.trim() === "") {
      throw new TypeError("ringfence.reportAiEdit: tool must be a non-empty tool id");
    }
    const key = doc.uri.toString();
    if (this.wrapping.has(key)) {
      this.reportedByApi.add(key);
    }
    await this.send(doc, doc.version, {
      origin: "ai",
      ranges: ranges.map((range) => ({
        start: { line: range.start.line, character: range.start.character },
        end: { line: range.end.line, character: range.end.character },
      })),
      tool: tool.trim(),
      ...(model ? { model } : {}),
      ...(kind ? { kind } : {}),
    });
  }

  /** An accept key: refused where the level denies the suggesting tool, else accepted and reported. */
  private async acceptChecked(builtin: string): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!editor || !isWatched(editor.document)) {
      await vscode.commands.executeCommand(builtin);
      return;
    }
    const decision = await this.gate.decide(editor);
    if (decision.action === "refuse") {
      await this.gate.refuse(editor, decision, () => this.acceptWrapped(editor, builtin));
      return;
    }
    const ranges = await this.acceptWrapped(editor, builtin);
    if (decision.action === "accept-and-warn" && ranges?.length) {
      this.gate.warn(editor.document, decision, ranges);
    }
  }

  /** Runs an inline-suggestion accept command and reports what it inserted; returns those ranges. */
  private async acceptWrapped(editor: vscode.TextEditor, builtin: string): Promise<vscode.Range[] | undefined> {
    const document = editor.document;
    const key = document.uri.toString();
    const tracker = new InsertionTracker(document.getText());
    let last: { version: number; ranges: Range[] } | undefined;
    let tool: string | undefined;
    let arrived: () => void = () => undefined;
    const firstChange = new Promise<void>((resolve) => (arrived = resolve));
    const listener = vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.document.uri.toString() !== key || event.contentChanges.length === 0) {
        return;
      }
      tracker.apply(event.contentChanges);
      const detailed = classifyDetailed(detailedReasonOf(event).reason);
      if (detailed && detailed !== "ignore" && detailed.origin === "ai") {
        tool = detailed.tool;
      }
      last = { version: event.document.version, ranges: spansToRanges(tracker.spans(), (offset) => event.document.positionAt(offset)) };
      arrived();
    });
    this.wrapping.add(key);
    try {
      await vscode.commands.executeCommand(builtin);
      if (!last) {
        await Promise.race([firstChange, delay(ACCEPT_EVENT_GRACE_MS)]);
      }
    } finally {
      listener.dispose();
      this.wrapping.delete(key);
    }
    const providerReported = this.reportedByApi.delete(key);
    if (!last || last.ranges.length === 0) {
      return undefined;
    }
    const added = last.ranges.map((r) => new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character));
    if (providerReported) {
      return added;
    }
    const reported: Omit<EditOriginParams, "textDocument"> = {
      origin: "ai",
      kind: "inline-completion",
      tool: tool ?? this.activeAiTool(),
      ranges: last.ranges,
    };
    this.server.log.info(`accepted inline suggestion (${builtin}) by ${reported.tool}: ${describeRanges(last.ranges)} reported as AI`);
    await this.send(document, last.version, reported);
    return added;
  }

  private onChange(event: vscode.TextDocumentChangeEvent): void {
    const document = event.document;
    if (isChatEditingScheme(document.uri.scheme)) {
      this.noteChatDocument(document);
      return;
    }
    const key = document.uri.toString();
    if (!isWatched(document) || event.contentChanges.length === 0 || this.wrapping.has(key)) {
      return;
    }
    const { available, reason } = detailedReasonOf(event);
    const classified = classifyChange({
      detailed: reason,
      detailedAvailable: available,
      reason: event.reason,
      chatActive: this.chat.isRecent(document.uri.path, Date.now()),
      saving: this.saving.has(key),
      chatTool: this.chatTool(),
    });
    if (!classified) {
      return;
    }
    const tracker = new InsertionTracker();
    tracker.apply(event.contentChanges);
    const ranges = spansToRanges(tracker.spans(), (offset) => document.positionAt(offset));
    if (ranges.length === 0) {
      return;
    }
    const version = document.version;
    // Let the language client put this change's didChange on the wire first.
    setTimeout(() => void this.send(document, version, { ...classified, ranges }), 0);
    if (classified.kind === "chat-edit") {
      void this.gate.chatEdit(document, classified.tool ?? "unknown");
    }
  }

  private noteChatDocument(document: vscode.TextDocument): void {
    if (isChatEditingScheme(document.uri.scheme)) {
      this.chat.note(document.uri.path, Date.now());
    }
  }

  private activeAiTool(): string {
    return guessToolFromExtensions(vscode.extensions.all.filter((e) => e.isActive).map((e) => e.id));
  }

  /** VS Code's chat editing belongs to Copilot Chat unless another known assistant is the only active one. */
  private chatTool(): string {
    const guess = this.activeAiTool();
    return guess === "unknown" && vscode.extensions.getExtension("github.copilot-chat") ? "copilot" : guess;
  }

  private async send(document: vscode.TextDocument, version: number, origin: Omit<EditOriginParams, "textDocument">): Promise<void> {
    const client = this.server.client;
    if (!client || !this.server.running) {
      this.server.log.debug(`editOrigin not sent (server not running): ${origin.origin} ${document.uri.fsPath}`);
      return;
    }
    const params: EditOriginParams = { textDocument: { uri: client.code2ProtocolConverter.asUri(document.uri), version }, ...origin };
    this.server.log.debug(`editOrigin ${JSON.stringify(params)}`);
    await client.sendNotification(EDIT_ORIGIN, params);
  }
}
