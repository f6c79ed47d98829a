import type { Edit, Node, Parser, Point, Tree } from 'web-tree-sitter';
import type { Binding, CallSite, Expr, FileFacts, FuncDef, Import, Language, Scope } from '../extract/ir';
import { ANY_CALL } from '../clients/routing';
import { callIdsUsed } from '../extract/base';

/*
 * Re-extraction of a file being edited, in proportion to the edit. The last version's syntax tree
 * is kept, so tree-sitter re-parses only around the change; the facts are kept per top-level
 * statement, so only the statements the edit touched are extracted again. The others are reused,
 * moved by the length the edit added before them (spans, offsets, scope ids such as `fn@120`)
 * and renumbered (call ids run through the file). The result equals extracting the whole text,
 * since extractors see one top-level statement at a time (test/unit/incremental.test.ts compares
 * both). A tree with syntax errors is extracted whole from a fresh parse: error recovery can
 * cross statements, and is where an incremental parse could come out differently.
 */

/** One top-level statement's facts, placed as they are in the file (offsets, call ids). */
interface Chunk {
  start: number;
  end: number;
  text: string;
  /** the call ids the statement uses: `idBase + 1 … idBase + ids` */
  idBase: number;
  ids: number;
  scopes: Scope[];
  bindings: Binding[];
  functions: FuncDef[];
  calls: CallSite[];
  imports: Import[];
}

interface Entry {
  tree: Tree;
  text: string;
  language: Language;
  moduleScope: string;
  chunks?: Chunk[];
  /** what the last extract did to the previous version's scope ids (see Renames) */
  renames?: Renames;
  /** what the statements extracted again define differently (see LastEdit) */
  changed?: Set<string>;
  /** the last extract kept every call id, and changed no import and no defineCommand */
  stable?: boolean;
}

/** How the last extract of a file changed it (see EditCache.lastEdit). */
export interface LastEdit {
  renames: Renames;
  /**
   * Names whose definitions differ between the statements extracted again and the ones they
   * replace (bindings, functions, classes and their members; ANY_CALL when calls that a client's
   * configuration is read from changed): a call elsewhere that looked none of them up reads the same.
   */
  changed: Set<string>;
  /** no call id changed, no import and no defineCommand was in the statements extracted again */
  stable: boolean;
}

/**
 * The scope ids of a file's previous facts after an incremental extract: a moved statement's ids
 * map to their new names (`fn@120` → `fn@125`), a statement extracted again maps to null (its
 * scopes are new objects); ids not listed did not change. Facts objects of reused statements are
 * the same objects as before (moved in place), so a result computed from them can be matched.
 */
export type Renames = ReadonlyMap<string, string | null>;

/** Languages whose extractors treat top-level statements independently (Java wraps everything in a class: nothing to gain). */
const CHUNKED = new Set<Language>(['python', 'javascript', 'typescript', 'tsx', 'go', 'lua']);

/** Runs the language's extractor over a tree of `text`. */
export type RunExtractor = (tree: Tree) => FileFacts;

export class EditCache {
  private entries = new Map<string, Entry>();

  constructor(private max = 8) {}

  /** The facts of `text`, re-using what the file's last version had where its statements did not change. */
  extract(parser: Parser, file: string, text: string, language: Language, moduleScope: string, run: RunExtractor): FileFacts {
    const old = this.entries.get(file);
    const same = old && old.language === language && old.moduleScope === moduleScope ? old : undefined;
    let tree: Tree | null;
    let edit: Edit | undefined;
    if (same && same.text === text) tree = same.tree.copy();
    else if (same) {
      edit = editBetween(same.text, text);
      same.tree.edit(edit);
      tree = parser.parse(text, same.tree);
      if (tree?.rootNode.hasError) {
        tree.delete();
        tree = parser.parse(text);
        edit = undefined;
      }
    } else tree = parser.parse(text);
    if (!tree) throw new Error(`tree-sitter returned no tree for ${file}`);
    this.drop(file);
    const entry: Entry = { tree, text, language, moduleScope };
    this.entries.set(file, entry);
    if (this.entries.size > this.max) this.drop(this.entries.keys().next().value!);
    if (!CHUNKED.has(language) || tree.rootNode.hasError) return run(tree);
    const renames = new Map<string, string | null>();
    const diff: ChunkDiff = { dropped: [], fresh: [], shifted: false };
    const chunks = this.chunks(parser, tree, text, same?.text === text || edit ? same?.chunks : undefined, edit, run, renames, diff);
    // a statement that does not parse on its own (it leaned on its neighbours): extract the whole text
    if (!chunks) return run(tree);
    entry.chunks = chunks;
    entry.renames = renames;
    entry.changed = changedNames(diff);
    entry.stable = !diff.shifted && [...diff.dropped, ...diff.fresh].every((c) => !c.imports.length && !c.calls.some((x) => x.call.callee.k === 'attr' && x.call.callee.name === 'defineCommand'));
    return merge(file, language, moduleScope, text.length, chunks);
  }

