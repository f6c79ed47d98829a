import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../server/src/cli/main';

/** The `keyslot` CLI run in process, with stdout and stderr captured. */
export interface Run {
  code: number;
  out: string;
  err: string;
}

export async function run(...argv: string[]): Promise<Run> {
  let out = '';
  let err = '';
  const code = await main(
    argv,
    (s) => (out += s),
    (s) => (err += s),
  );
  return { code, out, err };
}

const tmpDirs: string[] = [];

/** A temporary folder holding the given files; removed by removeWorkspaces(). */
export function workspace(files: Record<string, string | Buffer>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyslot-cli-'));
  tmpDirs.push(dir);
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(dir, ...rel.split('/'));
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, content);
  }
  return dir;
}

export function removeWorkspaces(): void {
  for (const d of tmpDirs.splice(0)) {
    // undo chmod 000 so a non-root user can delete the tree
    try {
      for (const f of fs.readdirSync(d, { recursive: true }) as string[]) fs.chmodSync(path.join(d, f), 0o755);
    } catch {
      // best effort
    }
    fs.rmSync(d, { recursive: true, force: true });
  }
}

/** 1-based line and column of the only occurrence of `needle` in `text`, counted by hand. */
export function where(text: string, needle: string): { line: number; column: number } {
  const i = text.indexOf(needle);
  assert.ok(i >= 0, `fixture does not contain ${needle}`);
  assert.equal(text.indexOf(needle, i + 1), -1, `fixture has ${needle} twice; pick a unique needle`);
  const before = text.slice(0, i);
  const line = before.split('\n').length;
  const column = i - (before.lastIndexOf('\n') + 1) + 1;
  return { line, column };
}
