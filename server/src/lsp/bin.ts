// The bundled server the VS Code client starts over IPC (dist/server.js).
import { runLanguageServer } from './main';

runLanguageServer();
