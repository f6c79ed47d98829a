import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'path';
import { pathToFileURL } from 'node:url';
import type { Hover } from 'vscode-languageserver-protocol';
import { keySlot } from '../../server/src/model/slot';
import type { KeyMapResult } from '../../server/src/protocol';
import { removeWorkspaces, workspace } from '../helpers/cli';
import { startTestServer, type TestClient } from '../helpers/lsp';
import { commandCalls, commandsSent, freePortPair, startClusterNode, useCluster, waitFor, type RedisNode } from '../helpers/redis';
import { READ_ONLY } from '../../server/src/live/live';

/*
 * `keyslot.cluster` in the editor: with a real 6-node cluster named, the hover's owner is the
 * primary that really serves the key's slot (its address, read with CLUSTER SHARDS); with an
 * address nothing answers on, the configured topology stands and the output says why - and the
 * server answers meanwhile.
 */
after(removeWorkspaces);

const cluster = useCluster();

const APP = `from redis.cluster import RedisCluster
rc = RedisCluster(host="h", port=1)


def profile():
    return rc.get("user:1001:profile")
`;

async function hoverText(c: TestClient, dir: string): Promise<string> {
  const line = APP.split('\n').findIndex((l) => l.includes('user:1001:profile'));
  const h = (await c.conn.sendRequest('textDocument/hover', { textDocument: { uri: pathToFileURL(path.join(dir, 'app.py')).href }, position: { line, character: APP.split('\n')[line].indexOf('user:1001') + 2 } })) as Hover;
  return (h.contents as { value: string }).value;
}

/** Waits (on the server's own status notifications) until its output has a line matching `re`. */
async function logged(c: TestClient, re: RegExp): Promise<string> {
  for (;;) {
    const hit = c.logs.find((m) => re.test(m.message));
    if (hit) return hit.message;
    await c.nextStatus();
  }
}

test('with keyslot.cluster, the hover names the primary that really serves the slot', async () => {
  const dir = workspace({ 'app.py': APP });
  const seed = `${cluster().primaries[0].host}:${cluster().primaries[0].port}`;
  const owner = cluster().primaryForSlot(keySlot('user:1001:profile'));
  await owner.send(['SET', 'user:1001:profile', 'x']);
  assert.equal(Number(await owner.send(['WAIT', 1, 10_000])), 1);
  const before = await commandCalls(cluster());
  const c = await startTestServer(dir, { cluster: seed });
  try {
    await c.ready();
    assert.match(await logged(c, /slot owners read from the cluster/), new RegExp(`at ${seed}: 3 primaries`));
    // the editor's reads are the read-only list's too
    for (const cmd of commandsSent(before, await commandCalls(cluster()))) assert.ok(READ_ONLY.has(cmd), `${cmd} was sent`);
    const md = await hoverText(c, dir);
    assert.match(md, new RegExp(`on ${owner.host}:${owner.port} \\(\\d+-\\d+, the live cluster at ${seed}\\); 1 key in this slot there`), md);
    const map = (await c.conn.sendRequest('keyslot/keyMap', {})) as KeyMapResult;
    assert.deepEqual(map.folders[0].liveKeys, { [keySlot('user:1001:profile')]: 1 });
  } finally {
    c.close();
  }
});

test('an address nothing answers on leaves the configured topology, says why, and holds nothing up', async () => {
  const dir = workspace({ 'app.py': APP });
  const c = await startTestServer(dir, { cluster: '127.0.0.1:1' });
  try {
    await c.ready();
    // answered while the cluster is being tried
    assert.match(await hoverText(c, dir), /on primary \d \(\d+-\d+, the even split of 3 primaries\)/);
    assert.match(await logged(c, /cannot read the cluster/), /127\.0\.0\.1:1.*keyslot\.topology stands/);
    assert.match(await hoverText(c, dir), /the even split of 3 primaries/);
  } finally {
    c.close();
  }
});

test('a cluster that does not answer yet is tried again, backing off, and read once it does', async () => {
  const dir = workspace({ 'app.py': APP });
  const port = await freePortPair();
  const c = await startTestServer(dir, { cluster: `127.0.0.1:${port}` }, [], [], { diagnosticsInHover: true, liveRefresh: { retry: 100, every: 60_000 } });
  let node: RedisNode | undefined;
  try {
    await c.ready();
    assert.match(await waitFor('the first failed read', async () => c.logs.find((m) => /cannot read the cluster/.test(m.message))?.message), /tried again in 0 s/);
    // the node comes up later, on the address the setting names
    node = await startClusterNode({ port });
    await node.send(['CLUSTER', 'ADDSLOTSRANGE', 0, 16383]);
    const read = await waitFor('a read once the node answers', async () => c.logs.find((m) => /slot owners read from the cluster/.test(m.message))?.message, 30_000);
    assert.match(read, new RegExp(`at 127\\.0\\.0\\.1:${port}: 1 primaries`));
    // nothing but the retry read it again: no setting changed, no file was edited
    assert.match(await hoverText(c, dir), new RegExp(`on 127\\.0\\.0\\.1:${port} \\(0-16383, the live cluster at 127\\.0\\.0\\.1:${port}\\)`));
  } finally {
    c.close();
    await node?.stop();
  }
});
