import type { CallSite } from './ir';

/*
 * A file's calls packed into one byte array, for a batch run (`keyslot check`). Calls are most
 * of a file's facts, and only the file's own interpretation reads them (see callsReadElsewhere),
 * so a cold scan packs them as each file is extracted and unpacks them just before that file's
 * turn in analyze(). As objects, the calls of 7,600 parsed files take about 300 MB; packed they
 * are a few bytes per node, and the objects die young instead of being copied into old space.
 *
 * The encoding is generic over plain objects and arrays, so the IR can change without touching
 * it: key order, shared objects (a call that is also the callee of a chained call) and the frozen
 * NO_KWARGS are kept. A `text` equal to the source under the object's `span` is not stored but
 * sliced again. The shape table is this module's, so packed calls never cross threads.
 */
export interface PackedCalls {
  source: string;
  data: Uint8Array;
  strings: string[];
  numbers: number[];
}

/*
 * Each value starts with an unsigned LEB128 varint: a tag in the low 4 bits, a payload above (an
 * object's or array's values follow it). Most values take one or two bytes.
 */
const INT = 0; // payload: the integer, zigzagged
const STR = 1; // payload: index in strings
const OBJ = 2; // payload: shape id; the values follow in the shape's key order
const ARR = 3; // payload: length; the items follow
const REF = 4; // payload: id of an object or array already packed (in order of appearance)
const CONST = 5; // payload: index in CONSTS, then in the shared objects
const NUM = 6; // payload: index in numbers (what is not a small integer)
const TEXT = 7; // the source under the enclosing object's span
const SPAN = 8; // a { start, end }: payload = start - the previous span's start, zigzagged; then a varint, end - start

const CONSTS: unknown[] = [undefined, null, false, true];
const SMALL = 2 ** 40;

const zigzag = (v: number) => (v < 0 ? -2 * v - 1 : 2 * v);
const unzigzag = (u: number) => (u % 2 ? -(u + 1) / 2 : u / 2);

/** Key lists by id, and a trie over key sequences to find an object's id without joining strings. */
const shapes: string[][] = [];
interface ShapeNode {
  id: number;
  next: Map<string, ShapeNode>;
}
const shapeRoot: ShapeNode = { id: -1, next: new Map() };

function shapeOf(keys: string[]): number {
  let node = shapeRoot;
  for (const k of keys) {
    let n = node.next.get(k);
    if (!n) node.next.set(k, (n = { id: -1, next: new Map() }));
    node = n;
  }
  if (node.id < 0) {
    node.id = shapes.length;
    shapes.push(keys);
  }
  return node.id;
}

/** Shared constants packed by reference (NO_KWARGS): registered by the module that owns them. */
const sharedObjects: object[] = [];
export function registerShared(o: object): void {
  if (!sharedObjects.includes(o)) sharedObjects.push(o);
}

const isSpan = (o: Record<string, unknown>, keys: string[]) =>
  keys.length === 2 && keys[0] === 'start' && keys[1] === 'end' && Number.isSafeInteger(o.start) && Number.isSafeInteger(o.end);

export function packCalls(calls: CallSite[], source: string): PackedCalls {
  let data = new Uint8Array(4096);
  let n = 0;
  const strings: string[] = [];
  const stringIds = new Map<string, number>();
  const numbers: number[] = [];
  const ids = new Map<object, number>();
  let lastStart = 0;
  const varint = (u: number) => {
    if (n + 8 > data.length) {
      const bigger = new Uint8Array(data.length * 2);
      bigger.set(data);
      data = bigger;
    }
    while (u >= 128) {
      data[n++] = (u % 128) + 128;
      u = Math.floor(u / 128);
    }
    data[n++] = u;
  };
  const tagged = (tag: number, payload: number) => varint(payload * 16 + tag);
  const value = (v: unknown): void => {
    switch (typeof v) {
      case 'number':
        if (Number.isInteger(v) && Math.abs(v) < SMALL && !Object.is(v, -0)) tagged(INT, zigzag(v));
        else tagged(NUM, numbers.push(v) - 1);
        return;
      case 'string': {
        let id = stringIds.get(v);
        if (id === undefined) stringIds.set(v, (id = strings.push(v) - 1));
        tagged(STR, id);
        return;
      }
      case 'undefined':
      case 'boolean':
        tagged(CONST, CONSTS.indexOf(v));
        return;
      case 'object': {
        if (v === null) return tagged(CONST, 1);
        const seen = ids.get(v);
        if (seen !== undefined) return tagged(REF, seen);
        const shared = sharedObjects.indexOf(v);
        if (shared >= 0) return tagged(CONST, CONSTS.length + shared);
        ids.set(v, ids.size);
        if (Array.isArray(v)) {
          tagged(ARR, v.length);
          for (const x of v) value(x);
          return;
        }
        if (Object.getPrototypeOf(v) !== Object.prototype) throw new Error('packCalls: only plain objects and arrays');
        const o = v as Record<string, unknown>;
        const keys = Object.keys(o);
        if (isSpan(o, keys) && (o.end as number) >= (o.start as number)) {
          tagged(SPAN, zigzag((o.start as number) - lastStart));
          varint((o.end as number) - (o.start as number));
          lastStart = o.start as number;
          return;
        }
        tagged(OBJ, shapeOf(keys));
        const span = o.span as { start: number; end: number } | undefined;
        for (const k of keys) {
          if (k === 'text' && span && o.text === source.slice(span.start, span.end)) tagged(TEXT, 0);
          else value(o[k]);
        }
        return;
      }
      default:
        throw new Error(`packCalls: cannot pack a ${typeof v}`);
    }
  };
  value(calls);
  return { source, data: data.slice(0, n), strings, numbers };
}

export function unpackCalls(p: PackedCalls): CallSite[] {
  const { data, strings, numbers, source } = p;
  const objects: object[] = [];
  let i = 0;
  let lastStart = 0;
  const varint = () => {
    let u = 0;
    let scale = 1;
    for (;;) {
      const b = data[i++];
      if (b < 128) return u + b * scale;
      u += (b - 128) * scale;
      scale *= 128;
    }
  };
  const value = (): unknown => {
    const x = varint();
    const tag = x % 16;
    const payload = (x - tag) / 16;
    switch (tag) {
      case INT:
        return unzigzag(payload);
      case STR:
        return strings[payload];
      case NUM:
        return numbers[payload];
      case CONST:
        return payload < CONSTS.length ? CONSTS[payload] : sharedObjects[payload - CONSTS.length];
      case REF:
        return objects[payload];
      case SPAN: {
        const start = lastStart + unzigzag(payload);
        lastStart = start;
        const span = { start, end: start + varint() };
        objects.push(span);
        return span;
      }
      case ARR: {
        const a: unknown[] = new Array(payload);
        objects.push(a);
        for (let k = 0; k < payload; k++) a[k] = value();
        return a;
      }
      case OBJ: {
        const o: Record<string, unknown> = {};
        objects.push(o);
        let text = false;
        for (const k of shapes[payload]) {
          if (data[i] === TEXT) {
            i++;
            text = true;
            o[k] = '';
          } else o[k] = value();
        }
        if (text) {
          const span = o.span as { start: number; end: number };
          o.text = source.slice(span.start, span.end);
        }
        return o;
      }
      default:
        throw new Error(`unpackCalls: bad tag ${tag}`);
    }
  };
  return value() as CallSite[];
}
