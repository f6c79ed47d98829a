import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

/** Serves LSP over the transport named on the command line (`--stdio`, `--node-ipc`, `--socket=`). */
export function runLanguageServer(): void {
  startServer(createConnection(ProposedFeatures.all));
}
