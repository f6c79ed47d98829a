import * as fs from 'fs';
/*
 * JSON written in pieces: the same bytes as `JSON.stringify(value, null, 2) + '\n'`, without ever
 * holding the whole document as one string. A 100,000-file workspace has 100 MB of JSON (twice
 * that as a two-byte string), built on top of everything the scan keeps.
 *
 * Containers near the top are opened and closed here; below `depth` each value is stringified on
 * its own and indented to its place (JSON strings never hold a raw newline, so every newline of
 * a stringified value starts one of its lines). A `Lazy` stands for an array whose items are made
 * only as they are written.
 */
export class Lazy<T = unknown> {
  constructor(readonly items: Iterable<T>) {}
}

const CHUNK = 1 << 20;

export function writeJson(value: unknown, out: (s: string) => void, depth = 2): void {
  let buf = '';
  const put = (s: string) => {
    buf += s;
    if (buf.length >= CHUNK) {
      out(buf);
      buf = '';
    }
  };
  const write = (v: unknown, indent: string, level: number): void => {
    const inner = indent + '  ';
    if (v instanceof Lazy || (Array.isArray(v) && level < depth)) {
      let first = true;
      for (const item of v instanceof Lazy ? v.items : (v as unknown[])) {
        put(first ? `[\n${inner}` : `,\n${inner}`);
        first = false;
        if (item === undefined || typeof item === 'function' || typeof item === 'symbol') put('null');
        else write(item, inner, level + 1);
      }
      put(first ? '[]' : `\n${indent}]`);
      return;
    }
    if (v !== null && typeof v === 'object' && level < depth && Object.getPrototypeOf(v) === Object.prototype) {
      let first = true;
      for (const [k, x] of Object.entries(v)) {
        if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
        put(`${first ? '{' : ','}\n${inner}${JSON.stringify(k)}: `);
        first = false;
        write(x, inner, level + 1);
      }
      put(first ? '{}' : `\n${indent}}`);
      return;
    }
    const s = JSON.stringify(v, null, 2);
    put(indent && s.includes('\n') ? s.replace(/\n/g, `\n${indent}`) : s);
  };
  write(value, '', 0);
  put('\n');
  if (buf) out(buf);
}

/*
 * Standard output written synchronously, piece by piece. process.stdout.write queues what a pipe
 * does not take at once, so streaming a document into a slow reader (`keyslot check | jq`) would
 * still hold all of it in memory; a blocking write holds one piece. A pipe opened non-blocking
 * answers EAGAIN when full: wait a little and go on. Any other failure (a closed pipe) hands the
 * rest to process.stdout, which reports it as before.
 */
let fallback = false;
const pause = new Int32Array(new SharedArrayBuffer(4));

export function writeStdout(s: string): void {
  if (fallback) {
    process.stdout.write(s);
    return;
  }
  let buf = Buffer.from(s, 'utf8');
  while (buf.length) {
    try {
      const n = fs.writeSync(1, buf);
      buf = buf.subarray(n);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
        Atomics.wait(pause, 0, 0, 1);
        continue;
      }
      fallback = true;
      process.stdout.write(buf);
      return;
    }
  }
}
