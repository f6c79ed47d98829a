import * as path from 'path';
import type { Binding, CallExpr, CallSite, Expr, FileFacts, FuncDef, Scope } from '../extract/ir';

/** What a file's result read through the workspace indexes, so an edit re-analyses only what it can affect. */
export interface Reads {
  /** files whose facts a lookup handed out */
  files: Set<string>;
  /** index names (`m:`, `c:`, `f:` + name) whose lookup depended on which files define them */
  names: Set<string>;
}

type Entry<T> = { file: FileFacts } & T;

/**
 * Indexes over every file's facts so names resolve across files: module constants, class
 * attributes and functions by name. Kept deliberately simple - lookups prefer the same file, then
 * the file an import names, then a unique definition anywhere in the same language family.
 * Files can be replaced and removed; every list stays in the order the files were first added,
 * so lookups answer as a fresh index over the same files would.
 */
export class WorkspaceFacts {
  readonly files = new Map<string, FileFacts>();
  private moduleBindings = new Map<string, Entry<{ b: Binding }>[]>();
  private classBindings = new Map<string, Entry<{ b: Binding }>[]>();
  /** attribute name → the `Class.name` keys of classBindings that have it */
  private attributeKeys = new Map<string, Set<string>>();
  private funcs = new Map<string, Entry<{ f: FuncDef }>[]>();
  /** classes that extend something, by name (a subclass of a client class is a client class) */
  private derived = new Map<string, Entry<{ s: Scope }>[]>();
  /** classes by the simple name of each base class they extend (the implementations of an abstract method) */
  private subclasses = new Map<string, Entry<{ s: Scope }>[]>();
  /** files that configure Spring's Redis cache (import org.springframework.data.redis.cache), under one name */
  private redisCaches = new Map<string, Entry<unknown>[]>();
  /** functions imported into a class body (Python), by function name: the class whose methods they are */
  private hosts = new Map<string, Entry<{ className: string; module: string }>[]>();
  /**
   * call sites by the name called (`f(…)`, `x.f(…)`, `new F(…)`), then by file: built on the first
   * callers() lookup, then kept up to date a file at a time (an edit of a file with thousands of
   * calls used to filter every list it was in); callLists holds the merged lists asked for
   */
  private callIndex: Map<string, Map<string, Entry<{ site: CallSite }>[]>> | undefined;
  private callLists = new Map<string, Entry<{ site: CallSite }>[]>();
  /** `k:` + each name a file calls, with counts (see calledNames), as last indexed */
  private called = new Map<string, Map<string, number>>();
  private order = new Map<string, number>();
  /** the index names each file was entered under, with counts (a file's facts can change after: see EditCache) */
  private names = new Map<string, Map<string, number>>();
  private nextOrder = 0;
  /** set while one file is analysed: lookups record into it */
  reads: Reads | undefined;
  /** set while one call site is analysed: every name looked up, here or through lookupName (see SiteRecord) */
  siteNames: Set<string> | undefined;
  /** the function a call calls when findFunction cannot tell (a method of a receiver's type): set by the value analysis */
  resolveCall?: (e: CallExpr, ctx: import('./evaluate').Ctx) => { file: FileFacts; f: FuncDef } | undefined;
  /** the functions a call may run when it is none of them for sure (a Go interface's implementations): set by the value analysis */
  resolveCallOptions?: (e: CallExpr, ctx: import('./evaluate').Ctx) => { file: FileFacts; f: FuncDef }[];

  constructor(all: Iterable<FileFacts>) {
    for (const f of all) this.add(f);
  }

  add(f: FileFacts): void {
    if (this.files.has(f.file)) this.set(f);
    else {
      this.order.set(f.file, this.nextOrder++);
      this.files.set(f.file, f);
      this.index(f);
    }
  }

