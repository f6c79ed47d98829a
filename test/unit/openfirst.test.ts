import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { FolderIndex } from '../../server/src/index/folder';
import { listFiles, SourceFile } from '../../server/src/index/files';
import { NEIGHBOURHOOD_MAX, openNeighbourhood } from '../../server/src/index/openfirst';
import { removeWorkspaces, workspace } from '../helpers/cli';

/*
 * At the language server's start on a large folder, the open files are analysed first with only
 * the files they reach through imports, and published, before the rest of the folder is read
 * (server/src/index/openfirst.ts); the whole folder's index then completes them.
 */
after(() => removeWorkspaces());

const CLIENT = `import Redis from "ioredis";
export const redis = new Redis.Cluster([{ host: "127.0.0.1", port: 7000 }]);
`;
const KEYS = `export const profileKey = (id: string) => \`shop:profile:\${id}\`;
export const settingsKey = (id: string) => \`shop:settings:\${id}\`;
`;
const LOAD = `import { redis } from "./client";
import { profileKey, settingsKey } from "./keys";
export async function load(id: string) {
  return redis.mget(profileKey(id), settingsKey(id));
}
`;
/** a Redis file the open one does not import: read only by the whole folder's index */
const NIGHTLY = `import { redis } from "../client";
export const nightly = () => redis.sunionstore("report:all", "report:today", "report:yesterday");
`;

const lineOf = (text: string, offset: number) => text.slice(0, offset).split('\n').length;

