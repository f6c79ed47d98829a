import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FolderIndex } from '../../server/src/index/folder';
import { removeWorkspaces, workspace } from '../helpers/cli';

/*
 * The language server keeps what an index learned (file summaries, parsed files' facts) for its
 * next start (server/src/index/factcache.ts). A start from the cache must give exactly what a start
 * without one gives, take unchanged files from it, and never answer a changed file from it; a
 * cache that is damaged is passed over.
 */
const CLIENT = `import Redis from "ioredis";
export const redis = new Redis.Cluster([{ host: "127.0.0.1", port: 7000 }]);
`;
const KEYS = `export const profileKey = (id: string) => \`profile:\${id}\`;
export const settingsKey = (id: string) => \`settings:\${id}\`;
`;
const LOAD = `import { redis } from "./client";
import { profileKey, settingsKey } from "./keys";
export async function load(id: string) {
  return redis.mget(profileKey(id), settingsKey(id));
}
`;
const FILES = { 'src/client.ts': CLIENT, 'src/keys.ts': KEYS, 'src/load.ts': LOAD, 'src/util.ts': 'export const answer = 42;\n' };

const caches: string[] = [];
after(() => {
  removeWorkspaces();
  for (const d of caches) fs.rmSync(d, { recursive: true, force: true });
});
const newCache = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'keyslot-cache-test-'));
  caches.push(d);
  return d;
};

async function index(dir: string, cacheDir?: string): Promise<FolderIndex> {
  const f = new FolderIndex(dir, undefined, undefined, undefined, cacheDir);
  await f.indexAll();
  await f.saving;
  return f;
}

/** What an index found, in a form two indexes can be compared by. */
const found = (f: FolderIndex) => ({
  uses: f.state.uses.map((u) => `${u.file}:${u.span.start} ${u.command} ${u.hash.kind}`),
  findings: f.state.findings.map((x) => `${x.file}:${x.span.start} ${x.code} ${x.message}`),
});

/** After keys.ts was given one tag for both keys: what came from the cache, and the same findings as without it (no crossslot). */
async function expectTaggedNow(dir: string, cacheDir: string, hits: FolderIndex['cacheHits']): Promise<void> {
  const again = await index(dir, cacheDir);
  assert.deepEqual(again.cacheHits, hits);
  assert.deepEqual(found(again), found(await index(dir)));
  assert.ok(!found(again).findings.some((x) => x.includes('crossslot')), 'the tagged keys are not reported');
}

describe('the index kept between starts', () => {
  test('a start from the cache finds what a start without it finds, reading no unchanged file again', async () => {
    const dir = workspace(FILES);
    const cacheDir = newCache();
    const without = found(await index(dir));
    assert.ok(without.findings.some((x) => x.includes('crossslot')), `the workspace has its crossslot: ${without.findings.join('\n')}`);

    const first = await index(dir, cacheDir);
    assert.deepEqual(first.cacheHits, { summaries: 0, facts: 0 });
    assert.deepEqual(found(first), without);

    const second = await index(dir, cacheDir);
    // every file's summary, and the facts of the three files that can hold keys (not util.ts)
    assert.deepEqual(second.cacheHits, { summaries: 4, facts: 3 });
    assert.deepEqual(found(second), without);
  });

  test('a file changed since is read and parsed again, and what it says now counts', async () => {
    const dir = workspace(FILES);
    const cacheDir = newCache();
    await index(dir, cacheDir);
    // the key builder gets an entity tag: the two keys now share a slot, so the crossslot goes
    fs.writeFileSync(path.join(dir, 'src/keys.ts'), KEYS.replace('`profile:${id}`', '`{user:${id}}:profile`').replace('`settings:${id}`', '`{user:${id}}:settings`'));
    await expectTaggedNow(dir, cacheDir, { summaries: 3, facts: 2 });
  });

  test('the same size and time but another text: the facts are not taken for it', async () => {
    const dir = workspace(FILES);
    const cacheDir = newCache();
    // a whole second, so setting it again gives the very same time
    const file = path.join(dir, 'src/keys.ts');
    fs.utimesSync(file, 1_700_000_000, 1_700_000_000);
    await index(dir, cacheDir);
    // a text of the same length, with the file's time put back: only the text says it changed
    // (both keys get the tag {pr}: they share a slot, so the crossslot goes)
    const tagged = KEYS.replace('profile:', '{pr}ile:').replace('settings:', '{pr}ings:');
    assert.equal(tagged.length, KEYS.length);
    fs.writeFileSync(file, tagged);
    fs.utimesSync(file, 1_700_000_000, 1_700_000_000);
    await expectTaggedNow(dir, cacheDir, { summaries: 4, facts: 2 });
  });

  test('a damaged cache is passed over', async () => {
    const dir = workspace(FILES);
    const cacheDir = newCache();
    const expected = found(await index(dir, cacheDir));
    for (const f of fs.readdirSync(cacheDir, { recursive: true }) as string[]) {
      const p = path.join(cacheDir, f);
      if (fs.statSync(p).isFile()) fs.writeFileSync(p, 'not a cache');
    }
    const again = await index(dir, cacheDir);
    assert.deepEqual(again.cacheHits, { summaries: 0, facts: 0 });
    assert.deepEqual(found(again), expected);
    // and it was written anew
    assert.deepEqual((await index(dir, cacheDir)).cacheHits, { summaries: 4, facts: 3 });
  });
});
