/**
 * The ringfence language server's lifecycle in VS Code: find it (discovery.ts), start it over stdio
 * with vscode-languageclient for `file:` documents of every language, restart it when its path or
 * the Python interpreter changes, and say once, clearly, when it cannot be found.
 */

import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as vscode from "vscode";
import { LanguageClient, State, TransportKind, type LanguageClientOptions, type ServerOptions } from "vscode-languageclient/node";
import { type Candidate, commandLine, discover, type DiscoveryInputs, notFoundMessage, oneLine } from "./discovery";
import { EXPLAIN, type ExplainResult } from "./protocol";

const CLIENT_ID = "ringfence";
const PROBE_TIMEOUT_MS = 20_000;
const RESTART_DELAY_MS = 1000;

/** Documents the server watches: files of every language, and notebook cells (classified by the notebook's path). */
export const DOCUMENT_SELECTOR = [{ scheme: "file" }, { scheme: "vscode-notebook-cell" }];

export function isWatched(document: vscode.TextDocument): boolean {
  return document.uri.scheme === "file" || document.uri.scheme === "vscode-notebook-cell";
}

/** The editor settings the server reads (docs/protocol.md, "Settings"): detection tuning only, never the policy. */
export function serverSettings(): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration(CLIENT_ID);
  return {
    heuristics: {
      enabled: config.get<boolean>("heuristics.enabled", true),
      minLines: config.get<number>("heuristics.minLines", 3),
      minChars: config.get<number>("heuristics.minChars", 120),
    },
    history: { enabled: config.get<boolean>("history.enabled", true) },
  };
}

interface PythonApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): { path: string } | undefined;
    resolveEnvironment(env: { path: string }): Promise<{ executable?: { uri?: vscode.Uri } } | undefined>;
    onDidChangeActiveEnvironmentPath?: vscode.Event<unknown>;
  };
  settings?: { getExecutionDetails?(resource?: vscode.Uri): { execCommand?: string[] } };
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Environment for a ringfence process: a Python candidate must not import modules from the working directory. */
function processEnv(): NodeJS.ProcessEnv {
  return { ...process.env, PYTHONSAFEPATH: "1" };
}

