import type { Language as TsLanguage, Tree } from 'web-tree-sitter';
import { rawCursor, RawCursor } from './parser';

/*
 * A syntax tree copied out of tree-sitter's WASM heap into flat typed arrays in one cursor walk,
 * and a small node class over it with the parts of web-tree-sitter's Node API the extractors use.
 *
 * Why: every web-tree-sitter Node call marshals the node through a transfer buffer, crosses into
 * WASM and allocates a new Node object; extraction asked for children, fields, types and text
 * millions of times and spent three times as long as parsing. Walking the tree once with the raw
 * cursor exports (the cursor stays in the transfer buffer between calls, so nothing is marshalled)
 * costs about a tenth of a microsecond per node; everything after that is plain JS array reads.
 *
 * Semantics follow web-tree-sitter: `children` / `namedChildren` are the visible children (named
 * per the node's possibly aliased symbol), a child's field is what the cursor reports for it
 * (`ts_tree_cursor_current_field_id`, the same rule `childrenForFieldName` uses), `type` is the
 * symbol name or 'ERROR', `text` is the source between the node's UTF-16 offsets. One difference:
 * `childForFieldName` is the first child with the field, where tree-sitter's
 * `ts_node_child_by_field_id` also looks through a child for fields it inherits from hidden rules
 * (Lua `assignment_statement` name/value) and skips a few hidden wrappers (Lua `block`
 * local_declaration). No extractor asks for those; test/unit/scan-index.test.ts compares the two
 * APIs node by node.
 */

/** What a language contributes: names of symbols and fields, and which symbols are named. */
class LanguageInfo {
  readonly types: string[];
  private readonly fieldIds = new Map<string, number>();
  private readonly named: Int8Array;
  constructor(private readonly lang: TsLanguage) {
    this.types = lang.types;
    lang.fields.forEach((f, i) => {
      if (f && !this.fieldIds.has(f)) this.fieldIds.set(f, i);
    });
    this.named = new Int8Array(65536).fill(-1);
  }
  fieldId(name: string): number {
    return this.fieldIds.get(name) ?? -1;
  }
  isNamed(typeId: number): boolean {
    let n = this.named[typeId];
    if (n < 0) n = this.named[typeId] = this.lang.nodeTypeIsNamed(typeId) ? 1 : 0;
    return n === 1;
  }
}

const languageInfos = new WeakMap<TsLanguage, LanguageInfo>();
function infoFor(lang: TsLanguage): LanguageInfo {
  let info = languageInfos.get(lang);
  if (!info) languageInfos.set(lang, (info = new LanguageInfo(lang)));
  return info;
}

const ERROR_SYMBOL = 65535;
const NAMED = 1;
const MISSING = 2;
/** starts, ends, parents, first children, next siblings (4 bytes each); type and field ids (2); flags (1) */
const BYTES_PER_NODE = 5 * 4 + 2 * 2 + 1;

/** A SyntaxTree's arrays in one buffer, to hand to another thread without copying. */
export interface SyntaxTreeData {
  buffer: ArrayBuffer;
  count: number;
  errors: number;
}

/*
 * Names and short literals repeat across a workspace (`id`, `ctx`, `redis`, `get`); V8 copies every
 * slice shorter than 13 characters, so without sharing the facts hold thousands of copies of each.
 * The table is bounded for a long-running server.
 */
const SHORT_TEXT = 12;
const INTERN_MAX = 200_000;
let interned = new Map<string, string>();
function intern(s: string): string {
  const known = interned.get(s);
  if (known !== undefined) return known;
  if (interned.size >= INTERN_MAX) interned = new Map();
  interned.set(s, s);
  return s;
}

export class SyntaxTree {
  count = 0;
  /** ERROR and MISSING nodes */
  errors = 0;
  buffer!: ArrayBuffer;
  starts!: Uint32Array;
  ends!: Uint32Array;
  parents!: Int32Array;
  firstChildren!: Int32Array;
  nextSiblings!: Int32Array;
  typeIds!: Uint16Array;
  fieldIds!: Uint16Array;
  flags!: Uint8Array;
  readonly info: LanguageInfo;