describe('the open files first at start-up', () => {
  test('the open file is published from what it imports before the rest of the folder is read', async () => {
    const dir = workspace({ 'src/client.ts': CLIENT, 'src/keys.ts': KEYS, 'src/load.ts': LOAD, 'src/jobs/nightly.ts': NIGHTLY });
    const f = new FolderIndex(dir);
    f.openFirstAbove = 0;
    const events: string[] = [];
    const firsts: { findings: string[]; nightlyRead: boolean }[] = [];
    await f.indexAll(
      () => events.push('progress'),
      new Map([['src/load.ts', LOAD]]),
      () => {
        events.push('open');
        firsts.push({
          findings: f.state.findings.filter((x) => x.file === 'src/load.ts').map((x) => `${x.code}:${lineOf(LOAD, x.span.start)} ${x.message}`),
          nightlyRead: f.texts.has('src/jobs/nightly.ts'),
        });
      },
    );
    assert.equal(events[0], 'open', `the open file is published before any file of the whole index: ${events.join(' ')}`);
    assert.equal(firsts[0].nightlyRead, false, 'a Redis file the open one does not reach is not read for its first analysis');
    // the two keys are the builders' templates from keys.ts: the finding is the final one already
    assert.equal(firsts[0].findings.length, 1, firsts[0].findings.join('\n'));
    assert.match(firsts[0].findings[0], /^crossslot:4 .*shop:profile:\$\{id\}.*shop:settings:\$\{id\}/);
    assert.deepEqual(firsts[firsts.length - 1].findings, firsts[0].findings);
    // and the whole folder is there at the end
    assert.ok(f.state.findings.some((x) => x.file === 'src/jobs/nightly.ts' && x.code === 'crossslot'), f.state.findings.map((x) => `${x.file} ${x.code}`).join('\n'));
  });

  test('a call of a helper in another file is judged as the whole index judges it: once, in the helper', async () => {
    // (the helper makes its client: files that only import a file that does are not selected)
    const HELPERS = `import Redis from "ioredis";
const redis = new Redis.Cluster([{ host: "127.0.0.1", port: 7000 }]);
export async function dropCodes(team: string, email: string) {
  await redis.del(\`code:\${team}:\${email}\`, \`attempts:\${team}:\${email}\`);
}
`;
    const PURGE = `import { dropCodes } from "./helpers";
export async function purge(email: string) {
  await dropCodes("team-1", email);
}
`;
    const dir = workspace({ 'src/client.ts': CLIENT, 'src/helpers.ts': HELPERS, 'src/purge.ts': PURGE, 'src/jobs/nightly.ts': NIGHTLY });
    const f = new FolderIndex(dir);
    f.openFirstAbove = 0;
    const firsts: string[][] = [];
    const inPurge = () => f.state.findings.filter((x) => x.file === 'src/purge.ts').map((x) => `${x.code}:${lineOf(PURGE, x.span.start)}`);
    await f.indexAll(undefined, new Map([['src/purge.ts', PURGE]]), () => firsts.push(inPurge()));
    // the helper's two keys are in different slots whatever it is given: its finding stands for the call's
    assert.deepEqual(f.state.findings.map((x) => `${x.file} ${x.code}`).sort(), ['src/helpers.ts crossslot', 'src/jobs/nightly.ts crossslot']);
    // at start-up, and again when the whole folder's open files are analysed before the rest
    assert.equal(firsts.length, 2);
    for (const x of firsts) assert.deepEqual(x, [], 'an open-first publish does not report the helper\'s finding at the call');
  });

  test('after it, the whole index finds exactly what an index without it finds', async () => {
    const found = (f: FolderIndex) => ({
      uses: f.state.uses.map((u) => `${u.file}:${u.span.start} ${u.command} ${u.hash.kind} ${u.group}`).sort(),
      findings: f.state.findings.map((x) => `${x.file}:${x.span.start} ${x.code} ${x.message}`).sort(),
    });
    for (const root of [path.join(__dirname, '..', '..', 'examples', 'shop'), path.join(__dirname, '..', 'fixtures', 'vscode-monorepo')]) {
      const whole = new FolderIndex(root);
      await whole.indexAll();
      // two files with findings open: their facts from the first analysis are reused by the whole index
      const open = [...new Set(whole.state.findings.map((x) => x.file))].slice(0, 2);
      assert.equal(open.length, 2, root);
      const f = new FolderIndex(root);
      f.openFirstAbove = 0;
      let publishes = 0;
      await f.indexAll(undefined, new Map(open.map((rel) => [rel, whole.texts.get(rel)!])), () => publishes++);
      assert.equal(publishes, 2, 'published from the first analysis, and again before the rest');
      assert.deepEqual(found(f), found(whole));
    }
  });

  test('a first analysis that fails leaves the whole index to be made', async () => {
    const dir = workspace({ 'src/client.ts': CLIENT, 'src/keys.ts': KEYS, 'src/load.ts': LOAD, 'src/jobs/nightly.ts': NIGHTLY });
    const f = new FolderIndex(dir);
    f.openFirstAbove = 0;
    // (an internal error stands in for whatever could go wrong in it)
    f.analyseOpenFirst = () => Promise.reject(new Error('boom'));
    await f.indexAll(undefined, new Map([['src/load.ts', LOAD]]), () => undefined);
    assert.deepEqual(f.state.findings.map((x) => `${x.file} ${x.code}`).sort(), ['src/jobs/nightly.ts crossslot', 'src/load.ts crossslot']);
  });

  test('a folder below the size is indexed whole before the open file is published, as before', async () => {
    const dir = workspace({ 'src/client.ts': CLIENT, 'src/keys.ts': KEYS, 'src/load.ts': LOAD, 'src/jobs/nightly.ts': NIGHTLY });
    const f = new FolderIndex(dir);
    const read: boolean[] = [];
    await f.indexAll(undefined, new Map([['src/load.ts', LOAD]]), () => read.push(f.texts.has('src/jobs/nightly.ts')));
    assert.deepEqual(read, [true]);
  });
});

