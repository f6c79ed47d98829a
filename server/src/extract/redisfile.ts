import type { CallExpr, Expr, FileFacts } from './ir';
import { newFacts } from './ir';
import { decodeEscapes, NO_KWARGS } from './base';

/*
 * `.redis` files: one redis-cli command per line, `#` comments, quoting as redis-cli reads it
 * ("…" with escapes, '…' literal). Each line becomes a call `redis-cli.call(CMD, args…)`; lines
 * between MULTI and EXEC share a scope so they form one transaction.
 */
export function extractRedisFile(file: string, source: string): FileFacts {
  const facts = newFacts(file, 'redis');
  facts.scopes.set('module', { id: 'module', kind: 'module', params: [], span: { start: 0, end: source.length } });
  let offset = 0;
  let multi: string | null = null;
  let id = 1;
  for (const line of source.split('\n')) {
    const tokens = tokenize(line, offset);
    offset += line.length + 1;
    if (tokens === null) {
      facts.syntaxErrors++;
      continue;
    }
    if (!tokens.length) continue;
    const cmd = tokens[0].value.toUpperCase();
    if (cmd === 'MULTI') {
      multi = `multi@${tokens[0].span.start}`;
      facts.scopes.set(multi, { id: multi, kind: 'function', name: 'MULTI', parent: 'module', params: [], span: tokens[0].span });
      continue;
    }
    if (cmd === 'EXEC' || cmd === 'DISCARD') {
      multi = null;
      continue;
    }
    const args: Expr[] = tokens.map((t) => ({ k: 'str', value: t.value, span: t.span, text: t.raw }));
    const start = tokens[0].span.start;
    const end = tokens[tokens.length - 1].span.end;
    const call: CallExpr = {
      k: 'call',
      callee: { k: 'attr', object: { k: 'name', name: 'redis-cli', span: { start, end: start }, text: 'redis-cli' }, name: 'call', span: { start, end: start }, text: 'redis-cli' },
      args,
      kwargs: NO_KWARGS,
      isNew: false,
      id: id++,
      span: { start, end },
      text: source.slice(start, end),
    };
    facts.calls.push({ call, scope: multi ?? 'module' });
  }
  return facts;
}

interface Token {
  value: string;
  raw: string;
  span: { start: number; end: number };
}

/** Splits a line the way redis-cli does; null for an unterminated quote. */
function tokenize(line: string, base: number): Token[] | null {
  const out: Token[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i])) i++;
    if (i >= line.length || line[i] === '#') break;
    const start = i;
    let value = '';
    if (line[i] === '"' || line[i] === "'") {
      const q = line[i++];
      let closed = false;
      let raw = '';
      while (i < line.length) {
        if (q === '"' && line[i] === '\\' && i + 1 < line.length) {
          raw += line.slice(i, i + 2);
          i += 2;
          continue;
        }
        if (q === "'" && line[i] === '\\' && line[i + 1] === "'") {
          raw += "'";
          i += 2;
          continue;
        }
        if (line[i] === q) {
          closed = true;
          i++;
          break;
        }
        raw += line[i++];
      }
      if (!closed) return null;
      value = q === '"' ? decodeEscapes(raw) : raw;
    } else {
      while (i < line.length && !/\s/.test(line[i])) value += line[i++];
    }
    out.push({ value, raw: line.slice(start, i), span: { start: base + start, end: base + i } });
  }
  return out;
}