  /** Copies a parsed tree out of WASM; `source` is the text it was parsed from. */
  static fromTree(tree: Tree, source: string, reuse?: (bytes: number) => ArrayBuffer | undefined): SyntaxTree {
    const t = new SyntaxTree(tree.language, source);
    const root = tree.rootNode;
    const hasError = root.hasError;
    const capacity = Math.max(16, root.descendantCount + 1);
    const spare = reuse?.(capacity * BYTES_PER_NODE);
    if (spare) t.views(spare, Math.floor(spare.byteLength / BYTES_PER_NODE));
    else t.allocate(capacity);
    const raw = rawCursor();
    if (raw) t.walkRaw(tree, raw, hasError);
    else t.walkPublic(tree, hasError);
    return t;
  }

  /** A tree copied out on another thread (see data()). */
  static fromData(data: SyntaxTreeData, lang: TsLanguage, source: string): SyntaxTree {
    const t = new SyntaxTree(lang, source);
    t.count = data.count;
    t.errors = data.errors;
    t.views(data.buffer, data.buffer.byteLength / BYTES_PER_NODE);
    return t;
  }

  private constructor(
    lang: TsLanguage,
    readonly source: string,
  ) {
    this.info = infoFor(lang);
  }

  /**
   * The arrays, trimmed to the nodes there are, for postMessage (transfer `buffer`). Untrimmed
   * (`trim` false) for a buffer that goes back to the sender to be used again: fromData reads the
   * capacity from the buffer's length.
   */
  data(trim = true): SyntaxTreeData {
    const capacity = this.typeIds.length;
    if (trim && capacity !== this.count) {
      const old = this.arrays();
      this.views(new ArrayBuffer(this.count * BYTES_PER_NODE), this.count);
      this.copyFrom(old);
    }
    return { buffer: this.buffer, count: this.count, errors: this.errors };
  }

  private allocate(capacity: number): void {
    this.views(new ArrayBuffer(capacity * BYTES_PER_NODE), capacity);
  }

  /** 4-byte columns first, then 2-byte, then 1-byte, so every view is aligned. */
  private views(buffer: ArrayBuffer, n: number): void {
    this.buffer = buffer;
    let at = 0;
    const i32 = () => {
      const a = new Int32Array(buffer, at, n);
      at += 4 * n;
      return a;
    };
    this.starts = new Uint32Array(buffer, at, n);
    at += 4 * n;
    this.ends = new Uint32Array(buffer, at, n);
    at += 4 * n;
    this.parents = i32();
    this.firstChildren = i32();
    this.nextSiblings = i32();
    this.typeIds = new Uint16Array(buffer, at, n);
    at += 2 * n;
    this.fieldIds = new Uint16Array(buffer, at, n);
    at += 2 * n;
    this.flags = new Uint8Array(buffer, at, n);
  }

  private arrays() {
    return { starts: this.starts, ends: this.ends, parents: this.parents, firstChildren: this.firstChildren, nextSiblings: this.nextSiblings, typeIds: this.typeIds, fieldIds: this.fieldIds, flags: this.flags };
  }

  private copyFrom(old: ReturnType<SyntaxTree['arrays']>): void {
    const n = Math.min(this.count, old.typeIds.length);
    this.starts.set(old.starts.subarray(0, n));
    this.ends.set(old.ends.subarray(0, n));
    this.parents.set(old.parents.subarray(0, n));
    this.firstChildren.set(old.firstChildren.subarray(0, n));
    this.nextSiblings.set(old.nextSiblings.subarray(0, n));
    this.typeIds.set(old.typeIds.subarray(0, n));
    this.fieldIds.set(old.fieldIds.subarray(0, n));
    this.flags.set(old.flags.subarray(0, n));
  }