  /** Adds or replaces a file's facts; returns the index names whose entries for the file changed in number. */
  set(f: FileFacts): Set<string> {
    const old = this.files.get(f.file);
    const before = old ? (this.names.get(f.file) ?? this.namesOf(old)) : new Map<string, number>();
    if (old) this.unindex(old, before.keys());
    else this.order.set(f.file, this.nextOrder++);
    const calledBefore = old ? this.calledBy(old) : new Map<string, number>();
    if (old) this.unindexCalls(old);
    this.files.set(f.file, f);
    this.called.delete(f.file);
    this.index(f);
    const after = this.namesOf(f);
    this.names.set(f.file, after);
    const changed = withAttributeNames(changedCounts(before, after));
    // callers() answers depend on which files call a name: `k:` + name
    for (const k of changedCounts(calledBefore, this.calledBy(f))) changed.add(k);
    return changed;
  }

  /** Removes a file; returns the index names it defined. */
  remove(file: string): Set<string> {
    const old = this.files.get(file);
    if (!old) return new Set();
    const names = new Set((this.names.get(file) ?? this.namesOf(old)).keys());
    this.unindex(old, names);
    for (const k of this.calledBy(old).keys()) names.add(k);
    this.unindexCalls(old);
    withAttributeNames(names);
    this.called.delete(file);
    this.files.delete(file);
    this.order.delete(file);
    this.names.delete(file);
    return names;
  }

  /** Position of a file in the workspace order (the order files were first added). */
  ordinal(file: string): number {
    return this.order.get(file) ?? Infinity;
  }

  private index(f: FileFacts): void {
    const put = <T>(m: Map<string, Entry<T>[]>, k: string, v: Entry<T>) => {
      const list = m.get(k);
      if (!list) m.set(k, [v]);
      else this.insert(list, v);
      if (m === (this.classBindings as Map<string, unknown>)) {
        const attr = k.slice(k.lastIndexOf('.') + 1);
        const keys = this.attributeKeys.get(attr);
        if (keys) keys.add(k);
        else this.attributeKeys.set(attr, new Set([k]));
      }
    };
    for (const b of f.bindings) {
      const scope = f.scopes.get(b.scope);
      if (b.kind === 'attr' && b.className) put(this.classBindings, `${b.className}.${b.name}`, { file: f, b });
      else if (scope?.kind === 'module') put(this.moduleBindings, b.name, { file: f, b });
      else if (scope?.kind === 'class' && scope.name) put(this.classBindings, `${scope.name}.${b.name}`, { file: f, b });
    }
    for (const fn of f.functions) {
      put(this.funcs, fn.name, { file: f, f: fn });
      if (fn.className) put(this.funcs, `${fn.className}.${fn.name}`, { file: f, f: fn });
      this.methodLists.delete(fn.name);
    }
    for (const s of f.scopes.values()) if (s.kind === 'class' && s.name && s.bases) put(this.derived, s.name, { file: f, s });
    for (const s of f.scopes.values()) for (const b of s.kind === 'class' && s.name ? (s.bases ?? []) : []) put(this.subclasses, simpleClassName(b), { file: f, s });
    for (const i of f.imports) if (i.intoClass && i.member) put(this.hosts, i.member, { file: f, className: i.intoClass, module: i.module });
    if (configuresRedisCache(f)) put(this.redisCaches, REDIS_CACHE, { file: f });
    if (this.callIndex) this.indexCalls(this.callIndex, f);
  }

  private indexCalls(index: NonNullable<WorkspaceFacts['callIndex']>, f: FileFacts): void {
    const added = new Map<string, Entry<{ site: CallSite }>[]>();
    for (const site of f.calls) {
      const n = calledName(site.call.callee);
      if (!n) continue;
      let mine = added.get(n);
      if (!mine) added.set(n, (mine = []));
      mine.push({ file: f, site });
    }
    for (const [n, mine] of added) {
      let byFile = index.get(n);
      if (!byFile) index.set(n, (byFile = new Map()));
      byFile.set(f.file, mine);
      // a merged list already made takes the file's calls at its place (sorting it again per edit cost more)
      const list = this.callLists.get(n);
      if (list && mine.length < 10_000) list.splice(...this.rangeOf(list, f.file), ...mine);
      else this.callLists.delete(n);
    }
  }

