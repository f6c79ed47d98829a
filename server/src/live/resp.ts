import * as net from 'net';
import * as tls from 'tls';

/*
 * A small RESP2 client: commands as arrays of bulk strings, replies parsed as they arrive,
 * pipelining with a bounded window. keyslot's live features (`keyslot migrate`) and the tests'
 * real servers use it; it has no dependencies.
 */
/** A server error reply, returned as a value (not thrown), so callers decide what it means. */
export interface RespError {
  error: string;
}
export type Reply = string | number | null | RespError | Reply[];
export type Arg = string | Buffer | Uint8Array | number;

export function isRespError(r: unknown): r is RespError {
  return typeof r === 'object' && r !== null && !Array.isArray(r) && !Buffer.isBuffer(r) && typeof (r as RespError).error === 'string';
}

function argBytes(a: Arg): Buffer | string {
  if (typeof a === 'string') return a;
  if (typeof a === 'number') return String(a);
  return Buffer.isBuffer(a) ? a : Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function digits(n: number): number {
  return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : String(n).length;
}

/** RESP encoding of commands (arrays of bulk strings) into one buffer; strings are sent as UTF-8. */
export function encodeCommands(commands: readonly (readonly Arg[])[]): Buffer {
  // Two passes (size, then write) so a 10k-command chunk costs one allocation.
  let size = 0;
  const conv: (Buffer | string)[][] = [];
  const lens: number[] = [];
  for (const c of commands) {
    const args = c.map(argBytes);
    conv.push(args);
    size += 3 + digits(args.length);
    for (const a of args) {
      const len = typeof a === 'string' ? Buffer.byteLength(a, 'utf8') : a.length;
      lens.push(len);
      size += 5 + digits(len) + len;
    }
  }
  const out = Buffer.allocUnsafe(size);
  let off = 0;
  let li = 0;
  for (const args of conv) {
    off += out.write(`*${args.length}\r\n`, off, 'latin1');
    for (const a of args) {
      off += out.write(`$${lens[li++]}\r\n`, off, 'latin1');
      off += typeof a === 'string' ? out.write(a, off, 'utf8') : a.copy(out, off);
      out[off++] = 13;
      out[off++] = 10;
    }
  }
  return out;
}

const INCOMPLETE = Symbol('incomplete');
type Parsed = { value: Reply; end: number } | typeof INCOMPLETE;

/** Parses one reply at `pos`; INCOMPLETE when more bytes are needed. */
function parseReply(buf: Buffer, pos: number, buffers: boolean): Parsed {
  if (pos >= buf.length) return INCOMPLETE;
  const type = buf[pos];
  const cr = buf.indexOf(13, pos + 1);
  if (cr < 0 || cr + 1 >= buf.length) return INCOMPLETE;
  const next = cr + 2;
  switch (type) {
    case 0x2b: // +
      return { value: buf.toString('utf8', pos + 1, cr), end: next };
    case 0x2d: // -
      return { value: { error: buf.toString('utf8', pos + 1, cr) }, end: next };
    case 0x3a: // :
      return { value: Number(buf.toString('latin1', pos + 1, cr)), end: next };
    case 0x24: {
      // $
      const len = Number(buf.toString('latin1', pos + 1, cr));
      if (len < 0) return { value: null, end: next };
      if (next + len + 2 > buf.length) return INCOMPLETE;
      const value = buffers ? (Buffer.from(buf.subarray(next, next + len)) as unknown as string) : buf.toString('utf8', next, next + len);
      return { value, end: next + len + 2 };
    }
    case 0x2a: {
      // *
      const n = Number(buf.toString('latin1', pos + 1, cr));
      if (n < 0) return { value: null, end: next };
      const items: Reply[] = new Array(n);
      let p = next;
      for (let i = 0; i < n; i++) {
        const r = parseReply(buf, p, buffers);
        if (r === INCOMPLETE) return INCOMPLETE;
        items[i] = r.value;
        p = r.end;
      }
      return { value: items, end: p };
    }
    default:
      throw new Error(`RESP protocol error: byte 0x${type.toString(16)} at offset ${pos}`);
  }
}

interface Waiter {
  replies: Reply[];
  expected: number;
  resolve(r: Reply[]): void;
  reject(e: Error): void;
}

export interface RespClientOptions {
  /** Bulk strings come back as Buffers (typed as string) instead of UTF-8 text. */
  buffers?: boolean;
  /** connect over TLS, with these options (`ca`, `servername` …) */
  tls?: tls.ConnectionOptions;
  /** give up connecting (and the TLS handshake) after this long; default 10 s */
  connectTimeoutMs?: number;
}

export class RespClient {
  private buf: Buffer = Buffer.alloc(0);
  private readonly waiters: Waiter[] = [];
  private closed: Error | null = null;

  private constructor(
    private readonly socket: net.Socket | tls.TLSSocket,
    private readonly buffers: boolean,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }

  static connect(port: number, host = '127.0.0.1', opts: RespClientOptions = {}): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const socket = opts.tls ? tls.connect({ port, host, servername: net.isIP(host) ? undefined : host, ...opts.tls }) : net.connect({ port, host });
      socket.once('error', reject);
      // a port that never answers, or a plain port spoken to in TLS, must not hang the caller
      const ms = opts.connectTimeoutMs ?? 10_000;
      socket.setTimeout(ms, () => {
        socket.destroy();
        reject(new Error(`no ${opts.tls ? 'TLS handshake' : 'connection'} within ${ms / 1000} s`));
      });
      socket.once(opts.tls ? 'secureConnect' : 'connect', () => {
        socket.setTimeout(0);
        socket.off('error', reject);
        resolve(new RespClient(socket, !!opts.buffers));
      });
    });
  }

  private fail(e: Error): void {
    if (this.closed) return;
    this.closed = e;
    for (const w of this.waiters.splice(0)) w.reject(e);
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    let pos = 0;
    while (pos < this.buf.length) {
      const r = parseReply(this.buf, pos, this.buffers);
      if (r === INCOMPLETE) break;
      pos = r.end;
      const w = this.waiters[0];
      if (!w) {
        this.fail(new Error('RESP reply with no pending command'));
        this.socket.destroy();
        return;
      }
      w.replies.push(r.value);
      if (w.replies.length === w.expected) {
        this.waiters.shift();
        w.resolve(w.replies);
      }
    }
    this.buf = pos === this.buf.length ? Buffer.alloc(0) : this.buf.subarray(pos);
  }

  private expect(n: number): Promise<Reply[]> {
    if (this.closed) return Promise.reject(this.closed);
    if (n === 0) return Promise.resolve([]);
    const p = new Promise<Reply[]>((resolve, reject) => this.waiters.push({ replies: [], expected: n, resolve, reject }));
    p.catch(() => {}); // awaited later; a close before then must not be an unhandled rejection
    return p;
  }

  private write(data: Buffer): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.write(data)) resolve();
      else this.socket.once('drain', resolve);
    });
  }

  async send(args: readonly Arg[]): Promise<Reply> {
    const p = this.expect(1);
    await this.write(encodeCommands([args]));
    return (await p)[0];
  }

  /**
   * Sends many commands and returns their replies in order. Writes chunks of `chunkSize` commands
   * and keeps at most `window` chunks unanswered, so neither side buffers the whole batch.
   */
  async pipeline(commands: Iterable<readonly Arg[]>, chunkSize = 10_000, window = 4): Promise<Reply[]> {
    const inFlight: Promise<Reply[]>[] = [];
    const out: Reply[] = [];
    let pending: (readonly Arg[])[] = [];
    const flush = async () => {
      inFlight.push(this.expect(pending.length));
      const data = encodeCommands(pending);
      pending = [];
      await this.write(data);
      if (inFlight.length >= window) for (const r of await inFlight.shift()!) out.push(r);
    };
    for (const c of commands) {
      pending.push(c);
      if (pending.length >= chunkSize) await flush();
    }
    if (pending.length) await flush();
    for (const p of inFlight) for (const r of await p) out.push(r);
    return out;
  }

  close(): void {
    this.fail(new Error('client closed'));
    this.socket.destroy();
  }
}