describe('the files an open file reaches', () => {
  const files = (rels: string[]): SourceFile[] => rels.map((rel) => ({ rel, abs: `/ws/${rel}`, language: rel.endsWith('.py') ? 'python' : rel.endsWith('.go') ? 'go' : 'java' }));
  const reach = (open: string, texts: Record<string, string>, all = Object.keys(texts)) => {
    const list = files(all);
    return openNeighbourhood(
      list.filter((f) => f.rel === open),
      list,
      (f) => texts[f.rel] ?? '',
    ).map((f) => f.rel);
  };

  test('Python: imports two steps deep, the nearest of several modules of one name, nothing further', () => {
    const got = reach('shop/cart/views.py', {
      'shop/cart/views.py': 'from shop.cart.keys import cart_key\nimport redis\n',
      'shop/cart/keys.py': 'from shop.settings import PREFIX\n',
      'shop/settings.py': 'from shop.far import x\n',
      'shop/far.py': '',
      'blog/keys.py': '',
      'blog/a/keys.py': '',
      'blog/b/keys.py': '',
      'shop/unrelated.py': 'import redis\n',
    });
    assert.deepEqual(got.sort(), ['shop/cart/keys.py', 'shop/cart/views.py', 'shop/settings.py']);
  });

  test('Go: what it uses of the nearest imported package and of its own; Java: imported and mentioned classes', () => {
    const go = reach('svc/queue/push.go', {
      'svc/queue/push.go': 'package queue\nimport (\n\tk "example.com/app/svc/keys"\n\t"example.com/app/svc/enums"\n)\nfunc Push() { k.Job(1); retryLimit(enums.Fast) }\n',
      'svc/queue/limits.go': 'package queue\nfunc retryLimit() int { return 3 }\n',
      'svc/queue/other.go': 'package queue\nfunc unused() {}\n',
      'svc/keys/keys.go': 'package keys\nfunc Job(id int) string { return "" }\n',
      'svc/keys/names.go': 'package keys\nfunc Other() {}\n',
      'legacy/keys/keys.go': 'package keys\nfunc Job(id int) string { return "" }\n',
      'svc/enums/speed.go': 'package enums\ntype Speed int\nconst (\n\tFast Speed = iota\n\tSlow\n)\n',
      'svc/enums/speed_enumer.go': 'package enums\nfunc (i Speed) String() string { return "" }\n',
      'svc/web/keys.ts': 'export const x = 1;\n',
    });
    assert.deepEqual(go.sort(), ['svc/enums/speed.go', 'svc/keys/keys.go', 'svc/queue/limits.go', 'svc/queue/push.go']);
    const java = reach('src/com/shop/CartDao.java', {
      'src/com/shop/CartDao.java': 'package com.shop;\nimport com.shop.redis.JedisProxy;\nclass CartDao extends BaseDao { }\n',
      'src/com/shop/BaseDao.java': 'package com.shop;\n',
      'src/com/shop/Other.java': 'package com.shop;\n',
      'src/com/shop/redis/JedisProxy.java': 'package com.shop.redis;\n',
    });
    assert.deepEqual(java.sort(), ['src/com/shop/BaseDao.java', 'src/com/shop/CartDao.java', 'src/com/shop/redis/JedisProxy.java']);
  });

  test(`at most ${NEIGHBOURHOOD_MAX} files, the open one first`, () => {
    const texts: Record<string, string> = { 'app/main.py': Array.from({ length: 100 }, (_, i) => `import m${i}\n`).join('') };
    for (let i = 0; i < 100; i++) texts[`app/m${i}.py`] = '';
    const got = reach('app/main.py', texts);
    assert.equal(got.length, NEIGHBOURHOOD_MAX);
    assert.equal(got[0], 'app/main.py');
  });

  test('the file list of a real folder: every reached file is in it', () => {
    const root = path.join(__dirname, '..', 'fixtures', 'extract', 'python');
    const list = listFiles(root, [root], [], []);
    const open = list.filter((f) => f.rel.endsWith('.py')).slice(0, 3);
    const got = openNeighbourhood(open, list, () => '');
    for (const f of got) assert.ok(list.includes(f));
  });
});
