import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import calculateSlot = require('cluster-key-slot');
import { TextDocument } from 'vscode-languageserver-textdocument';
import { KEY_AT_METHOD, KeyAtResult, SLOT_OF_METHOD, SlotOfResult } from '../../server/src/protocol';
import { removeWorkspaces, where, workspace } from '../helpers/cli';
import { startTestServer, TestClient } from '../helpers/lsp';
import { decodeSemanticTokens } from '../vscode/suite/tokens';

/*
 * What the VS Code client builds on, over the protocol: hash-tag semantic tokens in every key form,
 * the status notification, keyAt and slotOf. Expected slots come from cluster-key-slot.
 */
const FILES: Record<string, string> = {
  'app/profile.py': `import redis

r = redis.RedisCluster(host="localhost", port=7000)


def load(uid):
    a = r.get(f"{{user:{uid}}}:profile")
    b = r.hgetall("{user:1001}:settings")
    note = "hello {name}".format(name="x")
    return a, b, note
`,
  'web/cart.js': `const Redis = require('ioredis');
const redis = new Redis.Cluster([{ host: '127.0.0.1', port: 7000 }]);
const TENANT = '{tenant:9}';

async function items(id) {
  const label = \`{not a key} \${id}\`;
  return [label, await redis.smembers(\`{cart:\${id}}:items\`), await redis.mget('cart:plain', 'cart:other'), await redis.get(TENANT + ':{draft}')];
}
module.exports = { items };
`,
  'go/orders.go': `package orders

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"
)

func Lines(ctx context.Context, rdb *redis.ClusterClient, id int) {
	rdb.LRange(ctx, fmt.Sprintf("{order:%d}:lines", id), 0, -1)
}
`,
  'seed/dev.redis': `# seed
SET {order:77}:status pending
GET plain:key
`,
};

describe('language server: semantic tokens, status, keyAt, slotOf', () => {
  let dir: string;
  let c: TestClient;
  const uri = (rel: string) => pathToFileURL(path.join(dir, rel)).href;

  before(async () => {
    dir = workspace(FILES);
    c = await startTestServer(dir);
    await c.ready();
  });
  after(() => {
    c.close();
    removeWorkspaces();
  });

  /** The source text each semantic token covers, with its type. */
  async function marked(rel: string): Promise<string[]> {
    const r = await c.conn.sendRequest<{ data: number[] }>('textDocument/semanticTokens/full', { textDocument: { uri: uri(rel) } });
    const doc = TextDocument.create(uri(rel), 'x', 0, FILES[rel]);
    return decodeSemanticTokens(r.data).map(({ line, character, length, type }) => {
      assert.equal(type, 0, 'hashTag is the only token type');
      const start = doc.offsetAt({ line, character });
      return FILES[rel].slice(start, start + length);
    });
  }

  test('hash tags are marked in every key form; braces in other strings are not', async () => {
    // f-string braces are doubled; the interpolation inside the tag keeps its own colour
    assert.deepEqual(await marked('app/profile.py'), ['{{user:', '}}', '{user:1001}']);
    // the tag of TENANT + ':{draft}' is in the constant: '{draft}' is not the tag and stays unmarked
    assert.deepEqual(await marked('web/cart.js'), ['{cart:', '}']);
    assert.deepEqual(await marked('go/orders.go'), ['{order:', '}']);
    assert.deepEqual(await marked('seed/dev.redis'), ['{order:77}']);
  });

  test('the status notification counts patterns and findings once indexing is done', () => {
    assert.deepEqual(c.statuses.map((s) => s.state), ['indexing', 'ready']);
    const last = c.statuses[1];
    // {user:${uid}}:profile, {user:1001}:settings, {cart:${id}}:items, cart:plain, cart:other, {tenant:9}:{draft},
    // {order:${id}}:lines, {order:77}:status, plain:key
    assert.equal(last.patterns, 9);
    assert.equal(last.keyUses, 9);
    // the MGET of cart:plain and cart:other is the one error
    assert.deepEqual(last.findings, { error: 1, warning: 0, info: 0 });
  });

  test('keyAt answers the key under a position, or null off keys', async () => {
    const at = where(FILES['app/profile.py'], '{user:1001}:settings');
    const key = await c.conn.sendRequest<KeyAtResult | null>(KEY_AT_METHOD, { uri: uri('app/profile.py'), line: at.line - 1, character: at.column + 2 });
    assert.deepEqual(key, { pattern: '{user:1001}:settings', hashed: 'user:1001', tag: 'user:1001', slot: calculateSlot('{user:1001}:settings') });
    const off = where(FILES['app/profile.py'], 'hello');
    assert.equal(await c.conn.sendRequest(KEY_AT_METHOD, { uri: uri('app/profile.py'), line: off.line - 1, character: off.column }), null);
  });

  test('slotOf hashes a typed key, and refuses a request without one', async () => {
    const r = await c.conn.sendRequest<SlotOfResult>(SLOT_OF_METHOD, { key: 'purchase:{1001}' });
    assert.equal(r.slot, calculateSlot('purchase:{1001}'));
    assert.equal(r.hashed, '1001');
    assert.match(r.owner, /^primary [123]$/);
    await assert.rejects(c.conn.sendRequest(SLOT_OF_METHOD, {}), /needs \{ key: string \}/);
  });
});