export class RingfenceServer implements vscode.Disposable {
  client: LanguageClient | undefined;
  candidate: Candidate | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the client starts, stops or is replaced. */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private restartTimer: NodeJS.Timeout | undefined;
  private pythonWatched = false;
  private discovering = false;

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration("ringfence.server")) {
          this.scheduleRestart("ringfence.server.path changed");
        }
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.scheduleRestart("workspace trusted")),
    );
  }

  get running(): boolean {
    return this.client?.state === State.Running;
  }

  get starting(): boolean {
    return this.discovering || this.client?.state === State.Starting;
  }

  async start(): Promise<void> {
    this.discovering = true;
    this.changed.fire();
    const result = await discover(await this.discoveryInputs(), (candidate) => this.probe(candidate)).finally(() => {
      this.discovering = false;
    });
    for (const failure of result.failures) {
      this.log.info(`server discovery: ${failure.source}: ${failure.reason}`);
    }
    if (!result.found) {
      this.log.error(notFoundMessage(result));
      void this.notifyNotFound(notFoundMessage(result));
      this.changed.fire();
      return;
    }
    this.candidate = result.found;
    this.log.info(`starting ringfence ${result.version}: ${commandLine(result.found, "lsp", "--stdio").join(" ")}`);
    const client = this.createClient(result.found);
    this.client = client;
    client.onDidChangeState(() => this.changed.fire());
    try {
      await client.start();
    } catch (error) {
      this.log.error(`the ringfence language server failed to start: ${oneLine(error)}`);
      void vscode.window
        .showErrorMessage(`ringfence: the language server failed to start: ${oneLine(error)}`, "Show output")
        .then((choice) => choice && this.log.show());
    }
    this.changed.fire();
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.candidate = undefined;
    if (client) {
      try {
        await client.stop(5000);
      } catch (error) {
        this.log.warn(`stopping the language server: ${oneLine(error)}`);
      }
      await client.dispose().catch(() => undefined);
    }
    this.changed.fire();
  }

  async restart(): Promise<void> {
    this.log.info("restarting the language server");
    await this.stop();
    await this.start();
  }

  /** `ringfence/explain` for a file, or undefined when the server is not running. */
  async explain(uri: vscode.Uri): Promise<ExplainResult | undefined> {
    const client = this.client;
    if (!client || !this.running) {
      return undefined;
    }
    return client.sendRequest<ExplainResult>(EXPLAIN, { uri: client.code2ProtocolConverter.asUri(uri) });
  }

  /** Runs a ringfence subcommand with the discovered server's interpreter or executable. */
  runCli(subcommand: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
    const candidate = this.candidate;
    if (!candidate) {
      return Promise.reject(new Error("the ringfence language server was not found (see ringfence: Show output)"));
    }
    const [command, ...args] = commandLine(candidate, ...subcommand);
    return new Promise((resolve) => {
      execFile(command, args, { cwd, env: processEnv(), timeout: 120_000 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 2) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr || (error && !stderr ? error.message : "")) });
      });
    });
  }

  dispose(): void {
    clearTimeout(this.restartTimer);
    void this.stop();
    for (const disposable of this.disposables) {
      disposable.dispose();
    }
  }

  private scheduleRestart(why: string): void {
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      this.log.info(`${why}: restarting the language server`);
      void this.restart();
    }, RESTART_DELAY_MS);
  }

  private createClient(candidate: Candidate): LanguageClient {
    const serverOptions: ServerOptions = {
      command: candidate.command,
      args: [...candidate.args, "lsp"],
      transport: TransportKind.stdio,
      options: { cwd: this.context.extensionPath, env: processEnv() },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: DOCUMENT_SELECTOR,
      outputChannel: this.log,
      initializationOptions: serverSettings(),
      synchronize: { configurationSection: CLIENT_ID },
    };
    return new LanguageClient(CLIENT_ID, "ringfence", serverOptions, clientOptions);
  }

  private async discoveryInputs(): Promise<DiscoveryInputs> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    return {
      setting: vscode.workspace.getConfiguration(CLIENT_ID, folder).get<string>("server.path", ""),
      python: vscode.workspace.isTrusted ? await this.pythonInterpreter(folder?.uri) : undefined,
      env: process.env,
      workspaceFolder: folder?.uri.fsPath,
      home: os.homedir(),
      platform: process.platform,
      isExecutable,
    };
  }

  /** The Python extension's interpreter for the workspace, if that extension is installed. */
  private async pythonInterpreter(resource: vscode.Uri | undefined): Promise<string[] | undefined> {
    const extension = vscode.extensions.getExtension<PythonApi>("ms-python.python");
    if (!extension) {
      return undefined;
    }
    try {
      const api = extension.isActive ? extension.exports : await extension.activate();
      this.watchPython(api);
      const envPath = api.environments?.getActiveEnvironmentPath(resource);
      const env = envPath ? await api.environments?.resolveEnvironment(envPath) : undefined;
      const executable = env?.executable?.uri?.fsPath;
      if (executable) {
        return [executable];
      }
      const command = api.settings?.getExecutionDetails?.(resource)?.execCommand;
      return command && command.length > 0 ? command : undefined;
    } catch (error) {
      this.log.warn(`the Python extension did not give an interpreter: ${oneLine(error)}`);
      return undefined;
    }
  }

  private watchPython(api: PythonApi): void {
    const event = api.environments?.onDidChangeActiveEnvironmentPath;
    if (this.pythonWatched || !event) {
      return;
    }
    this.pythonWatched = true;
    this.disposables.push(event(() => this.scheduleRestart("Python interpreter changed")));
  }

  private probe(candidate: Candidate): Promise<string> {
    const [command, ...args] = commandLine(candidate, "--version");
    return new Promise((resolve, reject) => {
      execFile(command, args, { cwd: this.context.extensionPath, env: processEnv(), timeout: PROBE_TIMEOUT_MS }, (error, stdout, stderr) => {
        if (error) {
          reject(new Error(oneLine(String(stderr)) || oneLine(error)));
        } else {
          resolve(String(stdout));
        }
      });
    });
  }

  private async notifyNotFound(message: string): Promise<void> {
    const choice = await vscode.window.showErrorMessage(message, "Open setting", "Show output");
    if (choice === "Open setting") {
      await vscode.commands.executeCommand("workbench.action.openSettings", "ringfence.server.path");
    } else if (choice === "Show output") {
      this.log.show();
    }
  }
}
