import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ensureRipgrep, KEYSLOT_BIN, runNode, runProgram } from './measure';
import { machineDescription, ratio, renderTable, Row, seconds, verdict } from './table';

/*
 * `npm run bench:hostile`: `keyslot check` on single hostile files (issue "Reliability"), each
 * next to rg reading the same file (the floor of reading it), with the budget from the issue.
 * The files are generated here, in a scratch folder that is removed afterwards.
 */

interface Case {
  name: string;
  budgetMs: number;
  files: Record<string, string>;
}

const MB = 1024 * 1024;

const CASES: Case[] = [
  {
    // a call, then a comment to the end of a 1 MB line: once a regex retried at each `-` (3.4 s per 100 kB)
    name: '1 MB line: a call and a comment of dashes',
    budgetMs: 1000,
    files: { 'app.py': `from redis.cluster import RedisCluster\nrc = RedisCluster(host="h", port=1)\nrc.mget("a", "b")  # ${'-'.repeat(MB - 120)}\n` },
  },
  {
    name: '1 MB line: a call and a comment with keyslot-ignore at its end',
    budgetMs: 1000,
    files: { 'app.py': `from redis.cluster import RedisCluster\nrc = RedisCluster(host="h", port=1)\nrc.mget("a", "b")  # ${'-/'.repeat((MB - 160) / 2)} keyslot-ignore crossslot\n` },
  },
  {
    name: '3,500-deep nested literal (Python)',
    budgetMs: 2000,
    files: { 'deep.py': `from redis.cluster import RedisCluster\nrc = RedisCluster(host="h", port=1)\nx = ${'[\n'.repeat(3500)}1${'\n]'.repeat(3500)}\nrc.mget("a", "b")\n` },
  },
];

function main(): void {
  const rg = ensureRipgrep();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'keyslot-hostile-'));
  const rows: Row[] = [];
  try {
    for (const c of CASES) {
      const dir = path.join(scratch, c.name.replace(/\W+/g, '-'));
      fs.mkdirSync(dir);
      for (const [rel, text] of Object.entries(c.files)) fs.writeFileSync(path.join(dir, rel), text);
      const out = path.join(scratch, 'out');
      const floor = runProgram(rg, ['--no-config', '-c', 'redis', dir], { label: `rg ${c.name}`, stdoutFile: out, okCodes: [0, 1] });
      const k = runNode([KEYSLOT_BIN, 'check', dir, '--format', 'json'], { label: `keyslot ${c.name}`, stdoutFile: out, okCodes: [0, 1], allowFailure: true });
      rows.push({
        figure: `check: ${c.name}`,
        value: k.failure ? `failed: ${k.failure}` : seconds(k.wallMs),
        baseline: `rg ${seconds(floor.wallMs)}`,
        ratio: ratio(k.wallMs / Math.max(floor.wallMs, 1)),
        budget: `≤ ${seconds(c.budgetMs)}`,
        verdict: verdict(!k.failure && k.wallMs <= c.budgetMs),
      });
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  process.stdout.write(`${machineDescription()}\n\n${renderTable(rows)}`);
}

main();