  /**
   * Parses and splits a file now (an editor opened it), so its first edit is as quick as the next
   * ones: the facts, which later edits move and reuse (undefined when that was done already).
   */
  prepare(parser: Parser, file: string, text: string, language: Language, moduleScope: string, run: RunExtractor): FileFacts | undefined {
    if (this.entries.get(file)?.text === text) return undefined;
    return this.extract(parser, file, text, language, moduleScope, run);
  }

  /** How the last extract of `file` changed the previous facts; undefined: nothing was reused. */
  lastEdit(file: string): LastEdit | undefined {
    const e = this.entries.get(file);
    return e?.renames && e.changed ? { renames: e.renames, changed: e.changed, stable: !!e.stable } : undefined;
  }

  has(file: string): boolean {
    return this.entries.has(file);
  }

  drop(file: string): void {
    this.entries.get(file)?.tree.delete();
    this.entries.delete(file);
  }

  private chunks(parser: Parser, tree: Tree, text: string, before: Chunk[] | undefined, edit: Edit | undefined, run: RunExtractor, renames: Map<string, string | null>, diff: ChunkDiff): Chunk[] | undefined {
    const delta = edit ? edit.newEndIndex - edit.oldEndIndex : 0;
    // the old statements, by where they would start now
    const reusable = new Map<number, Chunk>();
    // and by their text: inside the edited span (two edits far apart make one span from the first to
    // the last) most statements are still there as they were, only moved
    const byText = new Map<string, Chunk[]>();
    for (const c of before ?? []) {
      if (!edit || c.end <= edit.startIndex) reusable.set(c.start, c);
      else if (c.start >= edit.oldEndIndex) reusable.set(c.start + delta, c);
      else byText.set(c.text, [...(byText.get(c.text) ?? []), c]);
    }
    const out: Chunk[] = [];
    let idBase = 0;
    // statements after the edit all move by the same amounts
    let mover: Mover | undefined;
    const reused = new Set<Chunk>();
    for (const node of tree.rootNode.namedChildren) {
      if (!node) continue;
      const start = node.startIndex;
      const end = node.endIndex;
      const piece = text.slice(start, end);
      const atPlace = reusable.get(start);
      const old = atPlace && atPlace.text === piece && !reused.has(atPlace) ? atPlace : byText.get(piece)?.find((c) => !reused.has(c));
      let chunk: Chunk | undefined;
      if (old) {
        const d = start - old.start;
        const i = idBase - old.idBase;
        reused.add(old);
        if (i) diff.shifted = true;
        if (d || i) {
          if (mover?.delta !== d || mover.idDelta !== i) mover = new Mover(d, i);
          const ids = d ? old.scopes.map((s) => s.id) : undefined;
          chunk = move(old, mover);
          if (ids) ids.forEach((id, k) => renames.set(id, old.scopes[k].id));
        } else chunk = old;
      } else if ((chunk = extractChunk(parser, node, text, piece, idBase, run))) diff.fresh.push(chunk);
      if (!chunk) return undefined;
      out.push(chunk);
      idBase += chunk.ids;
    }
    // the scopes of statements not reused are gone (a new one may take an id one of them had)
    for (const c of before ?? []) if (!reused.has(c)) for (const s of c.scopes) if (!renames.has(s.id)) renames.set(s.id, null);
    for (const c of before ?? []) if (!reused.has(c)) diff.dropped.push(c);
    return out;
  }
}

