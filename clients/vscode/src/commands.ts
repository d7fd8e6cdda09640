/**
 * The palette commands (category "ringfence"). The region commands (revert, tag provenance, hand
 * off, mark reviewed) ask the server for its code actions at the cursor and run the server's own
 * command with the server's own `{uri, regionId}` argument, so they offer exactly what the quick
 * fix menu offers; the extension never registers the server's command ids itself.
 */

import * as path from "node:path";
import * as vscode from "vscode";
import { oneLine } from "./discovery";
import { explainMessage } from "./presentation";
import { SERVER_COMMANDS } from "./protocol";
import type { RingfenceServer } from "./server";

const SOURCE = "ringfence";
const RESOLVE_COUNT = 50;

const REGION_COMMANDS: Record<string, { serverCommand: string; what: string }> = {
  "ringfence.revertAtCursor": { serverCommand: SERVER_COMMANDS.revert, what: "Revert AI edit" },
  "ringfence.tagProvenanceAtCursor": { serverCommand: SERVER_COMMANDS.tagProvenance, what: "Tag provenance" },
  "ringfence.handoffAtCursor": { serverCommand: SERVER_COMMANDS.handoff, what: "Move to the in-house assistant" },
  "ringfence.markReviewedAtCursor": { serverCommand: SERVER_COMMANDS.markReviewed, what: "Mark as human-reviewed" },
};

export function registerCommands(server: RingfenceServer): vscode.Disposable[] {
  const disposables = [
    vscode.commands.registerCommand("ringfence.explain", (uri?: vscode.Uri) => explain(server, uri)),
    vscode.commands.registerCommand("ringfence.restart", () => server.restart()),
    vscode.commands.registerCommand("ringfence.showOutput", () => server.log.show()),
    vscode.commands.registerCommand("ringfence.exportExclusions", () => exportExclusions(server)),
  ];
  for (const [id, spec] of Object.entries(REGION_COMMANDS)) {
    disposables.push(vscode.commands.registerCommand(id, () => runRegionAction(server, spec.serverCommand, spec.what)));
  }
  return disposables;
}

async function explain(server: RingfenceServer, uri: vscode.Uri | undefined): Promise<void> {
  const target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
  if (!target) {
    void vscode.window.showInformationMessage("ringfence: open a file to explain its level.");
    return;
  }
  if (!server.running) {
    void notRunning(server);
    return;
  }
  try {
    const result = await server.explain(target);
    if (!result) {
      void notRunning(server);
      return;
    }
    server.log.info(`explain ${JSON.stringify(result)}`);
    const open = "Open zone definition";
    const choice = await vscode.window.showInformationMessage(explainMessage(result), ...(result.policy ? [open] : []));
    if (choice === open && result.policy) {
      const position = new vscode.Position(result.policy.line, 0);
      await vscode.window.showTextDocument(vscode.Uri.parse(result.policy.uri), { selection: new vscode.Range(position, position) });
    }
  } catch (error) {
    void vscode.window.showErrorMessage(`ringfence: explain failed: ${oneLine(error)}`);
  }
}

async function notRunning(server: RingfenceServer): Promise<void> {
  const choice = await vscode.window.showWarningMessage("ringfence: the language server is not running.", "Restart", "Show output");
  if (choice === "Restart") {
    await server.restart();
  } else if (choice === "Show output") {
    server.log.show();
  }
}

/** The ranges to ask code actions for: ringfence diagnostics under the cursor, else all of them in the file. */
function findingRanges(editor: vscode.TextEditor): vscode.Range[] {
  const findings = vscode.languages.getDiagnostics(editor.document.uri).filter((d) => d.source === SOURCE);
  const cursor = editor.selection.active;
  const atCursor = findings.filter((d) => d.range.start.line <= cursor.line && cursor.line <= d.range.end.line);
  return (atCursor.length > 0 ? atCursor : findings).map((d) => d.range);
}

async function runRegionAction(server: RingfenceServer, serverCommand: string, what: string): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage(`ringfence: open a file to use '${what}'.`);
    return;
  }
  if (!server.running) {
    void notRunning(server);
    return;
  }
  const offered = new Map<string, vscode.Command & { label: string }>();
  for (const range of findingRanges(editor)) {
    const actions =
      (await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
        "vscode.executeCodeActionProvider",
        editor.document.uri,
        range,
        undefined,
        RESOLVE_COUNT,
      )) ?? [];
    for (const action of actions) {
      const command = action instanceof vscode.CodeAction ? action.command : (action as vscode.Command);
      if (command?.command === serverCommand) {
        offered.set(JSON.stringify(command.arguments ?? []), { ...command, label: `${action.title} (line ${range.start.line + 1})` });
      }
    }
  }
  const choices = [...offered.values()];
  if (choices.length === 0) {
    void vscode.window.showInformationMessage(`ringfence: no '${what}' action for the AI edit at the cursor.`);
    return;
  }
  const chosen =
    choices.length === 1 ? choices[0] : await vscode.window.showQuickPick(choices, { placeHolder: `ringfence: ${what}: which AI edit?` });
  if (chosen) {
    await vscode.commands.executeCommand(chosen.command, ...(chosen.arguments ?? []));
  }
}

/** The workspace folder of the active file, else the only folder, else one the user picks. */
async function pickFolder(): Promise<vscode.WorkspaceFolder | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri;
  const folder = active && vscode.workspace.getWorkspaceFolder(active);
  if (folder) {
    return folder;
  }
  const folders = vscode.workspace.workspaceFolders ?? [];
  return folders.length <= 1 ? folders[0] : vscode.window.showWorkspaceFolderPick({ placeHolder: "ringfence: export exclusions for which folder?" });
}

/**
 * Runs `ringfence export` (docs/cli.md: a CLI command, not a server command) with the
 * discovered interpreter in the folder's directory; its output goes to the ringfence channel.
 */
async function exportExclusions(server: RingfenceServer): Promise<void> {
  const folder = await pickFolder();
  if (!folder || folder.uri.scheme !== "file") {
    void vscode.window.showInformationMessage("ringfence: open a folder to export its exclusions.");
    return;
  }
  const cwd = folder.uri.fsPath;
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: "ringfence: exporting exclusions…" },
      () => server.runCli(["export"], cwd),
    );
    server.log.info(`ringfence export in ${cwd}: exit ${result.code}\n${result.stdout}${result.stderr}`);
    if (result.code === 0) {
      void vscode.window.showInformationMessage(`ringfence: exclusions exported for ${path.basename(cwd)}.`, "Show output").then((c) => c && server.log.show());
    } else {
      const reason = oneLine(result.stderr || result.stdout) || `exit code ${result.code}`;
      void vscode.window.showErrorMessage(`ringfence export failed: ${reason}`, "Show output").then((c) => c && server.log.show());
    }
  } catch (error) {
    void vscode.window.showErrorMessage(`ringfence export failed: ${oneLine(error)}`);
  }
}
