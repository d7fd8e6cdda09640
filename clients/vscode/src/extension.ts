/**
 * The ringfence VS Code extension: starts the ringfence language server, reports which edits came
 * from AI, refuses inline suggestions where the zone denies the suggesting tool (and pauses known
 * providers there), shows the active file's level in the status bar and adds the "ringfence"
 * palette commands. `activate` returns the public API that an in-house assistant's extension uses to
 * register its own edits (`reportAiEdit`).
 */

import * as vscode from "vscode";
import { registerCommands } from "./commands";
import { EditOriginReporter } from "./editOrigins";
import { SuggestionGate } from "./gate";
import { Levels } from "./levels";
import type { OriginKind } from "./protocol";
import { ProviderPause } from "./providerPause";
import { RingfenceServer } from "./server";
import { LevelStatus } from "./statusBar";

/** What `vscode.extensions.getExtension("ringfence.ringfence").exports` holds. */
export interface RingfenceApi {
  readonly apiVersion: 1;
  /**
   * Reports that `tool` (a tool id such as your in-house assistant's name) wrote `ranges` of
   * `document` (in its current version). Call it right after your edit is applied.
   */
  reportAiEdit(
    document: vscode.TextDocument | vscode.Uri,
    ranges: readonly vscode.Range[],
    tool: string,
    model?: string,
    kind?: OriginKind,
  ): Promise<void>;
}

let server: RingfenceServer | undefined;
let pause: ProviderPause | undefined;

export function activate(context: vscode.ExtensionContext): RingfenceApi {
  const log = vscode.window.createOutputChannel("ringfence", { log: true });
  server = new RingfenceServer(context, log);
  const levels = new Levels(server);
  const gate = new SuggestionGate(server, levels);
  const reporter = new EditOriginReporter(server, gate);
  pause = new ProviderPause(context, server, levels);
  context.subscriptions.push(log, server, levels, gate, reporter, pause, new LevelStatus(server, levels), ...registerCommands(server));
  void server.start();
  return {
    apiVersion: 1,
    reportAiEdit: (document, ranges, tool, model, kind) => reporter.reportAiEdit(document, ranges, tool, model, kind),
  };
}

export async function deactivate(): Promise<void> {
  await pause?.restoreAll(); // the settings a deny-zone file paused are written back before the window goes
  pause = undefined;
  await server?.stop();
  server = undefined;
}
