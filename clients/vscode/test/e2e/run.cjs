// End-to-end test of the ringfence extension in a real VS Code (code-server), driven with
// playwright-core and Debian's Chromium. Started by tests/test_vscode_e2e.py, which runs
// code-server with the extension installed; this script only drives the browser.
//
// Environment: RF_E2E_URL (code-server base URL), RF_E2E_FOLDER (the demo repository),
// RF_E2E_ARTIFACTS (screenshots), RF_E2E_DUMP (where the fixture extension writes its state),
// RF_E2E_TOOLS (the folder whose node_modules holds playwright-core), RF_E2E_CHROMIUM.
// Prints one JSON line per step ({"step": ..., ...facts}) and exits 1 with a message on failure.

"use strict";
const fs = require("node:fs");
const path = require("node:path");
const {
  FOLDER, ARTIFACTS, FILE, SNIPPET_KEY, PASTE, HEADER, URL_BASE,
  sleep, report, waitFor, dump, findings, waitForFindings, holdFindings, changesInserting,
  squiggleLines, squigglesAround, shot, focusEditor, problemsRows, palette, paletteExact, goToLine, toast, readIfExists, launch,
} = require("./lib.cjs");
async function run(page) {
  await page.goto(`${URL_BASE}/?folder=${encodeURIComponent(FOLDER)}`);
  await page.waitForSelector(".monaco-workbench", { timeout: 120_000 });
  await waitFor("the ringfence extension to activate", async () => {
    const state = await dump(page);
    return state?.ringfenceActive ? state : { ok: false, seen: state ?? "no dump yet" };
  }, 90_000);

  // Open the human-only demo file and wait for the server: the status bar shows its level.
  await page.keyboard.press("Control+P");
  await page.waitForSelector(".quick-input-widget input", { state: "visible" });
  await page.keyboard.type(FILE);
  await page.waitForSelector(".quick-input-list .monaco-list-row", { state: "visible" });
  await sleep(300);
  await page.keyboard.press("Enter");
  await waitFor(`${FILE} to be the active editor`, async () => {
    const state = await dump(page);
    return state?.activeUri?.endsWith(FILE) ? state : { ok: false, seen: state?.activeUri };
  });
  const status = await waitFor("the status bar to show the file's level", async () => {
    const texts = await page.$$eval(".statusbar-item", (items) => items.map((i) => i.textContent.trim()));
    const match = texts.find((t) => t.includes("human-only"));
    return match ? { text: match } : { ok: false, seen: texts };
  }, 60_000);
  const statusLabel = await page.$eval(
    `.statusbar-item:has-text("human-only")`,
    (item) => ({ aria: item.getAttribute("aria-label"), className: item.className }),
  );
  report("statusbar", { text: status.text, aria: statusLabel.aria, className: statusLabel.className });
  const statusItem = await page.$(`.statusbar-item:has-text("human-only")`);
  await statusItem.screenshot({ path: path.join(ARTIFACTS, "01-statusbar.png") });
  await shot(page, "01-opened.png");

  // Step 1: accept a real inline suggestion with Tab.
  await focusEditor(page);
  await page.keyboard.press("Control+End");
  await page.keyboard.type("def fib", { delay: 40 });
  await waitFor("the inline suggestion (ghost text)", async () => {
    const ghost = await page.$(".monaco-editor .ghost-text-decoration, .monaco-editor .ghost-text");
    if (!ghost) {
      await page.keyboard.press("Alt+Backslash"); // editor.action.inlineSuggest.trigger
    }
    return ghost ? { ok: true } : { ok: false, seen: "no ghost text" };
  });
  await shot(page, "02-ghost-text.png");
  await page.keyboard.press("Tab");
  // ringfence.inlineSuggestions.prevent = "warn" in this profile: accepted, with a notice naming the zone.
  const warned = await toast(page, "ringfence: accepted, but AI suggestions may not land in human-only zone 'training-data'");
  const accepted = await waitForFindings(page, "RF001:21-24");
  const errorLines = await waitFor("RF001 squiggles on lines 21-24", async () => {
    const lines = await squiggleLines(page, "squiggly-error");
    return lines.join(",") === "21,22,23,24" ? { lines } : { ok: false, seen: lines };
  });
  report("inline-accept", { notice: warned, findings: accepted.list, squiggleLines: errorLines.lines, textEnd: accepted.state.text.slice(-120) });
  await shot(page, "03-rf001-squiggle.png");

  await page.keyboard.press("Control+Shift+M");
  const rows = await waitFor("the Problems entry for RF001", async () => {
    const list = await problemsRows(page);
    return list.some((r) => r.includes("RF001")) ? { list } : { ok: false, seen: list };
  });
  report("problems-rf001", { rows: rows.list });
  await shot(page, "04-problems-rf001.png");

  // Step 2: an unreported multi-line block in one change (a snippet) at the top of the file.
  await focusEditor(page);
  await page.keyboard.press("Control+Home");
  await page.keyboard.press(SNIPPET_KEY);
  const flagged = await waitForFindings(page, "RF005:1-3 RF001:24-27", (state) => state.text.startsWith("RATE = 0.5\n"));
  const warningLines = await waitFor("RF005 squiggles on lines 1-3", async () => {
    const lines = await squiggleLines(page, "squiggly-warning");
    return lines.join(",") === "1,2,3" ? { lines } : { ok: false, seen: lines };
  });
  const rows5 = await waitFor("the Problems entry for RF005", async () => {
    const list = await problemsRows(page);
    return list.some((r) => r.includes("RF005")) ? { list } : { ok: false, seen: list };
  });
  report("heuristic", { findings: flagged.list, squiggleLines: warningLines.lines, rows: rows5.list });
  await shot(page, "05-rf005.png");

  // Step 3: the quick-fix menu on the heuristic region lists ringfence's actions; revert it.
  await focusEditor(page);
  await page.keyboard.press("Control+Home");
  await page.keyboard.press("Control+Period");
  const menu = await waitFor("the quick-fix menu with ringfence actions", async () => {
    const titles = await page.$$eval(".action-widget .monaco-list-row", (items) => items.map((i) => i.textContent.trim()));
    return titles.some((t) => t.startsWith("Revert AI edit")) ? { titles } : { ok: false, seen: titles };
  });
  report("quick-fix-menu", { titles: menu.titles });
  await shot(page, "06-quick-fix-menu.png");
  const revert = page.locator(".action-widget .monaco-list-row", { hasText: "Revert AI edit" }).first();
  await revert.click();
  const reverted = await waitForFindings(page, "RF001:21-24", (state) => !state.text.includes("RATE = 0.5"));
  const remaining = await waitFor("the RF005 squiggle to disappear", async () => {
    const lines = await squiggleLines(page, "squiggly-warning");
    return lines.length === 0 ? { lines } : { ok: false, seen: lines };
  });
  const rowsAfter = await waitFor("the Problems entry for RF005 to disappear", async () => {
    const list = await problemsRows(page);
    return list.some((r) => r.includes("RF005")) ? { ok: false, seen: list } : { list };
  });
  report("reverted", { findings: reverted.list, warningLines: remaining.lines, rows: rowsAfter.list, textStart: reverted.state.text.slice(0, 80) });
  await shot(page, "07-reverted.png");

  // Palette commands: explain the file, tag the AI edit at the cursor, export the exclusions.
  await focusEditor(page);
  await palette(page, "ringfence: Explain this file's zone and level");
  const explained = await toast(page, "human-only, zone 'training-data'");
  report("palette-explain", { message: explained });
  await shot(page, "08-explain.png");

  await focusEditor(page);
  await page.keyboard.press("Control+G");
  await page.waitForSelector(".quick-input-widget input", { state: "visible" });
  await page.keyboard.type("22");
  await page.keyboard.press("Enter");
  await palette(page, "ringfence: Tag provenance of the AI edit at the cursor");
  const traces = path.join(FOLDER, ".agent-trace", "traces.jsonl");
  const record = await waitFor("a provenance record in .agent-trace/traces.jsonl", async () => {
    const text = readIfExists(traces);
    return text.includes(FILE) ? { text } : { ok: false, seen: text };
  });
  report("palette-tag", { traces: record.text.trim().split("\n").map((line) => JSON.parse(line)) });
  await shot(page, "09-tagged.png");

  await palette(page, "ringfence: Export exclusions to every AI tool's ignore file");
  const exported = await toast(page, "exclusions exported");
  const aiexclude = await waitFor("the exported .aiexclude", async () => {
    const text = readIfExists(path.join(FOLDER, ".aiexclude"));
    return text.includes(">>> ringfence") ? { text } : { ok: false, seen: text };
  });
  report("palette-export", { message: exported, aiexclude: aiexclude.text, cursorignore: readIfExists(path.join(FOLDER, ".cursorignore")) });
  await shot(page, "10-exported.png");

  // Step 4: paste 3 lines at the top, as large as the snippet of step 2; a paste is the developer's,
  // so the extension reports it (origin "paste") and the server raises no RF005 for it.
  await focusEditor(page);
  await page.keyboard.press("Control+Home");
  await page.evaluate((text) => navigator.clipboard.writeText(text), PASTE);
  const clipboard = await page.evaluate(() => navigator.clipboard.readText());
  await page.keyboard.press("Control+V");
  const pasted = await waitForFindings(page, "RF001:24-27", (state) => state.text.startsWith(PASTE + '"""Generate'));
  const pastedHeld = await holdFindings(page, "RF001:24-27");
  const pastedWarnings = await squiggleLines(page, "squiggly-warning");
  const pastedRows = await waitFor("the Problems entry for RF001 on line 24", async () => {
    const list = await problemsRows(page);
    return list.some((r) => r.includes("RF001") && r.includes("[Ln 24, Col 1]")) ? { list } : { ok: false, seen: list };
  });
  report("paste", {
    clipboard, findings: findings(pastedHeld), warningLines: pastedWarnings, rows: pastedRows.list, textStart: pasted.state.text.slice(0, 80),
    events: changesInserting(pastedHeld, PASTE), version: pastedHeld.version,
  });
  await shot(page, "11-pasted.png");

  // Step 5: Format Document with the fixture's formatter, which adds a 3-line header block in one
  // edit: reported as origin "format", so no RF005 either.
  await focusEditor(page);
  await paletteExact(page, "Format Document");
  const formatted = await waitForFindings(page, "RF001:27-30", (state) => state.text.startsWith(HEADER + PASTE));
  const formattedHeld = await holdFindings(page, "RF001:27-30");
  const formattedWarnings = await squiggleLines(page, "squiggly-warning");
  const formattedRows = await waitFor("the Problems entry for RF001 on line 27", async () => {
    const list = await problemsRows(page);
    return list.some((r) => r.includes("RF001") && r.includes("[Ln 27, Col 1]")) ? { list } : { ok: false, seen: list };
  });
  report("format", {
    findings: findings(formattedHeld), warningLines: formattedWarnings, rows: formattedRows.list, textStart: formatted.state.text.slice(0, 200),
    events: changesInserting(formattedHeld, HEADER), version: formattedHeld.version,
  });
  await shot(page, "12-formatted.png");

  // Step 6: an assistant's extension (the fixture's command) inserts 3 lines with a WorkspaceEdit
  // and reports them with ringfence's public API as claude-code: RF001 on exactly those lines.
  // Line 22 is the empty line after render() (line 16 of the original file, 6 lines further down now).
  await goToLine(page, 22);
  await paletteExact(page, "ringfence-test: Insert lines as claude-code and report them");
  const external = await waitForFindings(page, "RF001:22-24 RF001:30-33", (state) => state.reports.length === 1);
  const externalHeld = await holdFindings(page, "RF001:22-24 RF001:30-33");
  const externalErrors = await squigglesAround(page, "squiggly-error", 22, 24);
  const externalRows = await waitFor("the Problems entry for the claude-code RF001 on line 22", async () => {
    const list = await problemsRows(page);
    return list.some((r) => r.includes("RF001") && r.includes("claude-code") && r.includes("[Ln 22, Col 1]")) ? { list } : { ok: false, seen: list };
  });
  report("report-ai-edit", {
    findings: findings(externalHeld), squiggleLines: externalErrors.lines, rows: externalRows.list, reports: externalHeld.reports,
    api: externalHeld.ringfenceApi, lines: externalHeld.text.split("\n").slice(21, 24), version: externalHeld.version,
  });
  await shot(page, "13-report-ai-edit.png");

  // Step 7: the same through the API with the demo's in-house assistant (metacode), at line 17 (the
  // empty line after load_templates()): in a human-only zone even in-house edits are denied, RF003.
  await goToLine(page, 17);
  await paletteExact(page, "ringfence-test: Insert lines as metacode and report them");
  const inhouse = await waitForFindings(page, "RF003:17-19 RF001:25-27 RF001:33-36", (state) => state.reports.length === 2);
  const inhouseHeld = await holdFindings(page, "RF003:17-19 RF001:25-27 RF001:33-36");
  const inhouseErrors = await squigglesAround(page, "squiggly-error", 17, 19);
  const inhouseRows = await waitFor("the Problems entry for RF003 on line 17", async () => {
    const list = await problemsRows(page);
    return list.some((r) => r.includes("RF003") && r.includes("metacode") && r.includes("[Ln 17, Col 1]")) ? { list } : { ok: false, seen: list };
  });
  report("report-inhouse-edit", {
    findings: findings(inhouseHeld), squiggleLines: inhouseErrors.lines, rows: inhouseRows.list, reports: inhouseHeld.reports, lines: inhouseHeld.text.split("\n").slice(16, 19),
    version: inhouseHeld.version,
  });
  await shot(page, "14-report-inhouse-edit.png");
}

launch(run);
