/** One semantic token, from the LSP's relative encoding (5 numbers per token) made absolute. */
export interface DecodedToken {
  line: number;
  character: number;
  length: number;
  type: number;
}

/*
 * Shared by the VS Code suite and the in-process LSP test (test/lsp), which is why it imports
 * neither vscode nor mocha: both compile it.
 */
export function decodeSemanticTokens(data: ArrayLike<number>): DecodedToken[] {
  const out: DecodedToken[] = [];
  let line = 0;
  let character = 0;
  for (let i = 0; i + 4 < data.length; i += 5) {
    line += data[i];
    character = data[i] === 0 ? character + data[i + 1] : data[i + 1];
    out.push({ line, character, length: data[i + 2], type: data[i + 3] });
  }
  return out;
}
