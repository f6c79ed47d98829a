import type { Tree } from 'web-tree-sitter';
import type { Expr, FileFacts, Language, Param, Scope } from './ir';
import { newFacts } from './ir';
import { SyntaxNode as Node, SyntaxTree } from './tree';

/**
 * How many call ids an extraction handed out. Every call node gets one when first seen, also the
 * ones that become something else (`fmt.Sprintf` is a format, not a call site), so the largest
 * id among the call sites can be lower: a statement extracted on its own says here how many ids
 * it took, for the next one to start after them (index/reparse.ts).
 */
export const callIdsUsed = new WeakMap<FileFacts, number>();

/** Shared bookkeeping for the per-language extractors: scopes, ids, spans, error counts. */
export abstract class Extractor {
  readonly facts: FileFacts;
  protected scopeStack: string[] = [];
  private nextCallId = 1;

  constructor(file: string, language: Language, protected readonly source: string) {
    this.facts = newFacts(file, language);
  }

  run(tree: Tree, moduleScope = 'module'): FileFacts {
    return this.runOn(SyntaxTree.fromTree(tree, this.source), moduleScope);
  }

  /** Extracts from a tree already copied out of WASM (possibly on another thread). */
  runOn(flat: SyntaxTree, moduleScope = 'module'): FileFacts {
    const root = flat.rootNode;
    this.facts.syntaxErrors = flat.errors;
    this.pushScope({ id: moduleScope, kind: 'module', params: [], span: { start: 0, end: this.source.length } });
    this.visit(root);
    this.scopeStack.pop();
    callIdsUsed.set(this.facts, this.nextCallId - 1);
    return this.facts;
  }

  /**
   * How deep statements and expressions nest before the rest of a subtree is left unanalysed: the
   * extractors recurse, and a 1,800-deep list or a 3,500-term `"a" + "a" + …` would overflow the
   * stack. Real code stays far below; a file that goes deeper says so (FileFacts.tooDeep).
   */
  static readonly MAX_NESTING = 200;
  private nesting = 0;

  /** Visits a statement-level node, to MAX_NESTING deep. */
  protected visit(node: Node): void {
    if (this.nesting >= Extractor.MAX_NESTING) {
      this.facts.tooDeep = true;
      return;
    }
    this.nesting++;
    try {
      this.visitNode(node);
    } finally {
      this.nesting--;
    }
  }

  protected abstract visitNode(node: Node): void;
  /** Converts one expression node to IR; called once per node through expr(). */
  protected abstract convert(node: Node): Expr;

  private seen = new Map<number | string, Expr>();

  /** The IR of an expression node, converted once; each call is recorded as a call site. */
  expr(node: Node): Expr {
    const key = node.key;
    const cached = this.seen.get(key);
    if (cached) return cached;
    if (this.nesting >= Extractor.MAX_NESTING) {
      this.facts.tooDeep = true;
      return this.other(node);
    }
    this.nesting++;
    let e: Expr;
    try {
      e = this.convert(node);
    } finally {
      this.nesting--;
    }
    this.seen.set(key, e);
    this.recordCall(e);
    return e;
  }

  /** Converts an expression as if it stood in `scope` (return expressions of a function). */
  protected exprIn(node: Node, scope: string): Expr {
    this.scopeStack.push(scope);
    try {
      return this.expr(node);
    } finally {
      this.scopeStack.pop();
    }
  }

  get scope(): string {
    return this.scopeStack[this.scopeStack.length - 1];
  }

  protected pushScope(s: Scope): void {
    this.facts.scopes.set(s.id, s);
    this.scopeStack.push(s.id);
  }

  protected withScope(node: Node, kind: Scope['kind'], params: Param[], extra: Partial<Scope>, body: () => void): string {
    const id = `${kind === 'class' ? 'class' : 'fn'}@${node.startIndex}`;
    // Object.assign, not a spread: spread literals made on V8's slow path each get a hidden class of their own
    this.pushScope(Object.assign({ id, kind, params, parent: this.scope, span: span(node) }, extra));
    try {
      body();
    } finally {
      this.scopeStack.pop();
    }
    return id;
  }

