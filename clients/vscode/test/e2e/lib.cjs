// Shared helpers of the VS Code end-to-end runners (run.cjs, prevent.cjs): they drive code-server
// in Debian's Chromium with playwright-core and read the editor's state through the fixture
// extension's dump command (clients/vscode/test/fixtures/inline-provider).
//
// Environment: RF_E2E_URL (code-server base URL), RF_E2E_FOLDER (the demo repository),
// RF_E2E_ARTIFACTS (screenshots), RF_E2E_DUMP (where the fixture extension writes its state),
// RF_E2E_TOOLS (the folder whose node_modules holds playwright-core), RF_E2E_CHROMIUM.

"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { createRequire } = require("node:module");

const env = (name) => {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set`);
  }
  return value;
};
const URL_BASE = env("RF_E2E_URL");
const FOLDER = env("RF_E2E_FOLDER");
const ARTIFACTS = env("RF_E2E_ARTIFACTS");
const DUMP = env("RF_E2E_DUMP");
const { chromium } = createRequire(path.join(env("RF_E2E_TOOLS"), "package.json"))("playwright-core");

const FILE = "training/datagen/generate.py";
const DUMP_KEY = "Control+Shift+Alt+F10";
const SNIPPET_KEY = "Control+Shift+Alt+F9";
const WAIT_MS = 30_000;
// As large as the snippet of step 2 (which the heuristic flags): 3 lines, one change.
const PASTE = "LR = 0.01\nEPOCHS = 3\nWARMUP = 100\n";
// What the fixture's formatter inserts at the top (clients/vscode/test/fixtures/inline-provider/extension.js).
const HEADER = "# Formatted by the ringfence e2e fixture: a header block\n# that a formatter adds in one edit,\n# three lines long, all at once.\n";
// How long findings must stay unchanged to count as settled (the server's heuristic grace is 300 ms).
const HOLD_MS = 1500;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function report(step, facts) {
  process.stdout.write(JSON.stringify({ step, ...facts }) + "\n");
}

class StepError extends Error {}

/** Polls `probe` until it returns a truthy value; fails with `what` and the last value seen. */
async function waitFor(what, probe, timeout = WAIT_MS) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    last = await probe();
    if (last && last.ok !== false) {
      return last;
    }
    if (Date.now() > deadline) {
      throw new StepError(`timed out waiting for ${what}; last seen: ${JSON.stringify(last && last.seen !== undefined ? last.seen : last)}`);
    }
    await sleep(250);
  }
}

/** Asks the fixture extension to write the editor's state, and reads it. */
async function dump(page) {
  fs.rmSync(DUMP, { force: true });
  await page.keyboard.press(DUMP_KEY);
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline) {
    if (fs.existsSync(DUMP)) {
      return JSON.parse(fs.readFileSync(DUMP, "utf8"));
    }
    await sleep(50);
  }
  return undefined;
}

/** The ringfence diagnostics of a file (the demo's human-only file by default) as `CODE:first-last` (1-based lines). */
function findings(state, file = FILE) {
  return (state?.diagnostics ?? [])
    .filter((d) => d.uri.endsWith(file))
    .map((d) => ({ code: d.code, first: d.start[0] + 1, last: d.end[1] === 0 && d.end[0] > d.start[0] ? d.end[0] : d.end[0] + 1, message: d.message, severity: d.severity }))
    .sort((a, b) => a.first - b.first || a.code.localeCompare(b.code));
}

function summary(list) {
  return list.map((f) => `${f.code}:${f.first}-${f.last}`).join(" ");
}

/** Waits until the file's findings are exactly `expected` (e.g. "RF001:21-24 RF005:1-3"). */
async function waitForFindings(page, expected, extra = () => true, file = FILE) {
  return waitFor(`diagnostics "${expected}"`, async () => {
    const state = await dump(page);
    const got = summary(findings(state, file));
    return got === expected && extra(state) ? { state, list: findings(state, file) } : { ok: false, seen: got };
  });
}

/**
 * Checks that the findings stay exactly `expected` for `ms` (an RF005 the server adds when its
 * heuristic grace ends would show up here) and returns the last state.
 */
async function holdFindings(page, expected, ms = HOLD_MS, file = FILE) {
  const until = Date.now() + ms;
  let state;
  do {
    await sleep(250);
    state = await dump(page);
    const got = summary(findings(state, file));
    if (got !== expected) {
      throw new StepError(`diagnostics changed to "${got}" (expected them to stay "${expected}")`);
    }
  } while (Date.now() < until);
  return state;
}

/** The change events of the demo file the fixture saw whose inserted text is `text`. */
function changesInserting(state, text) {
  return (state?.changes ?? []).filter((event) => event.changes.some((c) => c.text === text));
}

/** Line numbers (1-based) that carry a squiggle of the given kind in the visible editor. */
async function squiggleLines(page, kind) {
  return page.evaluate((cls) => {
    const editor = document.querySelector(".editor-instance .monaco-editor") || document.querySelector(".monaco-editor");
    if (!editor) {
      return [];
    }
    const numbers = new Map();
    for (const row of editor.querySelectorAll(".margin-view-overlays > div")) {
      const number = row.querySelector(".line-numbers");
      if (number) {
        numbers.set(row.style.top, Number(number.textContent.trim()));
      }
    }
    const lines = new Set();
    for (const squiggle of editor.querySelectorAll(`.view-overlays .${cls}`)) {
      const line = numbers.get(squiggle.parentElement.style.top);
      if (line) {
        lines.add(line);
      }
    }
    return [...lines].sort((a, b) => a - b);
  }, kind);
}

/**
 * Waits until lines `first`-`last` carry a squiggle of the given kind and the lines just above and
 * below do not (what lies further away depends on how the editor scrolled); returns the lines from
 * `first - 1` to `last + 1` that carry one.
 */
async function squigglesAround(page, kind, first, last) {
  const want = Array.from({ length: last - first + 1 }, (_, i) => first + i).join(",");
  return waitFor(`${kind} squiggles on exactly lines ${first}-${last}`, async () => {
    const lines = (await squiggleLines(page, kind)).filter((line) => line >= first - 1 && line <= last + 1);
    return lines.join(",") === want ? { lines } : { ok: false, seen: lines };
  });
}

async function shot(page, name) {
  const file = path.join(ARTIFACTS, name);
  await page.screenshot({ path: file });
  return file;
}

async function focusEditor(page) {
  await page.keyboard.press("Control+1");
  await sleep(200);
}

async function problemsRows(page) {
  return page.$$eval(".markers-panel .monaco-list-row", (rows) => rows.map((row) => row.textContent.replace(/\s+/g, " ").trim()));
}

/** Runs a command from the palette by its full title. */
async function palette(page, title) {
  await page.keyboard.press("F1");
  await page.waitForSelector(".quick-input-widget input", { state: "visible" });
  await page.keyboard.type(title);
  await page.locator(".quick-input-list .monaco-list-row", { hasText: title }).first().waitFor({ state: "visible" });
  await sleep(200);
  await page.keyboard.press("Enter");
}

/** Runs the palette command whose label is exactly `title` ("Format Document", not "Format Document With..."). */
async function paletteExact(page, title) {
  await page.keyboard.press("F1");
  await page.waitForSelector(".quick-input-widget input", { state: "visible" });
  await page.keyboard.type(title);
  const label = new RegExp(`^\\s*${title.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*$`);
  const row = page.locator(".quick-input-list .monaco-list-row").filter({ has: page.locator(".label-name", { hasText: label }) }).first();
  await row.waitFor({ state: "visible" });
  await sleep(200);
  await row.click();
}

async function goToLine(page, line) {
  await focusEditor(page);
  await page.keyboard.press("Control+G");
  await page.waitForSelector(".quick-input-widget input", { state: "visible" });
  await page.keyboard.type(String(line));
  await page.keyboard.press("Enter");
  await sleep(200);
}

/** Waits for a notification toast containing `text` and returns its message. */
async function toast(page, text) {
  const found = await waitFor(`a notification saying "${text}"`, async () => {
    const messages = await page.$$eval(".notifications-toasts .notification-list-item-message", (items) => items.map((i) => i.textContent.trim()));
    const match = messages.find((m) => m.includes(text));
    return match ? { message: match } : { ok: false, seen: messages };
  });
  return found.message;
}

/** Loads the workbench and waits until the ringfence extension is active (the fixture's dump says so). */
async function openWorkbench(page) {
  await page.goto(`${URL_BASE}/?folder=${encodeURIComponent(FOLDER)}`);
  await page.waitForSelector(".monaco-workbench", { timeout: 120_000 });
  await waitFor("the ringfence extension to activate", async () => {
    const state = await dump(page);
    return state?.ringfenceActive ? state : { ok: false, seen: state ?? "no dump yet" };
  }, 90_000);
}

/** Opens a workspace file with Quick Open and waits until it is the active editor. */
async function openFile(page, file) {
  await page.keyboard.press("Control+P");
  await page.waitForSelector(".quick-input-widget input", { state: "visible" });
  await page.keyboard.type(file);
  await page.waitForSelector(".quick-input-list .monaco-list-row", { state: "visible" });
  await sleep(300);
  await page.keyboard.press("Enter");
  return waitFor(`${file} to be the active editor`, async () => {
    const state = await dump(page);
    return state?.activeUri?.endsWith(file) ? state : { ok: false, seen: state?.activeUri };
  });
}

/** The status bar items: their text and accessibility label. */
async function statusItems(page) {
  return page.$$eval(".statusbar-item", (items) => items.map((i) => ({ text: i.textContent.trim(), aria: i.getAttribute("aria-label") || "" })));
}

async function ghostTextVisible(page) {
  return !!(await page.$(".monaco-editor .ghost-text-decoration, .monaco-editor .ghost-text"));
}

/** Waits for the fixture's inline suggestion (ghost text), asking for it with Alt+\\ while it is not there. */
async function showGhostText(page) {
  await waitFor("the inline suggestion (ghost text)", async () => {
    const shown = await ghostTextVisible(page);
    if (!shown) {
      await page.keyboard.press("Alt+Backslash"); // editor.action.inlineSuggest.trigger
    }
    return shown ? { ok: true } : { ok: false, seen: "no ghost text" };
  });
}

/** The notification toasts now showing: message and button labels. */
async function toasts(page) {
  return page.$$eval(".notifications-toasts .notification-list-item", (items) =>
    items.map((item) => ({
      message: (item.querySelector(".notification-list-item-message")?.textContent ?? "").trim(),
      buttons: [...item.querySelectorAll(".monaco-button")].map((b) => b.textContent.trim()).filter(Boolean),
    })),
  );
}

/** Closes every notification (so a later wait for one sees only new ones). */
async function clearNotifications(page) {
  await paletteExact(page, "Notifications: Clear All Notifications");
  await waitFor("the notifications to close", async () => ((await toasts(page)).length === 0 ? { ok: true } : { ok: false, seen: await toasts(page) }));
}

function readIfExists(file) {
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
}


/** Opens a fresh headless Chromium, runs `run(page)`, screenshots a failure, and exits with 0 or 1. */
async function launch(run) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const profile = fs.mkdtempSync(path.join(require("node:os").tmpdir(), "rf-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.RF_E2E_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    viewport: { width: 1440, height: 900 },
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
    ],
  });
  // The paste step writes the clipboard from the page, and VS Code's paste reads it.
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(URL_BASE).origin });
  const page = context.pages()[0] ?? (await context.newPage());
  try {
    await run(page);
  } catch (error) {
    await shot(page, "failure.png").catch(() => undefined);
    throw error;
  } finally {
    await context.close().catch(() => undefined);
    fs.rmSync(profile, { recursive: true, force: true });
  }
}


function exitWith(promise) {
  promise.then(
    () => process.exit(0),
    (error) => {
      process.stderr.write(`vscode e2e failed: ${error instanceof StepError ? error.message : error.stack || error}\n`);
      process.exit(1);
    },
  );
}

module.exports = {
  URL_BASE, FOLDER, ARTIFACTS, DUMP, FILE, DUMP_KEY, SNIPPET_KEY, PASTE, HEADER, HOLD_MS,
  sleep, report, StepError, waitFor, dump, findings, summary, waitForFindings, holdFindings, changesInserting,
  squiggleLines, squigglesAround, shot, focusEditor, problemsRows, palette, paletteExact, goToLine, toast, readIfExists,
  openWorkbench, openFile, statusItems, ghostTextVisible, showGhostText, toasts, clearNotifications,
  launch: (run) => exitWith(launch(run)),
};