/** The statements an extract replaced and the ones it made; whether a reused one's call ids moved. */
interface ChunkDiff {
  dropped: Chunk[];
  fresh: Chunk[];
  shifted: boolean;
}

/** Names whose definitions in the replaced statements differ from those in the new ones (see LastEdit.changed). */
function changedNames(diff: ChunkDiff): Set<string> {
  const before = definitions(diff.dropped);
  const after = definitions(diff.fresh);
  const out = new Set<string>();
  for (const [name, l] of before) {
    const m = after.get(name);
    if (!m || m.length !== l.length) out.add(name);
    else {
      l.sort();
      m.sort();
      if (l.some((x, i) => x !== m[i])) out.add(name);
    }
  }
  for (const name of after.keys()) if (!before.has(name)) out.add(name);
  return out;
}

/** What statements define, by name, each written without offsets (scopes by their place among named scopes). */
function definitions(chunks: Chunk[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (name: string | undefined, what: string) => {
    if (name === undefined) return;
    const l = out.get(name);
    if (l) l.push(what);
    else out.set(name, [what]);
  };
  const params = (ps: { name: string; type?: string }[]) => ps.map((p) => `${p.name}:${p.type ?? ''}`).join(',');
  for (const c of chunks) {
    const paths = new Map<string, string>();
    const path = (id: string | undefined) => (id === undefined ? '' : (paths.get(id) ?? id));
    c.scopes.forEach((s, i) => paths.set(s.id, `${path(s.parent)}/${s.kind}:${s.name ?? `#${i}`}`));
    for (const s of c.scopes) {
      const what = `S${path(s.id)}|${s.className ?? ''}|${params(s.params)}`;
      add(s.name, what);
      add(s.className, what);
    }
    for (const b of c.bindings) {
      const what = `B${path(b.scope)}|${b.name}|${b.kind}|${b.className ?? ''}|${b.type ?? ''}|${b.value.text}`;
      add(b.name, what);
      add(b.className, what);
    }
    for (const f of c.functions) {
      const what = `F${path(f.scope)}|${f.name}|${f.className ?? ''}|${params(f.params)}|${f.returns.map((r) => r.text).join('\0')}`;
      add(f.name, what);
      add(f.className, what);
    }
    for (const x of c.calls) if (x.call.callee.k === 'attr') add(ANY_CALL, `${x.call.callee.name}|${x.call.args[0]?.text ?? ''}`);
  }
  return out;
}

/** One statement on its own: tree-sitter parses only its range of the text, so offsets stay the file's. */
function extractChunk(parser: Parser, node: Node, text: string, piece: string, idBase: number, run: RunExtractor): Chunk | undefined {
  const sub = parser.parse(text, null, { includedRanges: [{ startIndex: node.startIndex, endIndex: node.endIndex, startPosition: node.startPosition, endPosition: node.endPosition }] });
  if (!sub) return undefined;
  let f: FileFacts;
  try {
    if (sub.rootNode.hasError) return undefined;
    f = run(sub);
    // too deep to follow: the whole text's extraction says so for the file
    if (f.tooDeep) return undefined;
  } finally {
    sub.delete();
  }
  const scopes = [...f.scopes.values()].filter((s) => s.kind !== 'module');
  let ids = callIdsUsed.get(f) ?? 0;
  for (const c of f.calls) ids = Math.max(ids, c.call.id);
  for (const s of scopes) if (s.argOf !== undefined) ids = Math.max(ids, s.argOf);
  const chunk: Chunk = { start: node.startIndex, end: node.endIndex, text: piece, idBase: 0, ids, scopes, bindings: f.bindings, functions: f.functions, calls: f.calls, imports: f.imports };
  return idBase ? move(chunk, new Mover(0, idBase)) : chunk;
}

/**
 * Moves a statement's facts by `delta` characters and `idDelta` call ids, in place: copying the
 * facts after an edit near the top of a big file costs as much as extracting them. Whoever holds
 * the file's previous facts must not need their places any more (see FolderIndex.setText).
 */
function move(c: Chunk, m: Mover): Chunk {
  c.start += m.delta;
  c.end += m.delta;
  c.idBase += m.idDelta;
  for (const s of c.scopes) {
    s.id = m.scope(s.id);
    if (s.parent !== undefined) s.parent = m.scope(s.parent);
    if (s.argOf !== undefined) s.argOf += m.idDelta;
    m.span(s.span);
  }
  for (const b of c.bindings) {
    b.scope = m.scope(b.scope);
    b.pos += m.delta;
    m.expr(b.value);
  }
  for (const f of c.functions) {
    f.scope = m.scope(f.scope);
    for (const r of f.returns) m.expr(r);
  }
  for (const x of c.calls) {
    x.scope = m.scope(x.scope);
    m.expr(x.call);
  }
  return c;
}

class Mover {
  /** expressions and spans can be shared (a call is both a call site and a binding's value): each moves once */
  private done = new Set<object>();

  constructor(
    readonly delta: number,
    readonly idDelta: number,
  ) {}

  span(x: { start: number; end: number }): void {
    if (this.done.has(x)) return;
    this.done.add(x);
    x.start += this.delta;
    x.end += this.delta;
  }

  /** `fn@120` → `fn@125`; `module` stays */
  scope(id: string): string {
    const at = id.lastIndexOf('@');
    if (at <= 0 || !this.delta) return id;
    const n = Number(id.slice(at + 1));
    return Number.isInteger(n) ? `${id.slice(0, at)}@${n + this.delta}` : id;
  }

  expr(e: Expr): void {
    if (this.done.has(e)) return;
    this.done.add(e);
    this.span(e.span);
    switch (e.k) {
      case 'interp':
        for (const p of e.parts) if (typeof p !== 'string') this.expr(p);
        return;
      case 'concat':
        for (const p of e.parts) this.expr(p);
        return;
      case 'format':
        this.expr(e.format);
        for (const a of e.args) this.expr(a);
        for (const k in e.kwargs) this.expr(e.kwargs[k]);
        return;
      case 'join':
        this.expr(e.sep);
        this.expr(e.items);
        return;
      case 'attr':
        this.expr(e.object);
        return;
      case 'index':
        this.expr(e.object);
        this.expr(e.index);
        return;
      case 'call':
        e.id += this.idDelta;
        this.expr(e.callee);
        for (const a of e.args) this.expr(a);
        for (const k in e.kwargs) this.expr(e.kwargs[k]);
        return;
      case 'list':
        for (const x of e.items) this.expr(x);
        return;
      case 'dict':
        for (const [k, v] of e.entries) {
          this.expr(k);
          this.expr(v);
        }
        return;
      case 'spread':
        this.expr(e.value);
        return;
      case 'alt':
        for (const x of e.options) this.expr(x);
        return;
      case 'func':
        e.scope = this.scope(e.scope);
        return;
    }
  }
}

/** The file's facts from its statements, in order, as one extraction of the whole text makes them. */
function merge(file: string, language: Language, moduleScope: string, length: number, chunks: Chunk[]): FileFacts {
  const f: FileFacts = { file, language, scopes: new Map(), bindings: [], functions: [], calls: [], imports: [], syntaxErrors: 0 };
  f.scopes.set(moduleScope, { id: moduleScope, kind: 'module', params: [], span: { start: 0, end: length } });
  for (const c of chunks) {
    for (const s of c.scopes) f.scopes.set(s.id, s);
    for (const b of c.bindings) f.bindings.push(b);
    for (const x of c.functions) f.functions.push(x);
    for (const x of c.calls) f.calls.push(x);
    for (const x of c.imports) f.imports.push(x);
  }
  return f;
}

/** The one changed range between two texts (common prefix and suffix), as a tree-sitter edit. */
function editBetween(a: string, b: string): Edit {
  const max = Math.min(a.length, b.length);
  let start = 0;
  while (start < max && a.charCodeAt(start) === b.charCodeAt(start)) start++;
  let end = 0;
  while (end < max - start && a.charCodeAt(a.length - 1 - end) === b.charCodeAt(b.length - 1 - end)) end++;
  const oldEnd = a.length - end;
  const newEnd = b.length - end;
  return { startIndex: start, oldEndIndex: oldEnd, newEndIndex: newEnd, startPosition: pointAt(a, start), oldEndPosition: pointAt(a, oldEnd), newEndPosition: pointAt(b, newEnd) };
}

function pointAt(text: string, index: number): Point {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: index - lineStart };
}
