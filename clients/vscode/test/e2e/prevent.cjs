// End-to-end test of holding back inline suggestions (ringfence.inlineSuggestions.prevent = block)
// in a real VS Code (code-server). Started by tests/test_vscode_e2e.py, which runs code-server with
// the extension and the fixture's inline-suggestion provider installed; this script drives the
// browser. Besides lib.cjs's environment it reads RF_E2E_USER_SETTINGS (the profile's user
// settings.json, which the provider-pause step edits and reads).
// Prints one JSON line per step ({"step": ..., ...facts}) and exits 1 with a message on failure.

"use strict";
const fs = require("node:fs");
const {
  FILE, sleep, report, waitFor, dump, findings, holdFindings, shot, focusEditor, paletteExact, toast, toasts,
  openWorkbench, openFile, statusItems, ghostTextVisible, showGhostText, clearNotifications, launch,
} = require("./lib.cjs");

const OPEN_FILE = "app/main.py";
const INTERNAL_FILE = "serving/tokenizer.py";
const USER_SETTINGS = process.env.RF_E2E_USER_SETTINGS;
const SUGGESTED = "def fibonacci(n):";
// The instruction the handoff sends to metacode (a comment above the suggestion).
const COMMENT = "# Return the n-th Fibonacci number.";

/** Clicks the button labelled `button` on the notification whose message contains `text`. */
async function clickToastButton(page, text, button) {
  const item = page.locator(".notifications-toasts .notification-list-item", { hasText: text }).first();
  await item.waitFor({ state: "visible", timeout: 30_000 });
  await item.locator(".monaco-button", { hasText: button }).first().click();
}

/** The held-back mark (`$(circle-slash) AI held back`) in the status bar, or undefined. */
async function heldBackMark(page) {
  return (await statusItems(page)).find((item) => item.text.includes("AI held back"));
}

async function levelItem(page, level) {
  return waitFor(`the status bar to show ${level}`, async () => {
    const items = await statusItems(page);
    const match = items.find((item) => item.text.includes(level));
    return match ? match : { ok: false, seen: items.map((i) => i.text) };
  }, 60_000);
}

/** Types the fixture's trigger on a new last line (after a comment line, if given) and waits for its ghost text. */
async function suggestAtEnd(page, comment) {
  await focusEditor(page);
  await page.keyboard.press("Control+End");
  await page.keyboard.press("Enter");
  if (comment) {
    await page.keyboard.type(comment, { delay: 10 });
    await page.keyboard.press("Enter");
  }
  await page.keyboard.type("def fib", { delay: 40 });
  await showGhostText(page);
}

/** Waits until the ghost text is gone and returns the active document's state. */
async function ghostGone(page) {
  await waitFor("the ghost text to be hidden", async () => ((await ghostTextVisible(page)) ? { ok: false, seen: "ghost text still shown" } : { ok: true }));
  return dump(page);
}

function userSettings() {
  return JSON.parse(fs.readFileSync(USER_SETTINGS, "utf8"));
}

