/**
 * Stops known completion providers from asking while a deny-zone document is the active editor
 * (pauses.ts decides what; `ringfence.inlineSuggestions.pauseProviders`), and writes back exactly
 * what was there when another file becomes active, the level changes, the document closes or the
 * extension stops. What it changed is kept in the extension's global state too, so a window that
 * crashed is repaired at the next start. The settings are the user's (global) ones: a workspace
 * `.vscode/settings.json` in the repository is never touched.
 */

import * as vscode from "vscode";
import { oneLine } from "./discovery";
import { preventModeFor } from "./gate";
import type { Levels } from "./levels";
import {
  COPILOT_ENABLE,
  copilotEnableWithout,
  INLINE_SUGGEST_ENABLED,
  NO_PAUSE,
  type PausedSetting,
  type PausePlan,
  pausePlan,
  restoredValue,
  samePlan,
} from "./pauses";
import { isWatched, type RingfenceServer } from "./server";

const STATE_KEY = "ringfence.pausedSettings";
const SYNC_DELAY_MS = 200;

interface Active {
  uri: string;
  language: string;
  plan: PausePlan;
  paused: PausedSetting[];
}

export class ProviderPause implements vscode.Disposable {
  private active: Active | undefined;
  private queue: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly server: RingfenceServer,
    private readonly levels: Levels,
  ) {
    const leftover = context.globalState.get<PausedSetting[]>(STATE_KEY, []);
    if (leftover.length > 0) {
      this.enqueue(() => this.restore(leftover, "left over from the last session"));
    }
    this.disposables.push(
      vscode.window.onDidChangeActiveTextEditor(() => this.schedule()),
      vscode.workspace.onDidCloseTextDocument(() => this.schedule()),
      levels.onDidForget(() => this.schedule()),
      server.onDidChange(() => this.schedule()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration("ringfence.inlineSuggestions")) {
          this.schedule();
        }
      }),
    );
    this.schedule();
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const disposable of this.disposables) {
      disposable.dispose();
    }
  }

  /** Writes back everything paused (deactivation). */
  restoreAll(): Promise<void> {
    clearTimeout(this.timer);
    return this.enqueue(() => this.lift("the extension stops"));
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.enqueue(() => this.sync()), SYNC_DELAY_MS);
  }

  /** Runs setting writes one after another, so a pause and its restore never interleave. */
  private enqueue(work: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(work).catch((error) => this.server.log.warn(`pausing completion providers: ${oneLine(error)}`));
    return this.queue;
  }

  private async sync(): Promise<void> {
    const document = vscode.window.activeTextEditor?.document;
    const wanted = document && isWatched(document) ? await this.planFor(document) : NO_PAUSE;
    const active = this.active;
    if (active && document && active.language === document.languageId && samePlan(active.plan, wanted)) {
      active.uri = document.uri.toString();
      return;
    }
    await this.lift(document ? `${vscode.workspace.asRelativePath(document.uri)} is active` : "no file is active");
    if (document && (wanted.inlineSuggest || wanted.copilot)) {
      await this.pause(document, wanted);
    }
  }

  private async planFor(document: vscode.TextDocument): Promise<PausePlan> {
    const enabled = vscode.workspace.getConfiguration("ringfence", document.uri).get<boolean>("inlineSuggestions.pauseProviders", true);
    const mode = preventModeFor(document);
    if (!enabled || mode !== "block") {
      return NO_PAUSE;
    }
    const copilot = vscode.extensions.getExtension("github.copilot") !== undefined;
    return pausePlan(mode, enabled, await this.levels.explain(document).catch(() => undefined), copilot);
  }

  private async pause(document: vscode.TextDocument, plan: PausePlan): Promise<void> {
    const language = document.languageId;
    const paused: PausedSetting[] = [];
    this.active = { uri: document.uri.toString(), language, plan, paused };
    if (plan.inlineSuggest) {
      const editor = vscode.workspace.getConfiguration("editor", { languageId: language });
      const previous = editor.inspect<boolean>("inlineSuggest.enabled")?.globalLanguageValue;
      paused.push({ setting: INLINE_SUGGEST_ENABLED, language, languageOverride: true, previous, written: false });
      await this.remember();
      await editor.update("inlineSuggest.enabled", false, vscode.ConfigurationTarget.Global, true);
    }
    if (plan.copilot) {
      const copilot = vscode.workspace.getConfiguration("github.copilot");
      const previous = copilot.inspect<unknown>("enable")?.globalValue;
      const written = copilotEnableWithout(previous, language);
      paused.push({ setting: COPILOT_ENABLE, language, languageOverride: false, previous, written });
      await this.remember();
      await copilot.update("enable", written, vscode.ConfigurationTarget.Global);
    }
    this.server.log.info(`paused ${paused.map((p) => `${p.languageOverride ? `[${language}] ` : ""}${p.setting}`).join(", ")} while ${vscode.workspace.asRelativePath(document.uri)} is active`);
  }

  private async lift(why: string): Promise<void> {
    const active = this.active;
    this.active = undefined;
    if (active && active.paused.length > 0) {
      await this.restore(active.paused, why);
    }
  }

  private async restore(paused: readonly PausedSetting[], why: string): Promise<void> {
    for (const setting of [...paused].reverse()) {
      const [section, key] = setting.setting === COPILOT_ENABLE ? ["github.copilot", "enable"] : ["editor", "inlineSuggest.enabled"];
      const config = vscode.workspace.getConfiguration(section, setting.languageOverride ? { languageId: setting.language } : undefined);
      const seen = config.inspect<unknown>(key);
      const current = setting.languageOverride ? seen?.globalLanguageValue : seen?.globalValue;
      const restored = restoredValue(setting, current);
      if (restored) {
        await config.update(key, restored.value, vscode.ConfigurationTarget.Global, setting.languageOverride || undefined);
      }
    }
    await this.context.globalState.update(STATE_KEY, []);
    this.server.log.info(`restored ${paused.map((p) => `${p.languageOverride ? `[${p.language}] ` : ""}${p.setting}`).join(", ")} (${why})`);
  }

  private remember(): Thenable<void> {
    return this.context.globalState.update(STATE_KEY, this.active?.paused ?? []);
  }
}