  /** the nearest enclosing class scope's name */
  protected currentClass(): string | undefined {
    for (let i = this.scopeStack.length - 1; i >= 0; i--) {
      const s = this.facts.scopes.get(this.scopeStack[i])!;
      if (s.kind === 'class') return s.name;
      if (s.className) return s.className;
    }
    return undefined;
  }

  private callIds = new Map<number | string, number>();
  /** A stable id per call node, known before the call is converted (callbacks point at their call). */
  protected callId(node: Node): number {
    const key = node.key;
    let id = this.callIds.get(key);
    if (id === undefined) {
      id = this.nextCallId++;
      this.callIds.set(key, id);
    }
    return id;
  }

  private recorded = new Set<Expr>();
  /** Records a call site once: wrappers such as `await` and parentheses hand back the inner call. */
  protected recordCall(e: Expr): void {
    if (e.k !== 'call' || this.recorded.has(e)) return;
    this.recorded.add(e);
    this.facts.calls.push({ call: e, scope: this.scope });
  }

  private functionScopes = new Map<number | string, string>();
  /** Runs `make` once per function node: literals are reached both as expressions and as statements. */
  protected onceForFunction(node: Node, make: () => string): string {
    const key = node.key;
    const done = this.functionScopes.get(key);
    if (done) return done;
    const id = `fn@${node.startIndex}`;
    this.functionScopes.set(key, id);
    make();
    return id;
  }

  protected visitChildren(node: Node): void {
    const t = node.tree;
    for (let c = t.firstChildren[node.id]; c >= 0; c = t.nextSiblings[c]) if (t.isNamed(c)) this.visit(t.node(c));
  }

  protected other(node: Node): Expr {
    return { k: 'other', span: span(node), text: node.text };
  }
}

/** The kwargs of every call written without keyword arguments: one shared, frozen object. */
export const NO_KWARGS: Record<string, Expr> = Object.freeze({}) as Record<string, Expr>;

/** An array grown by push, copied to its exact length: facts live as long as the index does. */
export function fit<T>(a: T[]): T[] {
  return a.length ? a.slice() : a;
}

export function span(node: Node): { start: number; end: number } {
  return { start: node.startIndex, end: node.endIndex };
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', a: '\x07', b: '\b', f: '\f', v: '\v', e: '\x1b' };

/** Decodes backslash escapes common to the C family (Python, JS, Go, Java, Lua). */
export function decodeEscapes(text: string, opts: { luaDecimal?: boolean } = {}): string {
  if (!text.includes('\\')) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch !== '\\' || i + 1 >= text.length) {
      out += ch;
      continue;
    }
    const n = text[++i];
    if (n === 'x' && /^[0-9a-fA-F]{2}/.test(text.slice(i + 1, i + 3))) {
      out += String.fromCharCode(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (n === 'u' && text[i + 1] === '{') {
      const close = text.indexOf('}', i);
      out += String.fromCodePoint(parseInt(text.slice(i + 2, close), 16));
      i = close;
    } else if (n === 'u' && /^[0-9a-fA-F]{4}/.test(text.slice(i + 1, i + 5))) {
      out += String.fromCharCode(parseInt(text.slice(i + 1, i + 5), 16));
      i += 4;
    } else if (n === 'U' && /^[0-9a-fA-F]{8}/.test(text.slice(i + 1, i + 9))) {
      out += String.fromCodePoint(parseInt(text.slice(i + 1, i + 9), 16));
      i += 8;
    } else if (opts.luaDecimal && /[0-9]/.test(n)) {
      const m = /^[0-9]{1,3}/.exec(text.slice(i))![0];
      out += String.fromCharCode(parseInt(m, 10));
      i += m.length - 1;
    } else if (!opts.luaDecimal && /[0-7]/.test(n) && /[0-7]/.test(text[i + 1] ?? '')) {
      const m = /^[0-7]{1,3}/.exec(text.slice(i))![0];
      out += String.fromCharCode(parseInt(m, 8));
      i += m.length - 1;
    } else if (n === '\n') {
      // line continuation
    } else out += SIMPLE_ESCAPES[n] ?? n;
  }
  return out;
}
