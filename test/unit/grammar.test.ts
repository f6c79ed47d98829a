import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';
import { GRAMMAR_FILE, redisGrammar } from '../../scripts/gen-redis-grammar';

/*
 * The `.redis` TextMate grammar, tokenized by the engine VS Code itself uses (vscode-textmate with
 * the Oniguruma WASM regex library), so what these lines get here is what the editor colours.
 */
async function loadGrammar(): Promise<textmate.IGrammar> {
  const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (p) => new oniguruma.OnigScanner(p), createOnigString: (s) => new oniguruma.OnigString(s) }),
    loadGrammar: async (scope) => (scope === 'source.redis' ? textmate.parseRawGrammar(readFileSync(GRAMMAR_FILE, 'utf8'), GRAMMAR_FILE) : null),
  });
  const g = await registry.loadGrammar('source.redis');
  assert.ok(g, 'grammar loads');
  return g;
}

/** Each non-blank token of a line with the most specific scope it got. */
function tokens(g: textmate.IGrammar, line: string): [string, string][] {
  const r = g.tokenizeLine(line, textmate.INITIAL);
  return r.tokens.map((t) => [line.slice(t.startIndex, t.endIndex), t.scopes[t.scopes.length - 1]] as [string, string]).filter(([text]) => text.trim() !== '');
}

const scopeOf = (toks: [string, string][], text: string) => toks.find(([t]) => t === text)?.[1];

test('the committed grammar is what the generator writes from the command table', () => {
  assert.deepEqual(JSON.parse(readFileSync(GRAMMAR_FILE, 'utf8')), JSON.parse(JSON.stringify(redisGrammar())));
});

test('commands, keys, strings, numbers, options and comments get their scopes', async () => {
  const g = await loadGrammar();
  assert.deepEqual(tokens(g, '# seed data for SET user:1'), [['#', 'punctuation.definition.comment.redis'], [' seed data for SET user:1', 'comment.line.number-sign.redis']]);

  const set = tokens(g, 'SET product:A100 8900 EX 60 NX');
  assert.equal(scopeOf(set, 'SET'), 'support.function.command.redis');
  assert.equal(scopeOf(set, 'product:A100'), 'variable.other.key.redis');
  assert.equal(scopeOf(set, '8900'), 'constant.numeric.redis');
  assert.equal(scopeOf(set, 'EX'), 'keyword.other.option.redis');
  assert.equal(scopeOf(set, 'NX'), 'keyword.other.option.redis');

  // a quoted key is a key and a string; escapes inside a value are marked
  const quoted = tokens(g, 'SET "{user:1001}:profile" "{\\"name\\":1}"');
  assert.ok(quoted.some(([t, s]) => t.includes('{user:1001}:profile') && s === 'string.quoted.double.redis'));
  const keyScopes = g.tokenizeLine('SET "{user:1001}:profile" v', textmate.INITIAL).tokens.find((t) => t.startIndex === 5)!.scopes;
  assert.ok(keyScopes.includes('variable.other.key.redis'), keyScopes.join(' '));
  assert.ok(quoted.some(([t, s]) => t === '\\"' && s === 'constant.character.escape.redis'));
});

test('which arguments are keys follows the command table', async () => {
  const g = await loadGrammar();
  // every argument of MGET; alternate ones of MSET; the first two of RENAME; only the first of SETEX
  const mget = tokens(g, 'mget a:1 b:2 c:3');
  for (const k of ['a:1', 'b:2', 'c:3']) assert.equal(scopeOf(mget, k), 'variable.other.key.redis', k);
  const mset = tokens(g, 'MSET price:A100 8900 stock:A100 42');
  assert.deepEqual(mset.map(([, s]) => s), ['support.function.command.redis', 'variable.other.key.redis', 'constant.numeric.redis', 'variable.other.key.redis', 'constant.numeric.redis']);
  const rename = tokens(g, 'RENAME cart:7 cart:8');
  assert.equal(scopeOf(rename, 'cart:7'), 'variable.other.key.redis');
  assert.equal(scopeOf(rename, 'cart:8'), 'variable.other.key.redis');
  // SETEX is its own command, not SET followed by "EX"
  const setex = tokens(g, 'SETEX session:9 60 payload');
  assert.equal(scopeOf(setex, 'SETEX'), 'support.function.command.redis');
  assert.equal(scopeOf(setex, 'session:9'), 'variable.other.key.redis');
  assert.equal(scopeOf(setex, '60'), 'constant.numeric.redis');
  assert.notEqual(scopeOf(setex, 'payload'), 'variable.other.key.redis');
  // a command without fixed key positions: no argument is called a key
  const evalLine = tokens(g, 'EVAL "return 1" 1 k:1');
  assert.ok(evalLine.every(([, s]) => s !== 'variable.other.key.redis'));
  // a command the table does not know is still a command
  assert.equal(scopeOf(tokens(g, 'JSON.SET doc:1 $ 1'), 'JSON.SET'), 'entity.name.function.command.redis');
});
