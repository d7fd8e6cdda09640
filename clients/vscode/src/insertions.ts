/**
 * Where inserted text ends up: turns the content changes of one or more document change events into
 * the character spans that new text occupies in the document after the last change.
 *
 * Used to report the ranges of an accepted AI suggestion (`ringfence/editOrigin`). When the text
 * before the first change is known, each change is trimmed to the characters it really changed: an
 * inline suggestion that replaces the "d" the user typed with "def f():" reports only "ef f():" as
 * AI-written, because the "d" was the user's. Pure: no `vscode` import.
 */

import type { Position, Range } from "./protocol";

/** One content change, as in `vscode.TextDocumentContentChangeEvent` (UTF-16 offsets). */
export interface Change {
  rangeOffset: number;
  rangeLength: number;
  text: string;
}

/** A half-open span `[start, end)` of UTF-16 offsets. */
export interface Span {
  start: number;
  end: number;
}

/**
 * Follows a sequence of changes and keeps the spans of inserted text, shifted by every later change.
 * Changes are applied in order, as LSP and VS Code apply the changes of one event.
 */
export class InsertionTracker {
  private text: string | undefined;
  private current: Span[] = [];

  /** `before` is the document text before the first change; without it nothing is trimmed. */
  constructor(before?: string) {
    this.text = before;
  }

  apply(changes: readonly Change[]): void {
    for (const change of changes) {
      this.applyOne(this.trimmed(change));
    }
  }

  spans(): Span[] {
    return this.current.map((span) => ({ ...span }));
  }

  /** The change reduced to the characters that differ from the text it replaces. */
  private trimmed(change: Change): Change {
    if (this.text === undefined) {
      return change;
    }
    const { rangeOffset, rangeLength, text } = change;
    const old = this.text.slice(rangeOffset, rangeOffset + rangeLength);
    this.text = this.text.slice(0, rangeOffset) + text + this.text.slice(rangeOffset + rangeLength);
    const prefix = commonPrefix(old, text);
    const suffix = commonSuffix(old.slice(prefix), text.slice(prefix));
    return {
      rangeOffset: rangeOffset + prefix,
      rangeLength: rangeLength - prefix - suffix,
      text: text.slice(prefix, text.length - suffix),
    };
  }

  private applyOne({ rangeOffset: at, rangeLength: removed, text }: Change): void {
    const delta = text.length - removed;
    const shifted: Span[] = [];
    for (const span of this.current) {
      const start = shiftPoint(span.start, at, removed, delta, at + text.length);
      const end = shiftPoint(span.end, at, removed, delta, at);
      if (start < end) {
        shifted.push({ start, end });
      }
    }
    if (text.length > 0) {
      shifted.push({ start: at, end: at + text.length });
    }
    this.current = merge(shifted);
  }
}

/** Where an offset moves when `removed` characters at `at` are replaced; `inside` for deleted offsets. */
function shiftPoint(point: number, at: number, removed: number, delta: number, inside: number): number {
  if (point <= at) {
    return point;
  }
  if (point >= at + removed) {
    return point + delta;
  }
  return inside;
}

function merge(spans: Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const out: Span[] = [];
  for (const span of sorted) {
    const last = out[out.length - 1];
    if (last && span.start <= last.end) {
      last.end = Math.max(last.end, span.end);
    } else {
      out.push({ ...span });
    }
  }
  return out;
}

function commonPrefix(a: string, b: string): number {
  const limit = Math.min(a.length, b.length);
  let i = 0;
  while (i < limit && a.charCodeAt(i) === b.charCodeAt(i)) {
    i++;
  }
  return i;
}

function commonSuffix(a: string, b: string): number {
  const limit = Math.min(a.length, b.length);
  let i = 0;
  while (i < limit && a.charCodeAt(a.length - 1 - i) === b.charCodeAt(b.length - 1 - i)) {
    i++;
  }
  return i;
}

/** The position of a UTF-16 offset in `text` (lines split at LF, CRLF and CR, as VS Code does). */
export function positionAt(text: string, offset: number): Position {
  const clamped = Math.max(0, Math.min(offset, text.length));
  let line = 0;
  let lineStart = 0;
  for (let i = 0; i < clamped; i++) {
    const code = text.charCodeAt(i);
    if (code === 10 || (code === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, character: clamped - lineStart };
}

/** Spans as LSP ranges, converting offsets with the document's own `positionAt`. */
export function spansToRanges(spans: readonly Span[], toPosition: (offset: number) => Position): Range[] {
  return spans.map((span) => ({ start: toPosition(span.start), end: toPosition(span.end) }));
}
