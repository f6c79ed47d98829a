import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { createConnection } from 'vscode-languageserver/node';
import {
  createProtocolConnection,
  ProtocolConnection,
  PublishDiagnosticsParams,
  ResponseError,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';
import { startServer } from '../../server/src/lsp/server';
import { STATUS_METHOD, StatusParams } from '../../server/src/protocol';

/**
 * The keyslot language server and a test client in one process, joined by two streams: the real
 * server code and the real JSON-RPC protocol, without an editor. Waits are for messages, never time.
 */
export interface TestClient {
  conn: ProtocolConnection;
  /** every publishDiagnostics so far, newest last */
  diagnostics: PublishDiagnosticsParams[];
  progress: unknown[];
  /** every keyslot/status notification so far */
  statuses: StatusParams[];
  /** every window/showMessage so far (type 1 error … 4 log) */
  messages: { type: number; message: string }[];
  /** window/logMessage: what the server writes to its output */
  logs: { type: number; message: string }[];
  /** resolves once a keyslot/status in state 'ready' has arrived (now or later) */
  ready(): Promise<StatusParams>;
  /** resolves with the next keyslot/status notification */
  nextStatus(): Promise<StatusParams>;
  /** resolves with the next publishDiagnostics for `uri` that satisfies `pred` (or the latest one already received) */
  nextDiagnostics(uri: string, pred?: (p: PublishDiagnosticsParams) => boolean): Promise<PublishDiagnosticsParams>;
  /** what workspace/configuration answers for the `keyslot` section */
  settings: Record<string, unknown>;
  close(): void;
}

/** `refuse`: client methods the test client answers with an error, as some editors do. */
export async function startTestServer(rootDir: string, settings: Record<string, unknown> = {}, moreFolders: string[] = [], refuse: string[] = [], initializationOptions?: object): Promise<TestClient> {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  startServer(createConnection(new StreamMessageReader(toServer), new StreamMessageWriter(toClient)));
  const conn = createProtocolConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
  const diagnostics: PublishDiagnosticsParams[] = [];
  const readyWaiters: ((s: StatusParams) => void)[] = [];
  const statusWaiters: ((s: StatusParams) => void)[] = [];
  const waiters: { uri: string; pred: (p: PublishDiagnosticsParams) => boolean; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  const client: TestClient = {
    conn,
    diagnostics,
    progress: [],
    statuses: [],
    messages: [],
    logs: [],
    ready() {
      const done = client.statuses.find((st) => st.state === 'ready');
      return done ? Promise.resolve(done) : new Promise((resolve) => readyWaiters.push(resolve));
    },
    settings,
    nextStatus() {
      return new Promise((resolve) => statusWaiters.push(resolve));
    },
    nextDiagnostics(uri, pred = () => true) {
      const latest = [...diagnostics].reverse().find((d) => d.uri === uri);
      if (latest && pred(latest)) return Promise.resolve(latest);
      return new Promise((resolve) => waiters.push({ uri, pred, resolve }));
    },
    close() {
      conn.dispose();
      toServer.end();
      toClient.end();
    },
  };
  conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    diagnostics.push(p);
    for (const w of [...waiters]) {
      if (w.uri === p.uri && w.pred(p)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(p);
      }
    }
  });
  conn.onNotification(STATUS_METHOD, (st: StatusParams) => {
    client.statuses.push(st);
    for (const w of statusWaiters.splice(0)) w(st);
    if (st.state === 'ready') for (const w of readyWaiters.splice(0)) w(st);
  });
  conn.onNotification('$/progress', (p: unknown) => {
    client.progress.push(p);
  });
  conn.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) => p.items.map((i) => (i.section === 'keyslot' ? client.settings : i.section === 'files' ? { exclude: {} } : null)));
  conn.onRequest('window/workDoneProgress/create', () => null);
  conn.onRequest('client/registerCapability', () => null);
  conn.onNotification('window/logMessage', (m: { type: number; message: string }) => void client.logs.push(m));
  conn.onNotification('window/showMessage', (m: { type: number; message: string }) => {
    client.messages.push(m);
  });
  conn.onRequest('window/showMessageRequest', (m: { type: number; message: string }) => {
    client.messages.push(m);
    return null;
  });
  for (const method of refuse) conn.onRequest(method, () => new ResponseError(-32603, 'Internal error'));
  conn.listen();
  const uri = pathToFileURL(rootDir).href;
  await conn.sendRequest('initialize', {
    processId: null,
    rootUri: uri,
    initializationOptions,
    workspaceFolders: [{ uri, name: 'ws' }, ...moreFolders.map((f, i) => ({ uri: pathToFileURL(f).href, name: `ws${i + 2}` }))],
    capabilities: {
      workspace: { configuration: true, didChangeWatchedFiles: { dynamicRegistration: true }, workspaceFolders: true, workspaceEdit: { documentChanges: true, changeAnnotationSupport: {}, resourceOperations: ['create'] } },
      window: { workDoneProgress: true },
      textDocument: { hover: { contentFormat: ['markdown', 'plaintext'] }, publishDiagnostics: { relatedInformation: true }, codeAction: { disabledSupport: true, codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'refactor.rewrite'] } } } },
    },
  });
  await conn.sendNotification('initialized', {});
  return client;
}
