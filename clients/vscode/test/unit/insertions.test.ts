// Range computation for accepted suggestions and other reported insertions (src/insertions.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { type Change, InsertionTracker, positionAt, spansToRanges } from "../../src/insertions";

/** Applies changes to a text the way VS Code does (in order), for checking trackers against. */
function applyAll(text: string, changes: Change[]): string {
  for (const c of changes) {
    text = text.slice(0, c.rangeOffset) + c.text + text.slice(c.rangeOffset + c.rangeLength);
  }
  return text;
}

function ranges(before: string | undefined, events: Change[][], base = before ?? "") {
  const tracker = new InsertionTracker(before);
  let text = base;
  for (const changes of events) {
    tracker.apply(changes);
    text = applyAll(text, changes);
  }
  return { text, ranges: spansToRanges(tracker.spans(), (o) => positionAt(text, o)) };
}

const pos = (line: number, character: number) => ({ line, character });

test("an accepted suggestion that replaces the typed prefix reports only the new characters", () => {
  // Line 1 holds the "d" the user typed; the suggestion replaces [1,0]-[1,1] with a whole function.
  const before = "import os\nd\nprint(1)\n";
  const change = { rangeOffset: 10, rangeLength: 1, text: "def f():\n    return 1\n" };
  const { text, ranges: got } = ranges(before, [[change]]);
  assert.equal(text, "import os\ndef f():\n    return 1\n\nprint(1)\n");
  assert.deepEqual(got, [{ start: pos(1, 1), end: pos(3, 0) }]);
});

test("without the text before, the whole replaced range is reported", () => {
  const change = { rangeOffset: 10, rangeLength: 1, text: "def f():\n    return 1\n" };
  const { ranges: got } = ranges(undefined, [[change]], "import os\nd\nprint(1)\n");
  assert.deepEqual(got, [{ start: pos(1, 0), end: pos(3, 0) }]);
});

test("a common suffix (an auto-closed bracket) is not reported either", () => {
  const before = "x = f()\n";
  const change = { rangeOffset: 6, rangeLength: 1, text: "a, b)" };
  const { text, ranges: got } = ranges(before, [[change]]);
  assert.equal(text, "x = f(a, b)\n");
  assert.deepEqual(got, [{ start: pos(0, 6), end: pos(0, 10) }]);
});

test("several changes in one event (in descending order) give one range each", () => {
  const before = "a\nb\nc\n";
  const changes = [
    { rangeOffset: 4, rangeLength: 0, text: "XX\n" },
    { rangeOffset: 0, rangeLength: 0, text: "YY\n" },
  ];
  const { text, ranges: got } = ranges(before, [changes]);
  assert.equal(text, "YY\na\nb\nXX\nc\n");
  assert.deepEqual(got, [
    { start: pos(0, 0), end: pos(1, 0) },
    { start: pos(3, 0), end: pos(4, 0) },
  ]);
});

test("a later change shifts and merges earlier insertions", () => {
  const before = "line\n";
  const events = [
    [{ rangeOffset: 4, rangeLength: 0, text: " one" }],
    [{ rangeOffset: 0, rangeLength: 0, text: "top\n" }],
    [{ rangeOffset: 12, rangeLength: 0, text: " two\nthree" }],
  ];
  const { text, ranges: got } = ranges(before, events);
  assert.equal(text, "top\nline one two\nthree\n");
  assert.deepEqual(got, [
    { start: pos(0, 0), end: pos(1, 0) },
    { start: pos(1, 4), end: pos(2, 5) },
  ]);
});

test("deleting inside an insertion shrinks it, and deleting all of it removes it", () => {
  const before = "ab\n";
  const tracker = new InsertionTracker(before);
  tracker.apply([{ rangeOffset: 1, rangeLength: 0, text: "12345" }]);
  assert.deepEqual(tracker.spans(), [{ start: 1, end: 6 }]);
  tracker.apply([{ rangeOffset: 2, rangeLength: 2, text: "" }]);
  assert.deepEqual(tracker.spans(), [{ start: 1, end: 4 }]);
  tracker.apply([{ rangeOffset: 0, rangeLength: 5, text: "" }]);
  assert.deepEqual(tracker.spans(), []);
});

test("a suggestion identical to the text it replaces reports nothing", () => {
  const { ranges: got } = ranges("same\n", [[{ rangeOffset: 0, rangeLength: 4, text: "same" }]]);
  assert.deepEqual(got, []);
});

test("partial accepts (next word) add up to one range", () => {
  const before = "x = \n";
  const events = [
    [{ rangeOffset: 4, rangeLength: 0, text: "compute" }],
    [{ rangeOffset: 11, rangeLength: 0, text: "(1," }],
    [{ rangeOffset: 14, rangeLength: 0, text: " 2)" }],
  ];
  const { text, ranges: got } = ranges(before, events);
  assert.equal(text, "x = compute(1, 2)\n");
  assert.deepEqual(got, [{ start: pos(0, 4), end: pos(0, 17) }]);
});

test("positions count UTF-16 code units and treat CRLF as one line break", () => {
  assert.deepEqual(positionAt("a\r\nb😀c", 6), pos(1, 3));
  assert.deepEqual(positionAt("a\rb", 2), pos(1, 0));
  assert.deepEqual(positionAt("abc", 99), pos(0, 3));
});