  /** Appends the cursor's current node; returns its index. */
  private add(parent: number, typeId: number, start: number, end: number, field: number, missing: boolean): number {
    const i = this.count++;
    if (i >= this.typeIds.length) this.grow();
    this.typeIds[i] = typeId;
    this.starts[i] = start;
    this.ends[i] = end;
    this.fieldIds[i] = field;
    this.parents[i] = parent;
    this.firstChildren[i] = -1;
    this.nextSiblings[i] = -1;
    let flags = this.info.isNamed(typeId) ? NAMED : 0;
    if (missing) flags |= MISSING;
    this.flags[i] = flags;
    if (typeId === ERROR_SYMBOL || missing) this.errors++;
    return i;
  }

  private grow(): void {
    const old = this.arrays();
    this.allocate(old.typeIds.length * 2);
    this.copyFrom(old);
  }

  /**
   * Depth-first walk with the exported cursor functions. `tree.walk()` leaves the new cursor in
   * the transfer buffer and every cursor export reads it from there and writes it back, so as long
   * as nothing else touches web-tree-sitter meanwhile (this loop is synchronous) the cursor needs
   * no marshalling; it is deleted the same way, from the buffer, because its stack may have moved.
   */
  private walkRaw(tree: Tree, c: RawCursor, hasError: boolean): void {
    tree.walk();
    const t = (tree as unknown as { 0: number })[0];
    const missing = () => hasError && c.isMissing(t) === 1;
    let cur = this.add(-1, c.typeId(t), c.start(t), c.end(t), c.fieldId(t), missing());
    try {
      for (;;) {
        if (c.firstChild(t)) {
          const child = this.add(cur, c.typeId(t), c.start(t), c.end(t), c.fieldId(t), missing());
          this.firstChildren[cur] = child;
          cur = child;
          continue;
        }
        for (;;) {
          if (c.nextSibling(t)) {
            const sib = this.add(this.parents[cur], c.typeId(t), c.start(t), c.end(t), c.fieldId(t), missing());
            this.nextSiblings[cur] = sib;
            cur = sib;
            break;
          }
          if (!c.parent(t)) return;
          cur = this.parents[cur];
        }
      }
    } finally {
      c.delete(t);
    }
  }

  /** The same walk through the public TreeCursor API, if the raw exports are not there. */
  private walkPublic(tree: Tree, hasError: boolean): void {
    const c = tree.walk();
    const missing = () => hasError && c.nodeIsMissing;
    let cur = this.add(-1, c.nodeTypeId, c.startIndex, c.endIndex, c.currentFieldId, missing());
    try {
      for (;;) {
        if (c.gotoFirstChild()) {
          const child = this.add(cur, c.nodeTypeId, c.startIndex, c.endIndex, c.currentFieldId, missing());
          this.firstChildren[cur] = child;
          cur = child;
          continue;
        }
        for (;;) {
          if (c.gotoNextSibling()) {
            const sib = this.add(this.parents[cur], c.nodeTypeId, c.startIndex, c.endIndex, c.currentFieldId, missing());
            this.nextSiblings[cur] = sib;
            cur = sib;
            break;
          }
          if (!c.gotoParent()) return;
          cur = this.parents[cur];
        }
      }
    } finally {
      c.delete();
    }
  }

  get rootNode(): SyntaxNode {
    return this.node(0);
  }

  node(i: number): SyntaxNode {
    return new SyntaxNode(this, i);
  }

  typeOf(i: number): string {
    return this.info.types[this.typeIds[i]] || 'ERROR';
  }

  isNamed(i: number): boolean {
    return (this.flags[i] & NAMED) !== 0;
  }

  /**
   * Identity by span and type, as the extractors have always keyed nodes: a node and an ancestor
   * with the same span and type are one. Such ancestors are the only other nodes that can share a
   * non-empty span, so the outermost one's index is the key; empty nodes (which siblings can share)
   * are keyed by text.
   */
  keyOf(i: number): number | string {
    const s = this.starts[i];
    const e = this.ends[i];
    const type = this.typeIds[i];
    if (s === e) return `${s}:${e}:${type}`;
    let k = i;
    for (let p = this.parents[i]; p >= 0 && this.starts[p] === s && this.ends[p] === e; p = this.parents[p]) if (this.typeIds[p] === type) k = p;
    return k;
  }
}