  private unindexCalls(f: FileFacts): void {
    if (!this.callIndex) return;
    for (const n of this.calledBy(f).keys()) {
      const name = n.slice(2);
      const byFile = this.callIndex.get(name);
      if (!byFile?.delete(f.file)) continue;
      const list = this.callLists.get(name);
      if (list) list.splice(...this.rangeOf(list, f.file));
      if (!byFile.size) this.callIndex.delete(name);
    }
  }

  /** Where a file's entries are (or would go) in a list in workspace order: [start, count]. */
  private rangeOf(list: Entry<unknown>[], file: string): [number, number] {
    const ordinal = this.ordinal(file);
    const start = this.after(list, ordinal - 1);
    let end = start;
    while (end < list.length && list[end].file.file === file) end++;
    return [start, end - start];
  }

  /** calledNames of a file's facts, made once per version of them */
  private calledBy(f: FileFacts): Map<string, number> {
    if (this.files.get(f.file) !== f) return calledNames(f);
    let c = this.called.get(f.file);
    if (!c) this.called.set(f.file, (c = calledNames(f)));
    return c;
  }

  /** The index names a file defines, with how many entries it has under each (the same walk as index()). */
  private namesOf(f: FileFacts): Map<string, number> {
    const names = new Map<string, number>();
    const count = (k: string) => names.set(k, (names.get(k) ?? 0) + 1);
    for (const b of f.bindings) {
      const scope = f.scopes.get(b.scope);
      if (b.kind === 'attr' && b.className) count(`c:${b.className}.${b.name}`);
      else if (scope?.kind === 'module') count(`m:${b.name}`);
      else if (scope?.kind === 'class' && scope.name) count(`c:${scope.name}.${b.name}`);
    }
    for (const fn of f.functions) {
      count(`f:${fn.name}`);
      if (fn.className) count(`f:${fn.className}.${fn.name}`);
    }
    for (const s of f.scopes.values()) if (s.kind === 'class' && s.name && s.bases) count(`s:${s.name}`);
    for (const s of f.scopes.values()) for (const b of s.kind === 'class' && s.name ? (s.bases ?? []) : []) count(`b:${simpleClassName(b)}`);
    for (const i of f.imports) if (i.intoClass && i.member) count(`h:${i.member}`);
    if (configuresRedisCache(f)) count(`r:${REDIS_CACHE}`);
    return names;
  }

  private unindex(f: FileFacts, names: Iterable<string>): void {
    for (const k of names) {
      const m = (k.startsWith('m:') ? this.moduleBindings : k.startsWith('c:') ? this.classBindings : k.startsWith('s:') ? this.derived : k.startsWith('h:') ? this.hosts : k.startsWith('r:') ? this.redisCaches : k.startsWith('b:') ? this.subclasses : this.funcs) as Map<string, Entry<unknown>[]>;
      const name = k.slice(2);
      if (m === (this.funcs as Map<string, unknown>)) this.methodLists.delete(name);
      const list = m.get(name);
      if (!list) continue;
      // a file's entries sit together, where its place in the order puts them
      let i = this.after(list, this.ordinal(f.file) - 1);
      const start = i;
      while (i < list.length && list[i].file === f) i++;
      if (i - start === list.length) {
        m.delete(name);
        if (k.startsWith('c:')) this.attributeKeys.get(name.slice(name.lastIndexOf('.') + 1))?.delete(name);
      } else list.splice(start, i - start);
    }
  }

  /** Inserts after every entry of files added before this one and this one's earlier entries (source order). */
  private insert<T>(list: Entry<T>[], v: Entry<T>): void {
    list.splice(this.after(list, this.ordinal(v.file.file)), 0, v);
  }

  /** The index of the first entry whose file comes after position `ordinal` in the order. */
  private after(list: Entry<unknown>[], ordinal: number): number {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ordinal(list[mid].file.file) <= ordinal) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Records what a lookup read: the file it answered with, and for answers that other files could change, the name. */
  private note<T extends { file: FileFacts }>(name: string, found: T | undefined, own: boolean): T | undefined {
    const site = this.siteNames;
    if (site) for (const part of name.slice(2).split('.')) site.add(part);
    const r = this.reads;
    if (r) {
      if (found) r.files.add(found.file.file);
      if (!own) r.names.add(name);
    }
    return found;
  }

