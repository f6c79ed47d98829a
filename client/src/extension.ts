import * as vscode from 'vscode';
import {
  CloseAction,
  CloseHandlerResult,
  ErrorAction,
  ErrorHandler,
  ErrorHandlerResult,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';
import {
  CLUSTER_PASSWORD_METHOD,
  EDITOR_LANGUAGES,
  KEY_AT_METHOD,
  KeyAtResult,
  REINDEX_METHOD,
  SERVER_NODE_FLAGS,
  SLOT_OF_METHOD,
  SlotOfResult,
  STATUS_METHOD,
  StatusParams,
} from '../../server/src/protocol';
import { editorSettings } from './config';
import { Heatmap } from './heatmap';
import { KeyMapView } from './keymap';
import { StatusBar } from './statusbar';
import { APPLY_WITH_MIGRATION, applyWithMigration, confirmMigrations } from './migration';

/** A crashing server is restarted this many times within RESTART_WINDOW_MS, then left stopped. */
const MAX_RESTARTS = 4;
const RESTART_WINDOW_MS = 3 * 60_000;

/** What activate() returns: the extension's parts, for its tests and for other extensions. */
export interface KeyslotApi {
  client: LanguageClient;
  keyMap: KeyMapView;
  heatmap: Heatmap;
  statusBar: StatusBar;
  /** resolves with the next `keyslot/status` notification in the given state */
  nextStatus(state?: StatusParams['state']): Promise<StatusParams>;
}

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<KeyslotApi> {
  const serverModule = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: SERVER_NODE_FLAGS } },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_FLAGS, '--nolazy', '--inspect=6011'] } },
  };
  const output = vscode.window.createOutputChannel('keyslot', { log: true });
  const clientOptions: LanguageClientOptions = {
    documentSelector: EDITOR_LANGUAGES.map((language) => ({ scheme: 'file', language })),
    // VS Code shows a position's diagnostics in its hover: the key hover need not repeat them;
    // the cluster password lives in the secret storage, never in settings
    initializationOptions: {
      diagnosticsInHover: true,
      clusterPassword: (await context.secrets.get(CLUSTER_PASSWORD_SECRET)) ?? undefined,
      // the index kept between starts lives in this workspace's storage (none for a window without a folder)
      cacheDir: context.storageUri ? vscode.Uri.joinPath(context.storageUri, 'index').fsPath : null,
    },
    synchronize: { configurationSection: ['keyslot', 'files.exclude'] },
    outputChannel: output,
    // keyslot.trace.server writes here, every line, without the log level having to be changed first
    traceOutputChannel: traceChannel('keyslot Trace'),
    errorHandler: new RestartLimit(output),
    middleware: { workspace: { configuration: editorSettings }, provideCodeActions: confirmMigrations },
  };
  client = new LanguageClient('keyslot', 'keyslot', serverOptions, clientOptions);

  const statusBar = new StatusBar();
  const keyMap = new KeyMapView(client);
  const heatmap = new Heatmap(context.extensionUri, client, keyMap);
  const waiting: { state?: StatusParams['state']; resolve: (s: StatusParams) => void }[] = [];
  context.subscriptions.push(
    output,
    statusBar,
    keyMap,
    heatmap,
    client.onNotification(STATUS_METHOD, (s: StatusParams) => {
      statusBar.show(s);
      // a request cut off by a server restart is asked again after the next index
      if (s.state === 'ready') keyMap.refresh().catch((e) => output.appendLine(`key map: ${(e as Error).message}`));
      for (const w of waiting.splice(0)) {
        if (!w.state || w.state === s.state) w.resolve(s);
        else waiting.push(w);
      }
    }),
    client.onDidChangeState((e) => {
      if (e.newState === State.Stopped) statusBar.stopped();
    }),
    vscode.commands.registerCommand('keyslot.showKeyMap', () => keyMap.focus()),
    vscode.commands.registerCommand('keyslot.showHeatmap', () => heatmap.show()),
    vscode.commands.registerCommand('keyslot.reindex', () => reindex(client!)),
    vscode.commands.registerCommand('keyslot.copySlot', () => copySlot(client!)),
    vscode.commands.registerCommand('keyslot.slotOfSelection', () => slotOfSelection(client!)),
    vscode.commands.registerCommand('keyslot.openSettings', () => vscode.commands.executeCommand('workbench.action.openSettings', '@ext:keyslot.keyslot')),
    vscode.commands.registerCommand('keyslot.showOutput', () => output.show()),
    vscode.commands.registerCommand('keyslot.setClusterPassword', (given?: string) => setClusterPassword(context, client!, given)),
    vscode.commands.registerCommand(APPLY_WITH_MIGRATION, applyWithMigration),
  );
  statusBar.starting();
  void vscode.commands.executeCommand('setContext', 'keyslot.languages', EDITOR_LANGUAGES);
  void vscode.commands.executeCommand('setContext', 'keyslot.active', true);
  await client.start();
  return {
    client,
    keyMap,
    heatmap,
    statusBar,
    nextStatus: (state) => new Promise((resolve) => waiting.push({ state, resolve })),
  };
}

const CLUSTER_PASSWORD_SECRET = 'keyslot.clusterPassword';