/** One node of a SyntaxTree; `id` is its index, unique within the tree. */
export class SyntaxNode {
  private childList?: SyntaxNode[];
  private namedList?: SyntaxNode[];

  constructor(
    readonly tree: SyntaxTree,
    readonly id: number,
  ) {}

  get typeId(): number {
    return this.tree.typeIds[this.id];
  }
  /** see SyntaxTree.keyOf */
  get key(): number | string {
    return this.tree.keyOf(this.id);
  }
  get type(): string {
    return this.tree.typeOf(this.id);
  }
  get startIndex(): number {
    return this.tree.starts[this.id];
  }
  get endIndex(): number {
    return this.tree.ends[this.id];
  }
  /** The node's source; short texts (names, small literals) are shared, as the facts keep them all. */
  get text(): string {
    const start = this.tree.starts[this.id];
    const end = this.tree.ends[this.id];
    const s = this.tree.source.slice(start, end);
    return end - start <= SHORT_TEXT ? intern(s) : s;
  }
  get isNamed(): boolean {
    return (this.tree.flags[this.id] & NAMED) !== 0;
  }
  get isMissing(): boolean {
    return (this.tree.flags[this.id] & MISSING) !== 0;
  }
  get isError(): boolean {
    return this.tree.typeIds[this.id] === ERROR_SYMBOL;
  }
  get parent(): SyntaxNode | null {
    const p = this.tree.parents[this.id];
    return p < 0 ? null : this.tree.node(p);
  }
  get children(): SyntaxNode[] {
    if (!this.childList) {
      const t = this.tree;
      const out: SyntaxNode[] = [];
      for (let c = t.firstChildren[this.id]; c >= 0; c = t.nextSiblings[c]) out.push(t.node(c));
      this.childList = out;
    }
    return this.childList;
  }
  get namedChildren(): SyntaxNode[] {
    if (!this.namedList) {
      const t = this.tree;
      const out: SyntaxNode[] = [];
      for (let c = t.firstChildren[this.id]; c >= 0; c = t.nextSiblings[c]) if (t.flags[c] & NAMED) out.push(t.node(c));
      this.namedList = out;
    }
    return this.namedList;
  }
  childForFieldName(name: string): SyntaxNode | null {
    const t = this.tree;
    const f = t.info.fieldId(name);
    if (f <= 0) return null;
    for (let c = t.firstChildren[this.id]; c >= 0; c = t.nextSiblings[c]) if (t.fieldIds[c] === f) return t.node(c);
    return null;
  }
  childrenForFieldName(name: string): SyntaxNode[] {
    const t = this.tree;
    const f = t.info.fieldId(name);
    const out: SyntaxNode[] = [];
    if (f <= 0) return out;
    for (let c = t.firstChildren[this.id]; c >= 0; c = t.nextSiblings[c]) if (t.fieldIds[c] === f) out.push(t.node(c));
    return out;
  }
  /** This node and its descendants of the given type, in document order. */
  descendantsOfType(type: string): SyntaxNode[] {
    const t = this.tree;
    const out: SyntaxNode[] = [];
    // nodes are stored in document (pre-)order and a subtree is contiguous: it ends where the next node outside it begins
    const end = this.subtreeEnd();
    for (let i = this.id; i < end; i++) if (t.typeOf(i) === type) out.push(t.node(i));
    return out;
  }
  /** Index one past this node's last descendant. */
  private subtreeEnd(): number {
    const t = this.tree;
    for (let i = this.id; i >= 0; i = t.parents[i]) if (t.nextSiblings[i] >= 0) return t.nextSiblings[i];
    return t.count;
  }
}
