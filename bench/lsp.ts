import type { Row } from './table';
import { notMeasured } from './table';

/*
 * Language-server figures. The server does not exist yet, so these are placeholders with their
 * budgets; when it lands, replace the body with real measurements (spawn the server over stdio,
 * open a file from `ctx.dir`, time didChange → publishDiagnostics and hover / codeAction
 * round trips) and return the same rows with values.
 */

export interface LspContext {
  /** the workspace the other figures used */
  dir: string;
  repo: string;
}

export const LSP_NOT_BUILT = 'language server not built yet';

export function lspRows(_ctx: LspContext): Row[] {
  return [
    notMeasured('edit → diagnostics', '≤ 30 ms', LSP_NOT_BUILT),
    notMeasured('hover p99', '≤ 5 ms', LSP_NOT_BUILT),
    notMeasured('code action p99', '≤ 5 ms', LSP_NOT_BUILT),
  ];
}
