/**
 * Which completion providers to pause for a deny-zone document, and how to write back exactly what
 * was there. VS Code has no per-file switch for inline suggestions: `editor.inlineSuggest.enabled`
 * can be overridden per language (`[python]`), and Copilot's `github.copilot.enable` is an object
 * keyed by language id. So a pause holds for the active document's language while that document is
 * the active editor, and is undone when another file becomes active, the level changes, or the
 * extension stops. Pure: no `vscode` import.
 */

import { deniesEveryTool, editsFor, type PreventMode } from "./prevention";
import type { ExplainResult } from "./protocol";

/** One user setting the extension changed, with the value it replaced (undefined: there was none). */
export interface PausedSetting {
  /** `editor.inlineSuggest.enabled` (language override) or `github.copilot.enable`. */
  setting: string;
  language: string;
  /** Written as a language override (`[language]` block) rather than as the setting itself. */
  languageOverride: boolean;
  previous: unknown;
  written: unknown;
}

export const INLINE_SUGGEST_ENABLED = "editor.inlineSuggest.enabled";
export const COPILOT_ENABLE = "github.copilot.enable";

export interface PausePlan {
  /** Every tool is denied here: VS Code asks no inline provider (`[language] editor.inlineSuggest.enabled = false`). */
  inlineSuggest: boolean;
  /** Copilot is denied here (and installed): `github.copilot.enable[language] = false`. */
  copilot: boolean;
}

export const NO_PAUSE: PausePlan = { inlineSuggest: false, copilot: false };

/** What to pause for a document with this explain answer. */
export function pausePlan(mode: PreventMode, enabled: boolean, result: ExplainResult | undefined, copilotInstalled: boolean): PausePlan {
  if (mode !== "block" || !enabled || !result) {
    return NO_PAUSE;
  }
  const inlineSuggest = deniesEveryTool(result);
  return { inlineSuggest, copilot: !inlineSuggest && copilotInstalled && editsFor(result, "copilot") === "deny" };
}

export function samePlan(a: PausePlan, b: PausePlan): boolean {
  return a.inlineSuggest === b.inlineSuggest && a.copilot === b.copilot;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * `github.copilot.enable` with `language` turned off. Copilot reads an object without `"*"` as off
 * for every language it does not list, so `"*": true` is added when the user had no `"*"`.
 */
export function copilotEnableWithout(current: unknown, language: string): Record<string, unknown> {
  const value: Record<string, unknown> = isRecord(current) ? { ...current } : {};
  if (!("*" in value)) {
    value["*"] = true;
  }
  value[language] = false;
  return value;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The value to write back for a paused setting given what it holds now, or undefined to leave it
 * alone: when someone changed it since, only our own key of Copilot's object is put back, and a
 * boolean the user set again is left as they set it.
 */
export function restoredValue(paused: PausedSetting, current: unknown): { value: unknown } | undefined {
  if (sameValue(current, paused.written)) {
    return { value: paused.previous };
  }
  if (paused.setting === COPILOT_ENABLE && isRecord(current) && current[paused.language] === false) {
    const value = { ...current };
    const before = isRecord(paused.previous) ? paused.previous[paused.language] : undefined;
    if (before === undefined) {
      delete value[paused.language];
    } else {
      value[paused.language] = before;
    }
    return { value };
  }
  return undefined;
}
