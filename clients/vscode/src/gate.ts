/**
 * The accept wrappers' gate: before Tab, next word or next line accepts an inline suggestion it
 * asks prevention.ts whether the file's level lets the suggesting tool write here, and refuses
 * (`block`: the ghost text is hidden, a notice names the zone) or accepts with a notice (`warn`).
 * The notice's `Move to <assistant>` button accepts the suggestion and hands it to the in-house
 * assistant at once through the server's `ringfence.handoff` (the same command as the quick fix),
 * reverting it if the handoff does not apply. Never blocks where the server cannot answer.
 */

import * as vscode from "vscode";
import { oneLine } from "./discovery";
import type { Levels } from "./levels";
import { knownToolsOf } from "./origins";
import {
  type AcceptDecision,
  chatEditNotice,
  decideAccept,
  editsFor,
  type Notice,
  type PreventMode,
  preventMode,
  suggestingTools,
} from "./prevention";
import { SERVER_COMMANDS } from "./protocol";
import type { RingfenceServer } from "./server";

const SOURCE = "ringfence";
/** How long the `Move to` flow waits for the accepted lines' finding and its handoff action. */
const HANDOFF_ACTION_WAIT_MS = 5000;
const RETRIGGER_ATTEMPTS = 6;
const RETRIGGER_PAUSE_MS = 300;
/** One chat-edit notice per file within this time (a chat writes a file in several changes). */
const CHAT_NOTICE_GAP_MS = 10_000;

/** `ringfence.inlineSuggestions.prevent` for a document. */
export function preventModeFor(document?: vscode.TextDocument): PreventMode {
  return preventMode(vscode.workspace.getConfiguration("ringfence", document?.uri).get("inlineSuggestions.prevent"));
}

