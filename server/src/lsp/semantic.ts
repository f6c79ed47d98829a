import { SemanticTokensBuilder } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { KeyUse } from '../model/keyuse';
import { SEMANTIC_TOKEN_TYPES } from '../protocol';
import { hashTagRanges } from './keyedit';

const HASH_TAG = SEMANTIC_TOKEN_TYPES.indexOf('hashTag');

/** Semantic tokens for one file: the hash tag of every key written in place (tokens never span lines). */
export function hashTagTokens(uses: KeyUse[], doc: TextDocument): number[] {
  const text = doc.getText();
  const ranges = uses.flatMap((u) => hashTagRanges(u, text)).sort((a, b) => a.start - b.start || a.end - b.end);
  const builder = new SemanticTokensBuilder();
  let covered = -1;
  for (const r of ranges) {
    // two uses of one literal (a key inside a script and its call) give the same range once
    const start = Math.max(r.start, covered);
    if (start >= r.end) continue;
    covered = r.end;
    let from = start;
    while (from < r.end) {
      const nl = text.indexOf('\n', from);
      const to = nl < 0 || nl >= r.end ? r.end : nl;
      if (to > from) {
        const p = doc.positionAt(from);
        builder.push(p.line, p.character, to - from, HASH_TAG, 0);
      }
      from = to + 1;
    }
  }
  return builder.build().data;
}