  scopeOf(file: FileFacts, id: string): Scope | undefined {
    return file.scopes.get(id);
  }

  /** A module-level binding of `name` visible from `from`: same file, imported file, same Go package, or unique. */
  moduleBinding(name: string, from: FileFacts, moduleHint?: string): { file: FileFacts; b: Binding } | undefined {
    const all = this.moduleBindings.get(name);
    if (!all) return this.note<Entry<{ b: Binding }>>(`m:${name}`, undefined, false);
    const own = all.filter((x) => x.file === from);
    if (own.length) return this.note(`m:${name}`, own[own.length - 1], true);
    return this.note(`m:${name}`, pick(all, from, moduleHint), false);
  }

  classBinding(className: string, name: string, from: FileFacts): { file: FileFacts; b: Binding } | undefined {
    const key = `${className}.${name}`;
    const all = this.classBindings.get(key);
    if (!all) return this.note<Entry<{ b: Binding }>>(`c:${key}`, undefined, false);
    const own = all.filter((x) => x.file === from);
    return own.length ? this.note(`c:${key}`, own[own.length - 1], true) : this.note(`c:${key}`, all[all.length - 1], false);
  }

  /** Every binding of a class attribute (`self.x = …` in any method, a declared field), in source order. */
  allClassBindings(className: string, name: string, from: FileFacts): { file: FileFacts; b: Binding }[] {
    const key = `${className}.${name}`;
    const all = this.classBindings.get(key) ?? [];
    this.note(`c:${key}`, all[all.length - 1], all.every((x) => x.file === from));
    for (const x of all) this.reads?.files.add(x.file.file);
    return all;
  }

  /** Attribute bindings named `name` in any class of the language family: a field whose class the code does not show. */
  attributeAnywhere(name: string, from: FileFacts): { file: FileFacts; b: Binding }[] {
    const out: { file: FileFacts; b: Binding }[] = [];
    for (const key of this.attributeKeys.get(name) ?? []) for (const x of this.classBindings.get(key) ?? []) if (FAMILY[x.file.language] === FAMILY[from.language]) out.push(x);
    this.note(`a:${name}`, out[0], false);
    for (const x of out) this.reads?.files.add(x.file.file);
    return out;
  }

  /** Whether any file defines a function or method named `name` (a cheap test before resolving a call to one). */
  definesFunction(name: string): boolean {
    const found = this.funcs.has(name);
    this.note<Entry<{ f: FuncDef }>>(`f:${name}`, undefined, false);
    return found;
  }

  /** The base classes of a class named `name` (in the language family of `from`), as written. */
  basesOf(name: string, from: FileFacts): { file: FileFacts; bases: string[] } | undefined {
    const all = (this.derived.get(name) ?? []).filter((x) => FAMILY[x.file.language] === FAMILY[from.language]);
    const own = all.find((x) => x.file === from);
    const found = own ?? all[0];
    this.note(`s:${name}`, found, !!own);
    return found && { file: found.file, bases: found.s.bases! };
  }

  /** The files that configure Spring's cache on Redis (a RedisCacheManager, RedisCacheConfiguration): where its key prefix is set. */
  redisCacheConfigs(): FileFacts[] {
    const all = this.redisCaches.get(REDIS_CACHE) ?? [];
    this.note(`r:${REDIS_CACHE}`, all[0], false);
    for (const x of all) this.reads?.files.add(x.file.file);
    return all.map((x) => x.file);
  }

  /** The class whose body imports the module-level function `name` of `from` (`class C: from ._users import name`), which makes it C's method. */
  hostClass(name: string, from: FileFacts): string | undefined {
    const found = this.hosts.get(name)?.find((x) => moduleMatches(from.file, x.module, x.file.file));
    return this.note(`h:${name}`, found, false)?.className;
  }

  /** The classes (of the language family of `from`) that name `base` among their base classes. */
  subclassesOf(base: string, from: FileFacts): { file: FileFacts; name: string }[] {
    const all = (this.subclasses.get(base) ?? []).filter((x) => FAMILY[x.file.language] === FAMILY[from.language]);
    this.note(`b:${base}`, all[0], false);
    for (const x of all) this.reads?.files.add(x.file.file);
    return all.map((x) => ({ file: x.file, name: x.s.name! }));
  }

