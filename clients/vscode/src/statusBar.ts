/**
 * The status bar items for the active file: its level and zone from `ringfence/explain`, coloured
 * by how strict the level is, the reason in the tooltip; clicking runs `ringfence.explain`.
 * When the server is not running the item says so, so nobody mistakes silence for "open".
 * Next to it, `$(circle-slash) held back` marks a file where the accept wrappers refuse the likely
 * suggesting tool's inline suggestions (`ringfence.inlineSuggestions.prevent` = block).
 */

import * as vscode from "vscode";
import { oneLine } from "./discovery";
import { activeSuggestingTools, preventModeFor } from "./gate";
import type { Levels } from "./levels";
import { statusText, tone, tooltipMarkdown } from "./presentation";
import { heldBackTooltip, holdsBack } from "./prevention";
import type { ExplainResult } from "./protocol";
import { isWatched, type RingfenceServer } from "./server";

const REFRESH_DELAY_MS = 150;

export class LevelStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem("ringfence.level", vscode.StatusBarAlignment.Left, 50);
  private readonly heldBack = vscode.window.createStatusBarItem("ringfence.heldBack", vscode.StatusBarAlignment.Left, 49);
  private readonly disposables: vscode.Disposable[] = [this.item, this.heldBack];
  private timer: NodeJS.Timeout | undefined;
  private generation = 0;

  constructor(
    private readonly server: RingfenceServer,
    private readonly levels: Levels,
  ) {
    this.item.name = "ringfence level";
    this.heldBack.name = "ringfence: AI suggestions held back";
    this.disposables.push(
      vscode.window.onDidChangeActiveTextEditor(() => this.refresh()),
      server.onDidChange(() => this.refresh()),
      levels.onDidForget(() => this.refresh()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration("ringfence.inlineSuggestions")) {
          this.refresh();
        }
      }),
      vscode.languages.onDidChangeDiagnostics((event) => {
        const active = vscode.window.activeTextEditor?.document.uri.toString();
        if (active && event.uris.some((uri) => uri.toString() === active)) {
          this.refresh();
        }
      }),
    );
    this.refresh();
  }

  refresh(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.update(), REFRESH_DELAY_MS);
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const disposable of this.disposables) {
      disposable.dispose();
    }
  }

  private async update(): Promise<void> {
    const generation = ++this.generation;
    const document = vscode.window.activeTextEditor?.document;
    if (!document || !isWatched(document)) {
      this.item.hide();
      this.heldBack.hide();
      return;
    }
    if (this.server.starting) {
      this.item.text = "$(sync~spin) ringfence";
      this.item.tooltip = "The ringfence language server is starting.";
      this.item.backgroundColor = undefined;
      this.item.command = "ringfence.showOutput";
      this.item.show();
      this.heldBack.hide();
      return;
    }
    if (!this.server.running) {
      this.showOff();
      return;
    }
    try {
      const result = await this.levels.explain(document);
      if (generation !== this.generation) {
        return;
      }
      if (!result) {
        this.showOff();
        return;
      }
      this.item.text = statusText(result);
      this.item.tooltip = new vscode.MarkdownString(tooltipMarkdown(result));
      const level = tone(result);
      this.item.backgroundColor = level === "none" ? undefined : new vscode.ThemeColor(`statusBarItem.${level}Background`);
      this.item.command = "ringfence.explain";
      this.item.accessibilityInformation = { label: `ringfence level ${result.level}${result.zone ? `, zone ${result.zone}` : ""}` };
      this.item.show();
      this.showHeldBack(document, result);
    } catch (error) {
      if (generation === this.generation) {
        this.server.log.warn(`ringfence/explain failed: ${oneLine(error)}`);
        this.item.hide();
        this.heldBack.hide();
      }
    }
  }

  private showHeldBack(document: vscode.TextDocument, result: ExplainResult): void {
    const tools = activeSuggestingTools();
    if (!holdsBack(preventModeFor(document), result, tools)) {
      this.heldBack.hide();
      return;
    }
    const tooltip = heldBackTooltip(result, tools);
    this.heldBack.text = "$(circle-slash) AI held back";
    this.heldBack.tooltip = tooltip;
    this.heldBack.accessibilityInformation = { label: tooltip };
    this.heldBack.command = "ringfence.explain";
    this.heldBack.show();
  }

  private showOff(): void {
    this.heldBack.hide();
    this.item.text = "$(circle-slash) ringfence off";
    this.item.tooltip = "The ringfence language server is not running: AI edits are not checked. Click to show its output.";
    this.item.backgroundColor = new vscode.ThemeColor("statusBarItem.warningBackground");
    this.item.command = "ringfence.showOutput";
    this.item.show();
  }
}
