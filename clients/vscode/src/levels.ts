/**
 * The files' levels as the server judges them (`ringfence/explain`), remembered per document
 * version so the status bar, the accept wrappers and the provider pause share one answer per
 * version. A policy or ignore file saved, or the server restarting, forgets every answer.
 */

import * as vscode from "vscode";
import { oneLine } from "./discovery";
import { VersionedCache } from "./prevention";
import type { ExplainResult } from "./protocol";
import type { RingfenceServer } from "./server";

/** Files whose change can change any file's level. */
export const POLICY_FILES =
  /(^|\/)(\.ringfence\.toml|pyproject\.toml|\.aiexclude|\.aiignore|\.cursorignore|\.codeiumignore|\.aiderignore|\.geminiignore|\.continueignore|\.clineignore|\.rooignore)$/;

/** How long an accept waits for a fresh answer before it uses the last one for the file. */
const FRESH_ANSWER_MS = 1500;

export class Levels implements vscode.Disposable {
  private readonly cache = new VersionedCache<ExplainResult | null>();
  /** The newest answer per file, whatever its version: the fallback when the server is slow. */
  private readonly latest = new Map<string, ExplainResult | null>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when every answer was forgotten (policy saved, server changed). */
  readonly onDidForget = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(private readonly server: RingfenceServer) {
    this.disposables.push(
      server.onDidChange(() => this.forget()),
      vscode.workspace.onDidSaveTextDocument((document) => {
        if (POLICY_FILES.test(document.uri.path)) {
          this.forget();
        }
      }),
      vscode.workspace.onDidCloseTextDocument((document) => {
        this.cache.delete(document.uri.toString());
        this.latest.delete(document.uri.toString());
      }),
    );
  }

  /** The server's answer for this version of the document; undefined when the server is not running or failed. */
  async explain(document: vscode.TextDocument): Promise<ExplainResult | undefined> {
    const key = document.uri.toString();
    const cached = this.cache.get(key, document.version);
    if (cached !== undefined) {
      return cached ?? undefined;
    }
    if (!this.server.running) {
      return undefined;
    }
    const version = document.version;
    const result = (await this.server.explain(document.uri)) ?? null;
    this.cache.set(key, version, result);
    this.latest.set(key, result);
    return result ?? undefined;
  }

  /**
   * Like `explain`, but waits at most FRESH_ANSWER_MS, then uses the last answer for the file
   * (a level changes with the policy, rarely with typing). Never throws.
   */
  async explainSoon(document: vscode.TextDocument): Promise<ExplainResult | undefined> {
    const key = document.uri.toString();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), FRESH_ANSWER_MS)));
    try {
      const answer = await Promise.race([this.explain(document), late]);
      return answer === "late" ? this.latest.get(key) ?? undefined : answer;
    } catch (error) {
      this.server.log.warn(`ringfence/explain failed: ${oneLine(error)}`);
      return this.latest.get(key) ?? undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  forget(): void {
    this.cache.clear();
    this.latest.clear();
    this.changed.fire();
  }

  dispose(): void {
    for (const disposable of this.disposables) {
      disposable.dispose();
    }
  }
}