  /** A class's method, or the nearest base class's (`self.prefixed_key()` written once in the base). */
  method(cls: string, name: string, from: FileFacts): { file: FileFacts; f: FuncDef } | undefined {
    return this.nearestUp(cls, from, (c) => this.func(`${c}.${name}`, from));
  }

  /** What `find` answers for a class or, failing that, for the nearest of its base classes (breadth first, 6 levels). */
  nearestUp<T>(cls: string, from: FileFacts, find: (cls: string) => T | undefined): T | undefined {
    const seen = new Set<string>();
    let level = [cls];
    for (let depth = 0; level.length && depth < 6; depth++) {
      const next: string[] = [];
      for (const c of level) {
        if (seen.has(c)) continue;
        seen.add(c);
        const found = find(c);
        if (found) return found;
        for (const b of this.basesOf(c, from)?.bases ?? []) next.push(simpleClassName(b));
      }
      level = next;
    }
    return undefined;
  }

  /** The call sites that call `name` (`name(…)`, `x.name(…)`, `new name(…)`) in the language family of `from`. */
  callers(name: string, from: FileFacts): { file: FileFacts; site: CallSite }[] {
    if (!this.callIndex) {
      this.callIndex = new Map();
      for (const f of this.files.values()) this.indexCalls(this.callIndex, f);
    }
    let list = this.callLists.get(name);
    if (!list) {
      // in workspace order, each file's calls in source order
      const byFile = this.callIndex.get(name);
      list = byFile ? [...byFile.keys()].sort((a, b) => this.ordinal(a) - this.ordinal(b)).flatMap((file) => byFile.get(file)!) : [];
      this.callLists.set(name, list);
    }
    const all = list.filter((x) => FAMILY[x.file.language] === FAMILY[from.language]);
    this.note(`k:${name}`, undefined, false);
    for (const x of all) this.reads?.files.add(x.file.file);
    return all;
  }

  /** The methods named `name` (of any class or struct) in the language family of `from`. */
  methodsNamed(name: string, from: FileFacts): { file: FileFacts; f: FuncDef }[] {
    // kept per name and family until a function of that name changes: generated code has thousands of `get` methods
    let byFamily = this.methodLists.get(name);
    if (!byFamily) this.methodLists.set(name, (byFamily = new Map()));
    const family = FAMILY[from.language];
    let all = byFamily.get(family);
    if (!all) byFamily.set(family, (all = (this.funcs.get(name) ?? []).filter((x) => x.f.className && FAMILY[x.file.language] === family)));
    this.note(`f:${name}`, all[0], false);
    if (this.reads) for (const x of all) this.reads.files.add(x.file.file);
    return all;
  }
  /** methodsNamed's lists, by name and language family (dropped when a function of that name comes or goes) */
  private methodLists = new Map<string, Map<string, { file: FileFacts; f: FuncDef }[]>>();

  /** A function named `name` visible from `from`; `free`: not a method (what a bare `name(…)` can call outside Java and Kotlin). */
  func(name: string, from: FileFacts, moduleHint?: string, free = false): { file: FileFacts; f: FuncDef } | undefined {
    const listed = this.funcs.get(name);
    const all = free ? listed?.filter((x) => !x.f.className) : listed;
    if (!all?.length) return this.note<Entry<{ f: FuncDef }>>(`f:${name}`, undefined, false);
    const own = all.filter((x) => x.file === from);
    if (own.length) return this.note(`f:${name}`, own[0], true);
    return this.note(`f:${name}`, pick(all, from, moduleHint), false);
  }
}

const REDIS_CACHE = 'spring-redis-cache';