async function run(page) {
  await openWorkbench(page);

  // 1. The human-only file: the level and the held-back mark.
  await openFile(page, FILE);
  const level = await levelItem(page, "human-only");
  const mark = await waitFor("the held-back mark", async () => (await heldBackMark(page)) ?? { ok: false, seen: (await statusItems(page)).map((i) => i.text) });
  report("mark", { level, mark });
  await (await page.$('.statusbar-item:has-text("AI held back")')).screenshot({ path: `${process.env.RF_E2E_ARTIFACTS}/p01-held-back-mark.png` });

  // 2. Tab does not accept: the ghost text goes, a notice names the zone, the text is unchanged.
  await suggestAtEnd(page);
  const before = await dump(page);
  await shot(page, "p02-ghost-text.png");
  await page.keyboard.press("Tab");
  const refused = await toast(page, "ringfence: not accepted: AI suggestions may not land in human-only zone 'training-data'");
  const afterTab = await ghostGone(page);
  const held = await holdFindings(page, "", 1500);
  report("tab-refused", {
    notice: refused, toasts: await toasts(page), textEndBefore: before.text.slice(-40), textEnd: held.text.slice(-40),
    versionBefore: before.version, version: held.version, versionAfterTab: afterTab.version, findings: findings(held),
  });
  await shot(page, "p03-tab-refused.png");

  // 3. Next word (Ctrl+Right) is refused the same way.
  await clearNotifications(page);
  await focusEditor(page);
  await page.keyboard.press("Backspace"); // a hidden suggestion comes back once the line changes
  await page.keyboard.type("b");
  await showGhostText(page);
  const beforeWord = await dump(page);
  await page.keyboard.press("Control+ArrowRight");
  const refusedWord = await toast(page, "ringfence: not accepted");
  const afterWord = await ghostGone(page);
  report("next-word-refused", { notice: refusedWord, textEndBefore: beforeWord.text.slice(-40), textEnd: afterWord.text.slice(-40) });

  // 4. An internal file (in-house edits allowed): the notice offers Move to metacode.
  await clearNotifications(page);
  await openFile(page, INTERNAL_FILE);
  await levelItem(page, "internal");
  await suggestAtEnd(page, COMMENT);
  await page.keyboard.press("Tab");
  const internal = await toast(page, "may not land in internal zone 'model-serving'");
  const internalToasts = await toasts(page);
  const afterInternal = await ghostGone(page);
  report("internal-refused", { notice: internal, toasts: internalToasts, textEnd: afterInternal.text.slice(-40) });
  await shot(page, "p04-move-to-metacode.png");

  // 4b. Move to metacode: the suggestion is shown again, accepted and handed to metacode at once
  //     (the server asks once whether the repository's assistant may get code context: Allow).
  await clickToastButton(page, internal, "Move to metacode");
  await clickToastButton(page, "Allow ringfence to send code context to", "Allow");
  const moved = await waitFor("metacode's answer in place of the suggestion", async () => {
    const state = await dump(page);
    return state?.text?.includes("a, b = b, a + b") ? state : { ok: false, seen: state?.text?.slice(-160) };
  }, 60_000);
  const movedHeld = await holdFindings(page, "", 1500, INTERNAL_FILE);
  report("moved-to-metacode", { text: movedHeld.text, textEnd: movedHeld.text.slice(-200), findings: findings(movedHeld, INTERNAL_FILE) });
  await shot(page, "p04b-moved-to-metacode.png");

  // 5. An open file: no mark, and Tab accepts as before.
  await clearNotifications(page);
  await openFile(page, OPEN_FILE);
  await levelItem(page, "open");
  const markInOpen = await waitFor("the held-back mark to go", async () => ((await heldBackMark(page)) ? { ok: false, seen: "mark still shown" } : { ok: true }));
  await suggestAtEnd(page);
  await page.keyboard.press("Tab");
  const acceptedOpen = await waitFor("the suggestion in the open file", async () => {
    const state = await dump(page);
    return state?.text?.includes(SUGGESTED) ? state : { ok: false, seen: state?.text?.slice(-60) };
  });
  await sleep(500); // a notice would have been shown together with the accept
  report("open-accepted", { markGone: markInOpen.ok, textEnd: acceptedOpen.text.slice(-120), toasts: await toasts(page) });
  await shot(page, "p05-open-accepted.png");

  // 6. Pausing providers: turned on in the user settings, the human-only file gets a [python]
  //    editor.inlineSuggest.enabled = false override while it is active; back in the open
  //    file the override is gone again and every other setting is as it was.
  const original = userSettings();
  await paletteExact(page, "ringfence-test: Turn on pausing completion providers");
  await waitFor("pauseProviders on in the user settings", async () =>
    userSettings()["ringfence.inlineSuggestions.pauseProviders"] === true ? { ok: true } : { ok: false, seen: userSettings() },
  );
  await openFile(page, FILE);
  const paused = await waitFor("the [python] inline-suggest override in the user settings", async () => {
    const settings = userSettings();
    return settings["[python]"]?.["editor.inlineSuggest.enabled"] === false ? { settings } : { ok: false, seen: settings["[python]"] ?? null };
  });
  await openFile(page, OPEN_FILE);
  const restored = await waitFor("the override to be restored", async () => {
    const settings = userSettings();
    return settings["[python]"]?.["editor.inlineSuggest.enabled"] === undefined ? { settings } : { ok: false, seen: settings["[python]"] };
  });
  report("pause", { paused: paused.settings, restored: restored.settings, original });
}

launch(run);
