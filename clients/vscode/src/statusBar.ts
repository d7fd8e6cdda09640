/**
 * The status bar item for the active file: its level and zone from `ringfence/explain`, coloured
 * by how strict the level is, the reason in the tooltip; clicking runs `ringfence.explain`.
 * When the server is not running the item says so, so nobody mistakes silence for "open".
 */

import * as vscode from "vscode";
import { oneLine } from "./discovery";
import { statusText, tone, tooltipMarkdown } from "./presentation";
import { isWatched, type RingfenceServer } from "./server";

const REFRESH_DELAY_MS = 150;
const POLICY_FILES = /(^|\/)(\.ringfence\.toml|pyproject\.toml|\.aiexclude|\.aiignore|\.cursorignore|\.codeiumignore|\.aiderignore|\.geminiignore|\.continueignore|\.clineignore|\.rooignore)$/;

export class LevelStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem("ringfence.level", vscode.StatusBarAlignment.Left, 50);
  private readonly disposables: vscode.Disposable[] = [this.item];
  private timer: NodeJS.Timeout | undefined;
  private generation = 0;

  constructor(private readonly server: RingfenceServer) {
    this.item.name = "ringfence level";
    this.disposables.push(
      vscode.window.onDidChangeActiveTextEditor(() => this.refresh()),
      server.onDidChange(() => this.refresh()),
      vscode.workspace.onDidSaveTextDocument((document) => {
        if (POLICY_FILES.test(document.uri.path)) {
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
      return;
    }
    if (this.server.starting) {
      this.item.text = "$(sync~spin) ringfence";
      this.item.tooltip = "The ringfence language server is starting.";
      this.item.backgroundColor = undefined;
      this.item.command = "ringfence.showOutput";
      this.item.show();
      return;
    }
    if (!this.server.running) {
      this.showOff();
      return;
    }
    try {
      const result = await this.server.explain(document.uri);
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
    } catch (error) {
      if (generation === this.generation) {
        this.server.log.warn(`ringfence/explain failed: ${oneLine(error)}`);
        this.item.hide();
      }
    }
  }

  private showOff(): void {
    this.item.text = "$(circle-slash) ringfence off";
    this.item.tooltip = "The ringfence language server is not running: AI edits are not checked. Click to show its output.";
    this.item.backgroundColor = new vscode.ThemeColor("statusBarItem.warningBackground");
    this.item.command = "ringfence.showOutput";
    this.item.show();
  }
}