/**
 * Asks for the password of the cluster keyslot.cluster names (an empty answer removes it), keeps it
 * in VS Code's secret storage and hands it to the server, which reads the cluster again with it.
 * `given` stands for the person's answer, for tests.
 */
async function setClusterPassword(context: vscode.ExtensionContext, c: LanguageClient, given?: string): Promise<void> {
  const password = given ?? (await vscode.window.showInputBox({ title: 'keyslot: cluster password', prompt: 'The password (AUTH) of the cluster keyslot.cluster names. Kept in VS Code\'s secret storage; empty removes it.', password: true, ignoreFocusOut: true }));
  if (password === undefined) return;
  if (password) await context.secrets.store(CLUSTER_PASSWORD_SECRET, password);
  else await context.secrets.delete(CLUSTER_PASSWORD_SECRET);
  await c.sendNotification(CLUSTER_PASSWORD_METHOD, { password: password || null });
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}

async function reindex(c: LanguageClient): Promise<void> {
  // a server stopped by the restart limit comes back on an explicit re-index
  if (c.state === State.Stopped) await c.start();
  else await c.sendRequest(REINDEX_METHOD);
}

async function copySlot(c: LanguageClient): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return void vscode.window.showInformationMessage('keyslot: open a file and put the cursor on a Redis key.');
  const p = editor.selection.active;
  const key = await c.sendRequest<KeyAtResult | null>(KEY_AT_METHOD, { uri: editor.document.uri.toString(), line: p.line, character: p.character });
  if (!key) return void vscode.window.showInformationMessage('keyslot: there is no Redis key under the cursor.');
  if (key.slot === null) return void vscode.window.showInformationMessage(`keyslot: the slot of \`${key.pattern}\` depends on runtime values (it hashes \`${key.hashed}\`); nothing copied.`);
  await vscode.env.clipboard.writeText(String(key.slot));
  vscode.window.setStatusBarMessage(`keyslot: copied slot ${key.slot} of ${key.pattern}`, 4000);
}

/** Shows (and returns) the slot of the selected text, or of a key typed into an input box. */
async function slotOfSelection(c: LanguageClient): Promise<SlotOfResult | undefined> {
  const editor = vscode.window.activeTextEditor;
  let key = editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : undefined;
  key ??= await vscode.window.showInputBox({ prompt: 'A Redis key name', placeHolder: '{user:1001}:profile' });
  if (key === undefined) return undefined;
  // a selected string literal includes its quotes; the key is what is inside them
  const unquoted = /^(["'`])(.*)\1$/s.exec(key.trim())?.[2] ?? key;
  const r = await c.sendRequest<SlotOfResult>(SLOT_OF_METHOD, { key: unquoted });
  const hashed = r.hashed === r.key ? 'the whole key' : `\`${r.hashed}\``;
  void vscode.window.showInformationMessage(`\`${r.key}\` → slot ${r.slot} (hashes ${hashed}; ${r.owner})`);
  return r;
}

/** Restarts a crashed server a few times; after that it stays stopped and says how to start it again. */
class RestartLimit implements ErrorHandler {
  private restarts: number[] = [];

  constructor(private readonly output: vscode.OutputChannel) {}

  error(): ErrorHandlerResult {
    return { action: ErrorAction.Continue };
  }

  closed(): CloseHandlerResult {
    const now = Date.now();
    this.restarts = this.restarts.filter((t) => now - t < RESTART_WINDOW_MS);
    if (this.restarts.length < MAX_RESTARTS) {
      this.restarts.push(now);
      this.output.appendLine(`keyslot server stopped unexpectedly; restart ${this.restarts.length} of ${MAX_RESTARTS}`);
      return { action: CloseAction.Restart, handled: true };
    }
    const message = `The keyslot server stopped ${MAX_RESTARTS + 1} times in 3 minutes and will not be restarted. Run "keyslot: Re-index Workspace" to start it again; the "keyslot" output has the details.`;
    return { action: CloseAction.DoNotRestart, message };
  }
}

/**
 * An output channel for the protocol trace. vscode-languageclient logs the trace at the `trace`
 * level, which a log channel hides until someone changes its level by hand: this one is a plain
 * channel behind the log channel's interface, so every traced line shows as soon as
 * keyslot.trace.server asks for it.
 */
function traceChannel(name: string): vscode.LogOutputChannel {
  const out = vscode.window.createOutputChannel(name);
  const levelChanged = new vscode.EventEmitter<vscode.LogLevel>();
  const line = (s: string | Error) => out.appendLine(typeof s === 'string' ? s : (s.stack ?? s.message));
  return {
    name: out.name,
    logLevel: vscode.LogLevel.Trace,
    onDidChangeLogLevel: levelChanged.event,
    trace: line,
    debug: line,
    info: line,
    warn: line,
    error: line,
    append: (s) => out.append(s),
    appendLine: (s) => out.appendLine(s),
    replace: (s) => out.replace(s),
    clear: () => out.clear(),
    show: (a?: boolean | vscode.ViewColumn, b?: boolean) => (typeof a === 'boolean' ? out.show(a) : out.show(a, b)),
    hide: () => out.hide(),
    dispose: () => {
      levelChanged.dispose();
      out.dispose();
    },
  };
}