/** The tools that may be behind a visible suggestion: the active known AI extensions that suggest inline, else `unknown`. */
export function activeSuggestingTools(): string[] {
  return suggestingTools(knownToolsOf(vscode.extensions.all.filter((e) => e.isActive).map((e) => e.id)));
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Accepts the visible suggestion (reported as AI) and returns the ranges it added, if one was visible. */
export type AcceptNow = () => Promise<vscode.Range[] | undefined>;

export class SuggestionGate implements vscode.Disposable {
  private saidUnchecked = false;
  private readonly chatNoticeAt = new Map<string, number>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly server: RingfenceServer,
    private readonly levels: Levels,
  ) {
    this.disposables.push(
      server.onDidChange(() => {
        if (server.running) {
          this.saidUnchecked = false;
        }
      }),
    );
  }

  dispose(): void {
    for (const disposable of this.disposables) {
      disposable.dispose();
    }
  }

  /** What to do with the suggestion visible in `editor`. */
  async decide(editor: vscode.TextEditor): Promise<AcceptDecision> {
    const mode = preventModeFor(editor.document);
    if (mode === "off") {
      return { action: "accept" };
    }
    const result = this.server.running ? await this.levels.explainSoon(editor.document) : undefined;
    if (!result) {
      this.sayUncheckedOnce();
      return { action: "accept" };
    }
    return decideAccept(mode, result, activeSuggestingTools());
  }

  /** `block`: hides the ghost text and says why; `Move to <assistant>` re-shows, accepts and hands it off. */
  async refuse(editor: vscode.TextEditor, decision: Extract<AcceptDecision, { action: "refuse" }>, acceptNow: AcceptNow): Promise<void> {
    await vscode.commands.executeCommand("editor.action.inlineSuggest.hide");
    const at = { version: editor.document.version, position: editor.selection.active };
    this.server.log.info(`inline suggestion by ${decision.tool} refused in ${editor.document.uri.fsPath}: ${decision.notice.message}`);
    const moveTo = decision.notice.moveTo;
    // The notice waits for the developer; the wrapper command returns at once.
    void this.show(decision.notice).then((choice) => (choice && moveTo ? this.moveRefused(editor, at, acceptNow, moveTo) : undefined));
  }

  /** `warn`: the suggestion was accepted (its `ranges`); says so, and `Move to <assistant>` hands it off. */
  warn(document: vscode.TextDocument, decision: Extract<AcceptDecision, { action: "accept-and-warn" }>, ranges: vscode.Range[]): void {
    this.server.log.info(`inline suggestion by ${decision.tool} accepted with a warning in ${document.uri.fsPath}`);
    const moveTo = decision.notice.moveTo;
    void this.show(decision.notice).then((choice) => (choice && moveTo ? this.handOff(document, ranges, moveTo) : undefined));
  }

  /**
   * A chat or agent edit was written into the document (reported as AI): where the zone denies its
   * tool, say so while it is still pending Keep / Undo (its RF001 is already on the lines).
   */
  async chatEdit(document: vscode.TextDocument, tool: string): Promise<void> {
    const key = document.uri.toString();
    const now = Date.now();
    if (preventModeFor(document) === "off" || now - (this.chatNoticeAt.get(key) ?? -Infinity) < CHAT_NOTICE_GAP_MS) {
      return;
    }
    const result = await this.levels.explainSoon(document);
    if (!result || editsFor(result, tool) !== "deny") {
      return;
    }
    this.chatNoticeAt.set(key, now);
    const notice = chatEditNotice(result, tool);
    this.server.log.info(`chat edit by ${tool} in ${document.uri.fsPath}: ${notice.message}`);
    void vscode.window.showWarningMessage(notice.message);
  }

  private async show(notice: Notice): Promise<string | undefined> {
    const buttons = notice.moveTo ? [`Move to ${notice.moveTo}`] : [];
    return vscode.window.showWarningMessage(notice.message, ...buttons);
  }

  private sayUncheckedOnce(): void {
    if (this.saidUnchecked) {
      return;
    }
    this.saidUnchecked = true;
    const message = "ringfence: the language server is not running, so inline suggestions are accepted without checking the zone.";
    this.server.log.warn(message);
    void vscode.window.showWarningMessage(message, "Show output").then((choice) => choice && this.server.log.show());
  }

  private async moveRefused(
    editor: vscode.TextEditor,
    at: { version: number; position: vscode.Position },
    acceptNow: AcceptNow,
    assistant: string,
  ): Promise<void> {
    const document = editor.document;
    const gone = `ringfence: the suggestion is gone (the file or the cursor moved); ask ${assistant} directly.`;
    if (document.version !== at.version || !editor.selection.active.isEqual(at.position)) {
      void vscode.window.showInformationMessage(gone);
      return;
    }
    await vscode.window.showTextDocument(document, { viewColumn: editor.viewColumn, preserveFocus: false });
    let ranges: vscode.Range[] | undefined;
    for (let attempt = 0; attempt < RETRIGGER_ATTEMPTS && !ranges?.length; attempt++) {
      await vscode.commands.executeCommand("editor.action.inlineSuggest.trigger");
      await delay(RETRIGGER_PAUSE_MS);
      ranges = await acceptNow();
    }
    if (!ranges?.length) {
      void vscode.window.showInformationMessage(gone);
      return;
    }
    await this.handOff(document, ranges, assistant);
  }

  /** Runs the server's handoff for the AI region over `ranges`; reverts the region if it did not apply. */
  private async handOff(document: vscode.TextDocument, ranges: vscode.Range[], assistant: string): Promise<void> {
    const handoff = await this.serverAction(document, ranges, SERVER_COMMANDS.handoff);
    if (!handoff) {
      void vscode.window.showErrorMessage(`ringfence: ${assistant} cannot take this suggestion over (no handoff offered for its lines).`);
      return;
    }
    try {
      const result = await vscode.commands.executeCommand<{ applied?: boolean } | undefined>(handoff.command, ...(handoff.arguments ?? []));
      if (result && result.applied === false) {
        const revert = await this.serverAction(document, ranges, SERVER_COMMANDS.revert, 0);
        if (revert) {
          await vscode.commands.executeCommand(revert.command, ...(revert.arguments ?? []));
        }
      }
    } catch (error) {
      void vscode.window.showErrorMessage(`ringfence: Move to ${assistant} failed: ${oneLine(error)}`);
    }
  }

  /** The server's code action running `command` for a ringfence finding over `ranges`, once one is offered. */
  private async serverAction(document: vscode.TextDocument, ranges: vscode.Range[], command: string, waitMs = HANDOFF_ACTION_WAIT_MS): Promise<vscode.Command | undefined> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const findings = vscode.languages
        .getDiagnostics(document.uri)
        .filter((d) => d.source === SOURCE && ranges.some((range) => d.range.intersection(range) !== undefined));
      for (const finding of findings) {
        const actions =
          (await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>("vscode.executeCodeActionProvider", document.uri, finding.range)) ?? [];
        for (const action of actions) {
          const found = action instanceof vscode.CodeAction ? action.command : (action as vscode.Command);
          if (found?.command === command) {
            return found;
          }
        }
      }
      if (Date.now() > deadline) {
        return undefined;
      }
      await delay(200);
    }
  }
}