/** `Generic[T]`, `module.Base`, `Base<T>`: the class's own name. */
export function simpleClassName(written: string): string {
  return written.replace(/[[<(].*$/, '').replace(/^.*\./, '');
}

function configuresRedisCache(f: FileFacts): boolean {
  return (f.language === 'java' || f.language === 'kotlin') && f.imports.some((i) => i.module.startsWith('org.springframework.data.redis.cache'));
}

function changedCounts(before: Map<string, number>, after: Map<string, number>): Set<string> {
  const out = new Set<string>();
  for (const [k, n] of before) if (after.get(k) !== n) out.add(k);
  for (const k of after.keys()) if (!before.has(k)) out.add(k);
  return out;
}

/** A changed class attribute `c:C.x` also changes what attributeAnywhere('x') answers (`a:x`). */
function withAttributeNames(names: Set<string>): Set<string> {
  for (const n of [...names]) if (n.startsWith('c:')) names.add('a:' + n.slice(n.lastIndexOf('.') + 1));
  return names;
}

/** The name a call calls: `f` of `f(…)`, `x.f(…)` and `new f(…)`. */
export function calledName(callee: Expr): string | undefined {
  return callee.k === 'name' ? callee.name : callee.k === 'attr' ? callee.name : undefined;
}

/** `k:` + each name a file calls, with counts (what callers() answers from this file). */
function calledNames(f: FileFacts): Map<string, number> {
  const out = new Map<string, number>();
  for (const site of f.calls) {
    const n = calledName(site.call.callee);
    if (n) out.set('k:' + n, (out.get('k:' + n) ?? 0) + 1);
  }
  return out;
}

const FAMILY: Record<string, string> = { python: 'py', javascript: 'js', typescript: 'js', tsx: 'js', go: 'go', java: 'java', kotlin: 'java', lua: 'lua', redis: 'redis' };

function pick<T extends { file: FileFacts }>(all: T[], from: FileFacts, moduleHint?: string): T | undefined {
  const family = all.filter((x) => FAMILY[x.file.language] === FAMILY[from.language]);
  if (moduleHint) {
    const hinted = family.filter((x) => moduleMatches(x.file.file, moduleHint, from.file));
    if (hinted.length) return hinted[0];
  }
  if (from.language === 'go') {
    // a Go package is its directory
    const pkg = family.filter((x) => path.dirname(x.file.file) === path.dirname(from.file));
    if (pkg.length) return pkg[0];
  }
  if (family.length === 1) return family[0];
  // Java/Kotlin overloads (several definitions in one file, `fun A.f(…)` and `fun B.f(…)`): one function to follow
  if (family.length > 1 && (from.language === 'kotlin' || from.language === 'java') && family.every((x) => x.file === family[0].file)) return family[0];
  return undefined;
}

/** `app.keys` / `./keys` / `../lib/keys.js` against a file path. */
function moduleMatches(file: string, module: string, fromFile: string): boolean {
  // a Python package is its __init__.py
  const noExt = file.replace(/\.[^./]+$/, '').replace(/\/__init__$/, '');
  if (module.startsWith('.')) {
    if (/^\.+[A-Za-z_]/.test(module) && !module.includes('/')) {
      // Python relative import: from .keys import X
      const dots = /^\.+/.exec(module)![0].length;
      let dir = path.dirname(fromFile);
      for (let i = 1; i < dots; i++) dir = path.dirname(dir);
      return noExt === path.join(dir, module.slice(dots).replace(/\./g, '/'));
    }
    const target = path.join(path.dirname(fromFile), module).replace(/\.[jt]sx?$/, '');
    return noExt === target || noExt === path.join(target, 'index');
  }
  // `@server/storage/redis`, `~/lib/redis`: a path alias names the folder under its first part
  if (/^[@~]/.test(module) && module.includes('/')) return moduleMatches(file, module.slice(module.indexOf('/') + 1), fromFile) || noExt.endsWith('/' + module.slice(1));
  // a Go import path ends with the package's folder (`github.com/acme/app/internal/keys` → …/internal/keys/*.go);
  // where the module's root sits in the workspace is go.mod's business, so the package's own folder name decides
  if (file.endsWith('.go') && module.includes('/')) {
    const dir = path.dirname(file);
    return dir !== '.' && module.slice(module.lastIndexOf('/') + 1) === path.basename(dir);
  }
  const asPath = module.replace(/\./g, '/');
  return noExt.endsWith('/' + asPath) || noExt === asPath || noExt.endsWith('/' + module) || path.dirname(file).endsWith('/' + module);
}
