import type { Binding, CallExpr, Expr, FileFacts, FuncDef, Scope } from '../extract/ir';
import type { GroupKind } from '../model/keyuse';
import type { Span } from '../model/pattern';
import { ClientInfo, librariesOf, PROFILE_BY_LIBRARY, Profile, PROFILES, Library, REDIS_ONLY_METHOD, Step } from '../clients/profiles';
import { classOf, Ctx, ctxFor, findFunction, lookupName } from './evaluate';
import { SPRING_BOUND, springOpsOf } from '../clients/spring';
import { simpleClassName, type Reads, type WorkspaceFacts } from './workspace';

/*
 * The value analysis: what a receiver expression can hold - a Redis client, a pipeline or
 * transaction on one, or a registered script - and the chain of places that says so. It follows
 * values through variables, fields (every assignment, in any method), properties and getters,
 * functions that return them (factories, `@contextmanager`s), conditionals and fallbacks, and
 * parameters (what the workspace's callers pass), across files. The call interpreter
 * (clients/calls.ts) only maps a call on such a value to commands.
 *
 * Evidence, strongest first: a constructor or a declared type (high); a value followed to one of
 * those (high, with the chain); a receiver that calls Redis-only methods in a file that imports a
 * Redis library (medium); a Redis-looking name or a configured name (low).
 */

/** What a receiver expression is: a client, or a pipeline / transaction / watch group on one, or a script. */
export type Receiver =
  | { kind: 'client'; client: ClientInfo }
  | {
      kind: 'pipeline';
      client: ClientInfo;
      groupKey: string;
      groupKind: GroupKind;
      anchor: Expr;
      /** the helper (`file#scope`) whose pipeline parameter this is: keys over its parameters vary per call */
      helper?: string;
    }
  | { kind: 'script'; client: ClientInfo; source: Expr; numberOfKeys?: number };

export interface ValueOptions {
  /** receiver names to treat as Redis clients even without other evidence */
  extraClientNames?: string[];
}

/** What a piece of interpretation looked up: names (SiteRecord.names) and its share of the file's Reads. */
export interface Deps {
  names: Set<string>;
  reads: Reads;
}

export function newDeps(): Deps {
  return { names: new Set(), reads: { files: new Set(), names: new Set() } };
}

/** Names that, in a file importing a Redis library, are weak evidence of a client (the last fallback). */
const CLIENT_NAME = /(^|_)(redis|rdb|rds|jedis|lettuce|valkey|r|rc|rcl|cluster)(_?client|_?conn|_?cluster|_?pool)?$|redis|jedis|Redis/;

/** Calls that end a pipeline chain: `pipe.set(a).exec()` is not a command on the pipeline. */
export const PIPELINE_END = /^(exec|execute|execAsPipeline|discard|Exec|Discard|sync|syncAndReturnAll|close|reset|unwatch|immediate_execute_command|Close|Len)$/;

const MAX_DEPTH = 12;
const MAX_CALLERS = 40;

/** Where a step happened: the span object of an expression in the facts (reused facts move it with edits). */
type Place = { file: FileFacts; span: Span | undefined };

export class ValueAnalysis {
  private memo = new Map<Expr, Receiver | null>();
  private paramMemo = new Map<string, Receiver | null>();
  /** what computing a memoised value looked up: a later site using the memo depends on it too */
  readonly memoDeps = new Map<object | string, Deps>();
  /** per file: receiver text → the first Redis-only method called on it */
  private usage = new WeakMap<FileFacts, Map<string, { method: string; span: Span; methods: string[] }>>();
  private packageLibraries = new Map<string, Profile[]>();

  constructor(
    private ws: WorkspaceFacts,
    private opts: ValueOptions = {},
  ) {
    ws.resolveCall = (e, ctx) => this.functionCalled(e, ctx);
    ws.resolveCallOptions = (e, ctx) => this.implementationsOfCall(e, ctx);
  }

  /** Forgets memoised answers: they are per analysed file (what they looked up is recorded per file). */
  reset(): void {
    this.memo.clear();
    this.paramMemo.clear();
    this.memoDeps.clear();
    this.packageLibraries.clear();
  }

  receiver(e: Expr, ctx: Ctx, depth = 0): Receiver | null {
    if (depth > MAX_DEPTH) return null;
    if (this.memo.has(e)) {
      const d = this.memoDeps.get(e);
      if (d) this.addDeps(d);
      return this.memo.get(e)!;
    }
    this.memo.set(e, null); // cycles resolve to "not a client"
    const r = this.tracked(e, () => this.classify(e, ctx, depth));
    this.memo.set(e, r);
    return r;
  }

  /** Runs `f`; while a site is recorded, what it looks up is kept for `key` (a memo entry) and counted for the site. */
  tracked<T>(key: object | string, f: () => T): T {
    const names = this.ws.siteNames;
    if (!names) return f();
    const reads = this.ws.reads;
    const mine = newDeps();
    this.ws.siteNames = mine.names;
    this.ws.reads = mine.reads;
    try {
      return f();
    } finally {
      this.ws.siteNames = names;
      this.ws.reads = reads;
      this.memoDeps.set(key, mine);
      this.addDeps(mine);
    }
  }

  /** Counts what `d` looked up for the site being interpreted (and the file's Reads). */
  addDeps(d: Deps): void {
    const names = this.ws.siteNames;
    if (names) for (const n of d.names) names.add(n);
    const reads = this.ws.reads;
    if (reads) {
      for (const f of d.reads.files) reads.files.add(f);
      for (const n of d.reads.names) reads.names.add(n);
    }
  }

  private classify(e: Expr, ctx: Ctx, depth: number): Receiver | null {
    switch (e.k) {
      case 'name':
        return this.nameReceiver(e, ctx, depth);
      case 'attr':
        return this.attrReceiver(e, ctx, depth);
      case 'call':
        return isMockConstructor(e) ? null : this.callReceiver(e, ctx, depth);
      case 'index':
        return this.elementReceiver(e, ctx, depth);
      case 'alt':
        // `pipe or self.redis`, `c ? a : b`: the first option the code shows to be Redis
        for (const o of e.options) {
          const r = this.receiver(o, ctx, depth + 1);
          if (r) return r;
        }
        return null;
      default:
        return null;
    }
  }

  /**
   * An element of a dict the code fills (Python: `d[k] = v`, bound as `d[]`): what was put in, in
   * this file or in the class's methods (`self._scripts[name](keys, args)` after
   * `self._scripts[name] = self.register_script(src)`).
   */
  private elementReceiver(e: Extract<Expr, { k: 'index' }>, ctx: Ctx, depth: number): Receiver | null {
    if (ctx.file.language !== 'python') return null;
    let obj = e.object;
    while (obj.k === 'index') obj = obj.object;
    let puts: { file: FileFacts; b: Binding }[] = [];
    if (obj.k === 'name') puts = ctx.file.bindings.filter((b) => b.kind === 'var' && b.name === `${obj.name}[]`).map((b) => ({ file: ctx.file, b }));
    else if (obj.k === 'attr' && obj.object.k === 'name' && obj.object.name === 'self') {
      const cls = classOf(ctx);
      if (cls) puts = this.ws.allClassBindings(cls, `${obj.name}[]`, ctx.file);
    }
    for (const { file, b } of puts) {
      const r = this.receiver(b.value, { ...ctx, file, scope: b.scope, pos: b.pos }, depth + 1);
      if (r) return via(r, `\`${e.text}\``, { file, span: b.value.span }, b.value);
    }
    return null;
  }

  /** A test double made by a mocking library (`rdb, mock := redismock.NewClientMock()`): no server, no cluster. */
  isMockClient(e: Expr, ctx: Ctx): boolean {
    if (e.k === 'call') return isMockConstructor(e);
    if (e.k !== 'name') return false;
    const found = lookupName(e.name, ctx);
    return !!found && 'binding' in found && found.binding.value.k === 'call' && isMockConstructor(found.binding.value);
  }

  private nameReceiver(e: Extract<Expr, { k: 'name' }>, ctx: Ctx, depth: number): Receiver | null {
    const file = ctx.file;
    // `self.hget(…)` in a subclass of the client (`class Database(redis.Redis)`)
    if (/^(self|this)$/.test(e.name)) {
      const cls = classOf(ctx);
      const c = cls ? this.clientClass(cls, file) : null;
      if (c) return { kind: 'client', client: c };
    }
    const found = lookupName(e.name, ctx);
    if (found && 'binding' in found) {
      const b = found.binding;
      const bctx = { ...ctx, file: found.file, scope: b.scope, pos: b.pos };
      // the value says more than the declared type (which pipeline, which constructor)
      const v = this.receiver(b.value, bctx, depth + 1);
      if (v) return via(v, `\`${e.name}\``, { file: found.file, span: b.value.span }, b.value, e.name);
      // a Java field declared here and assigned in the constructor: the assignment knows the connection
      if ((file.language === 'java' || file.language === 'kotlin') && b.type) {
        const field = this.fieldReceiver(e.name, ctx, depth);
        if (field) return field;
      }
      if (b.type) {
        const t = this.fromType(b.type, found.file, `${found.file.file}#${b.scope}#${b.name}`, e, bctx);
        if (t) return t;
      }
      // bound to something that is not Redis as far as the code shows: only its use can say otherwise
      const used = this.byUse(e, file, this.bindingType(b, bctx));
      const built = [{ b, file: found.file }, ...(file.language === 'java' || file.language === 'kotlin' ? this.javaFieldBindings(e.name, ctx) : [])].map((x) => ({ value: x.b.value, ctx: { ...ctx, file: x.file, scope: x.b.scope, pos: x.b.pos } }));
      return this.builtOn(used, built, depth);
    } else if (found && 'param' in found) {
      const r = this.paramReceiver(found.scope, found.param, ctx, e, depth);
      if (r) return r;
      // a parameter declared with another type is that type, whatever its name
      const type = file.scopes.get(found.scope)?.params.find((p) => p.name === found.param)?.type;
      if (type && !/^(any|Any|object|Object|interface\{\})$/.test(type.trim())) return this.byUse(e, file, shownType(undefined, type));
    }
    // Java fields and TS class properties are visible by bare name / this.x
    if (!found) {
      const field = this.fieldReceiver(e.name, ctx, depth);
      if (field) return field;
    }
    return this.byUse(e, file) ?? this.byName(e.name, e, file);
  }

  private attrReceiver(e: Extract<Expr, { k: 'attr' }>, ctx: Ctx, depth: number): Receiver | null {
    const file = ctx.file;
    const obj = e.object;
    const cls = obj.k === 'name' ? this.typeNameOf(obj, ctx) : undefined;
    // every assignment of the field, in any method (`self.r = None` in __init__, `self.r = Redis()` in connect)
    const all = cls ? this.ws.allClassBindings(cls, e.name, file) : [];
    if (cls) {
      for (const f of all) {
        const r = this.fromBinding(f.b, f.file, `${f.file.file}#${cls}.${e.name}`, e, ctx, depth, `\`${e.text}\``);
        if (r) return r;
      }
      // a @property / getter of the class
      const getter = this.ws.func(`${cls}.${e.name}`, file);
      if (getter) {
        const r = this.returnsReceiver(getter.file, getter.f.scope, getter.f.returns, ctx, depth);
        if (r) return via(r, `\`${e.text}\` (property)`, { file: getter.file, span: getter.f.returns[0]?.span }, getter.f.returns[0]);
      }
    }
    if (!cls && obj.k === 'name') {
      const r = this.memberReceiver(obj.name, e, ctx, depth) ?? this.optionReceiver(obj, e.name, ctx, depth);
      if (r) return r;
    }
    // a field of an object whose class the code does not show (`queue.connection`, `self.tiger.connection`)
    // or one a base class sets: a field of that name that holds Redis in some class of the workspace
    if (!all.length) {
      const r = this.fieldAnywhere(e, ctx, depth);
      if (r) return r;
      return this.byUse(e, file) ?? this.byName(e.name, e, file);
    }
    // the class's own field, not Redis as far as the code shows: only its use can say otherwise
    const shown = all.map((f) => this.bindingType(f.b, { ...ctx, file: f.file, scope: f.b.scope, pos: f.b.pos })).find((t) => t !== undefined);
    return this.builtOn(this.byUse(e, file, shown), all.map((f) => ({ value: f.b.value, ctx: { ...ctx, file: f.file, scope: f.b.scope, pos: f.b.pos } })), depth);
  }

  private callReceiver(e: CallExpr, ctx: Ctx, depth: number): Receiver | null {
    const file = ctx.file;
    const ctor = this.constructorOf(e, ctx);
    if (ctor) return { kind: 'client', client: ctor };
    // Valkey GLIDE: `new ClusterBatch(true)` / `ClusterBatch(is_atomic=True)` is a batch, a transaction when atomic
    const batch = this.glideBatch(e, ctx);
    if (batch) return batch;
    const callee = e.callee;
    // typing.cast(T, x) is x
    if (file.language === 'python' && calleeText(callee)?.replace(/^typing\./, '') === 'cast' && e.args.length === 2)
      return this.receiver(e.args[1], ctx, depth + 1) ?? this.fromType(e.args[0].text.replace(/^["']|["']$/g, ''), file, `${file.file}#cast${e.id}`, e, ctx);
    // redigo's NewScript(keyCount, src) says how many of the arguments are keys; go-redis's NewScript(src) does not
    if (callee.k === 'attr' && callee.name === 'NewScript' && file.language === 'go' && e.args.length === 2)
      return { kind: 'script', client: { library: 'redigo', mode: 'unknown', evidence: 'redis.NewScript' }, source: e.args[1], numberOfKeys: e.args[0].k === 'num' ? e.args[0].value : -1 };
    if (callee.k === 'attr' && callee.name === 'NewScript' && file.language === 'go' && e.args[0])
      return { kind: 'script', client: { library: 'go-redis', mode: 'unknown', evidence: 'redis.NewScript' }, source: e.args[0] };
    // rueidis.NewLuaScript(src) … script.Exec(ctx, client, keys, args)
    if (callee.k === 'attr' && /^NewLuaScript(ReadOnly)?$/.test(callee.name) && file.language === 'go' && e.args[0])
      return { kind: 'script', client: { library: 'rueidis', mode: 'unknown', evidence: callee.text }, source: e.args[0] };
    if (callee.k === 'attr') {
      const inner = this.receiver(callee.object, ctx, depth + 1);
      if (inner) return this.onValue(inner, callee.name, e, ctx);
    }
    // a variable or field holding a function literal (`self.getter = lambda _: self.storage`): what it returns
    const literal = this.functionLiteral(callee, ctx);
    if (literal) {
      const r = this.returnsReceiver(literal.file, literal.f.scope, literal.f.returns, ctx, depth);
      if (r) return via(r, `\`${callee.text}(…)\``, { file: literal.file, span: literal.f.returns[0]?.span }, literal.f.returns[0]);
    }
    // a project function that returns a client: a factory, a getter, a @contextmanager; an abstract
    // method (no return of its own): what the subclasses' implementations return
    const def = this.functionOf(e, ctx);
    for (const d of def ? [def, ...this.implementations(def)] : []) {
      const r = this.returnsReceiver(d.file, d.f.scope, d.f.returns, ctx, depth);
      if (r) return via(r, `\`${calleeText(e.callee) ?? d.f.name}()\``, { file: d.file, span: d.f.returns[0]?.span }, d.f.returns[0]);
    }
    return null;
  }

  /** The implementations of an abstract method (one with no return): the same method of the classes that extend its class, nearest first. */
  private implementations(def: { file: FileFacts; f: FuncDef }): { file: FileFacts; f: FuncDef }[] {
    if (!def.f.className || def.f.returns.length) return [];
    const out: { file: FileFacts; f: FuncDef }[] = [];
    const seen = new Set<string>([def.f.className]);
    let level = [def.f.className];
    for (let depth = 0; level.length && depth < 3 && out.length < MAX_CALLERS; depth++) {
      const next: string[] = [];
      for (const c of level)
        for (const sub of this.ws.subclassesOf(c, def.file)) {
          if (seen.has(sub.name)) continue;
          seen.add(sub.name);
          next.push(sub.name);
          const m = sub.file.functions.find((f) => f.className === sub.name && f.name === def.f.name);
          if (m) out.push({ file: sub.file, f: m });
        }
      level = next;
    }
    return out;
  }

  /** A method called on a Redis value: a client it passes through, a pipeline it opens, a script it registers. */
  private onValue(inner: Receiver, method: string, e: CallExpr, ctx: Ctx): Receiver | null {
    const profile = PROFILE_BY_LIBRARY.get(inner.client.library)!;
    if (inner.kind === 'client') {
      if (profile.passThrough.test(method)) return inner;
      // Spring's views: `opsForHash()`, and `boundHashOps(key)` that holds its key
      const ops = inner.client.library === 'spring-data-redis' && inner.client.spring?.ops !== 'connection' ? springOpsOf(method) : undefined;
      // a connection's command groups (`con.stringCommands()`) are the connection
      if (inner.client.spring?.ops === 'connection' && springOpsOf(method) === 'connection') return inner;
      if (ops) return { kind: 'client', client: { ...inner.client, spring: SPRING_BOUND.test(method) ? { ops, bound: e.args[0] ?? null, boundCtx: ctx } : { ops } } };
      if (method === 'register_script' && e.args[0]) return { kind: 'script', client: inner.client, source: e.args[0] };
      if (/^(master_for|slave_for)$/.test(method)) return { kind: 'client', client: { ...inner.client, mode: 'sentinel', evidence: method, options: e, optionsCtx: ctx } };
      const pm = profile.pipelineMethods.find((p) => p.match.test(method));
      if (pm) {
        let transaction = pm.transaction === true;
        if (pm.transaction === 'kwarg') {
          const kw = e.kwargs['transaction'];
          // redis-py: Redis.pipeline() defaults to a transaction; RedisCluster.pipeline() does not
          transaction = kw ? kw.text === 'True' : inner.client.mode === 'standalone' || inner.client.mode === 'sentinel';
        }
        return { kind: 'pipeline', client: inner.client, groupKey: `${ctx.file.file}#call${e.id}`, groupKind: transaction ? 'transaction' : 'pipeline', anchor: e };
      }
      return null;
    }
    // commands on a pipeline chain: pipe.set(a).get(b)
    if (inner.kind === 'pipeline' && !PIPELINE_END.test(method)) return inner;
    return null;
  }

  /**
   * `X.name` where X is a class or an imported module: a static getter or method of the class
   * (`Redis.defaultClient`), or a module-level variable of the module (`from app import db` … `db.redis`).
   */
  private memberReceiver(owner: string, e: Extract<Expr, { k: 'attr' }>, ctx: Ctx, depth: number): Receiver | null {
    const file = ctx.file;
    const imp = file.imports.find((i) => i.local === owner);
    const getter = this.ws.func(`${owner}.${e.name}`, file) ?? (imp ? this.ws.func(e.name, file, imp.module) : undefined);
    if (getter && (getter.f.className || getter.file !== file)) {
      const r = this.returnsReceiver(getter.file, getter.f.scope, getter.f.returns, ctx, depth);
      if (r) return via(r, `\`${e.text}\``, { file: getter.file, span: getter.f.returns[0]?.span }, getter.f.returns[0]);
    }
    if (imp) {
      const m = this.ws.moduleBinding(e.name, file, imp.member ? `${imp.module}.${imp.member}` : imp.module) ?? this.ws.moduleBinding(e.name, file, imp.module);
      if (m && m.file !== file) {
        const r = this.fromBinding(m.b, m.file, `${m.file.file}#module#${e.name}`, e, ctx, depth, `\`${e.text}\``);
        if (r) return r;
      }
    }
    return null;
  }

  /**
   * The workspace function a call calls: `f(…)`, `self.f(…)`, `Class.f(…)`, `module.f(…)`, or a method
   * of the type the code shows the receiver to have (`locker := redislock.New(c)` … `locker.Obtain(…)`).
   */
  functionCalled(e: CallExpr, ctx: Ctx, depth = 0): { file: FileFacts; f: FuncDef } | undefined {
    const found = this.functionOf(e, ctx);
    if (found) return found;
    const callee = e.callee;
    if (callee.k !== 'attr' || depth > 4) return undefined;
    const type = this.typeOf(callee.object, ctx, depth);
    const method = type ? this.ws.method(type, callee.name, ctx.file) : undefined;
    if (method) return method;
    // Go: a type with no such method is an interface; a method of that name that one struct alone has is its implementation
    if (type && ctx.file.language === 'go') {
      const impls = this.ws.methodsNamed(callee.name, ctx.file);
      if (impls.length === 1) return impls[0];
    }
    // Kotlin: `conn.blpopFlow(key)` calls an extension function, declared at top level (`fun Commands.blpopFlow(…)`)
    if (ctx.file.language === 'kotlin') {
      const ext = this.ws.func(callee.name, ctx.file);
      if (ext && !ext.f.className && ext.file.language === 'kotlin') return ext;
    }
    return undefined;
  }

  /** Go: the structs' methods a call on an interface may run, when a few structs have one of that name (a key generator and its legacy twin). */
  implementationsOfCall(e: CallExpr, ctx: Ctx): { file: FileFacts; f: FuncDef }[] {
    const callee = e.callee;
    if (ctx.file.language !== 'go' || callee.k !== 'attr') return [];
    const type = this.typeOf(callee.object, ctx, 0);
    if (!type || this.ws.method(type, callee.name, ctx.file)) return [];
    const impls = this.ws.methodsNamed(callee.name, ctx.file);
    return impls.length >= 2 && impls.length <= 3 ? impls : [];
  }

  /**
   * Every function a call may run. A method called on a field that different assignments fill with
   * different classes (`self.bridge = RedispyBridge(…)` here, `CoredisBridge(…)` there, the field
   * declared as their abstract base) runs each class's method; otherwise the one functionCalled finds.
   */
  functionsCalled(e: CallExpr, ctx: Ctx): { file: FileFacts; f: FuncDef }[] {
    const callee = e.callee;
    if (callee.k === 'attr' && callee.object.k === 'attr' && callee.object.object.k === 'name') {
      const field = callee.object;
      const cls = this.typeNameOf(field.object as Extract<Expr, { k: 'name' }>, ctx);
      const types = new Set<string>();
      if (cls)
        for (const { file, b } of this.ws.allClassBindings(cls, field.name, ctx.file))
          if (b.value.k === 'call') {
            const t = this.typeOf(b.value, { ...ctx, file, scope: b.scope, pos: b.pos, env: undefined }, 1);
            if (t) types.add(t);
          }
      const defs = new Map<FuncDef, { file: FileFacts; f: FuncDef }>();
      for (const t of types) {
        const d = this.ws.method(t, callee.name, ctx.file);
        if (d) defs.set(d.f, d);
      }
      if (defs.size) return [...defs.values()];
    }
    const one = this.functionCalled(e, ctx);
    if (!one) return [];
    // Kotlin extension overloads in one file (`fun Commands.f(…)`, `fun ClusterCommands.f(…)`): the call may run either
    if (one.file.language === 'kotlin' && !one.f.className) return one.file.functions.filter((f) => f.name === one.f.name && !f.className).map((f) => ({ file: one.file, f }));
    return [one];
  }

  /** The type a binding shows: declared, or what a project function it calls returns (`lock := locker.Obtain(…)` is a Lock). */
  private bindingType(b: Binding, ctx: Ctx): string | undefined {
    if (b.value.k === 'call' && !b.type) {
      const t = this.typeOf(b.value, ctx, 0);
      if (t) return t;
    }
    return shownType(b.value, b.type);
  }

  /** The project type of a value, as far as the code shows it: declared, constructed, or returned by a project function. */
  private typeOf(e: Expr, ctx: Ctx, depth: number): string | undefined {
    if (depth > 4) return undefined;
    if (e.k === 'name' && /^(self|this)$/.test(e.name)) return classOf(ctx);
    if (e.k === 'name') {
      const found = lookupName(e.name, ctx);
      if (found && 'binding' in found) {
        const b = found.binding;
        if (b.type) return bareType(b.type);
        return this.typeOf(b.value, { ...ctx, file: found.file, scope: b.scope, pos: b.pos }, depth + 1);
      }
      if (found && 'param' in found) {
        const t = ctx.file.scopes.get(found.scope)?.params.find((p) => p.name === found.param)?.type;
        return t ? bareType(t) : undefined;
      }
      return undefined;
    }
    if (e.k === 'call') {
      // a project function or method (Go's `New(…)`, `locker.Obtain(…)`) is its return value's type; otherwise a constructor names the class
      const def = this.functionCalled(e, ctx, depth + 1);
      // `return nil, err` says nothing of the type
      const r = def?.f.returns.find((x) => !/^(nil|None|null|undefined)$/.test(x.text));
      if (def) return r ? this.typeOf(r, { ...ctx, file: def.file, scope: def.f.scope, pos: r.span.start, env: undefined }, depth + 1) : undefined;
      const shown = shownType(e, undefined);
      return shown ? bareType(shown) : undefined;
    }
    // a field declared with a type (`keys KeyBuilder` of a Go struct, `_client: Store`), or set from a
    // constructor parameter: the type of what the constructions pass (`Lock(self, name)` in Database)
    if (e.k === 'attr' && e.object.k === 'name') {
      const cls = this.typeNameOf(e.object, ctx);
      const fields = cls ? this.ws.allClassBindings(cls, e.name, ctx.file) : [];
      const declared = fields.find((x) => x.b.type)?.b.type;
      if (declared) return bareType(declared);
      for (const { file, b } of fields) {
        const def = b.value.k === 'name' ? file.functions.find((f) => f.scope === b.scope) : undefined;
        const i = def && b.value.k === 'name' ? def.params.findIndex((p) => p.name === (b.value as { name: string }).name) : -1;
        if (!def || i < 0 || !/^(__init__|constructor)$/.test(def.name)) continue;
        for (const { file: cf, site } of this.ws.callers(cls!, file).slice(0, MAX_CALLERS)) {
          const arg = site.call.args[i] ?? site.call.kwargs[def.params[i].name];
          const t = arg ? this.typeOf(arg, { ...ctx, file: cf, scope: site.scope, pos: site.call.span.start }, depth + 1) : undefined;
          if (t) return t;
        }
      }
    }
    const shown = shownType(e, undefined);
    return shown ? bareType(shown) : undefined;
  }

  /** The function literal a name or field holds (its FuncDef, found by the literal's scope). */
  private functionLiteral(callee: Expr, ctx: Ctx): { file: FileFacts; f: FuncDef } | undefined {
    let bindings: { file: FileFacts; b: Binding }[] = [];
    if (callee.k === 'name') {
      const found = lookupName(callee.name, ctx);
      if (found && 'binding' in found) bindings = [{ file: found.file, b: found.binding }];
    } else if (callee.k === 'attr' && callee.object.k === 'name') {
      const cls = this.typeNameOf(callee.object, ctx);
      if (cls) bindings = this.ws.allClassBindings(cls, callee.name, ctx.file);
    }
    for (const { file, b } of bindings) {
      const v = b.value;
      if (v.k !== 'func') continue;
      const f = file.functions.find((x) => x.scope === v.scope);
      if (f) return { file, f };
    }
    return undefined;
  }

  /** A binding's value, else its declared type. */
  private fromBinding(b: Binding, file: FileFacts, key: string, anchor: Expr, ctx: Ctx, depth: number, what: string): Receiver | null {
    const bctx = { ...ctx, file, scope: b.scope, pos: b.pos };
    const v = b.value.k === 'other' ? null : this.receiver(b.value, bctx, depth + 1);
    if (v) return via(v, what, { file, span: b.value.span }, b.value);
    if (b.type) return this.fromType(b.type, file, key, anchor, bctx);
    return null;
  }

  /** The first return value of a function that is Redis (each evaluated where it is written). */
  private returnsReceiver(file: FileFacts, scope: string, returns: Expr[], ctx: Ctx, depth: number): Receiver | null {
    for (const r of returns) {
      const v = this.receiver(r, { ...ctx, file, scope, pos: r.span.start, env: undefined }, depth + 1);
      if (v) return v;
    }
    return null;
  }

  private functionOf(e: CallExpr, ctx: Ctx): { file: FileFacts; f: FuncDef } | undefined {
    const found = findFunction(e, ctx);
    if (found) return found;
    // Go: `s.client()` on a method receiver of type *Store is Store.client
    const callee = e.callee;
    if (callee.k === 'attr' && callee.object.k === 'name') {
      const cls = this.typeNameOf(callee.object, ctx);
      if (cls) return this.ws.method(cls, callee.name, ctx.file);
    }
    // `self._client.client()` on a field declared with a type (`_client: AbstractValkeyClient`): that type's method
    if (callee.k === 'attr' && callee.object.k === 'attr' && callee.object.object.k === 'name' && /^(self|this)$/.test(callee.object.object.name)) {
      const cls = classOf(ctx);
      const type = cls ? this.ws.allClassBindings(cls, callee.object.name, ctx.file).find((x) => x.b.type)?.b.type : undefined;
      if (type) return this.ws.method(simpleClassName(type.replace(/^[*&]/, '')), callee.name, ctx.file);
    }
    return undefined;
  }

  /**
   * A parameter: its declared type, else what the workspace's callers pass in that position
   * (`Store(redis_client)`, `self._push(k, client=pipe)`, `new Queue(conn)`).
   */
  private paramReceiver(scopeId: string, param: string, ctx: Ctx, e: Expr, depth: number): Receiver | null {
    const file = ctx.file;
    const scope = file.scopes.get(scopeId);
    if (!scope) return null;
    const key = `${file.file}#${scopeId}#${param}`;
    if (this.paramMemo.has(key)) {
      const d = this.memoDeps.get(key);
      if (d) this.addDeps(d);
      return this.paramMemo.get(key)!;
    }
    this.paramMemo.set(key, null);
    const r = this.tracked(key, () => {
      const p = scope.params.find((x) => x.name === param);
      const typed = p?.type ? this.fromType(p.type, file, key, e, ctx, scope.argOf) : null;
      // a pipeline handed to a helper is the caller's pipeline (its group), not one of the helper's own
      const passed = typed && typed.kind !== 'pipeline' ? null : this.fromCallers(scope, param, file, depth, (arg, actx) => this.receiver(arg, actx, depth + 1));
      return passed?.kind === 'pipeline' ? { ...passed, helper: `${file.file}#${scopeId}` } : (passed ?? typed);
    });
    this.paramMemo.set(key, r);
    return r;
  }

  /**
   * The first answer `ask` gives for an argument that the workspace's callers pass for `param`
   * (`Store(redis_client)`, `self._push(k, client=pipe)`, `new Queue({ client })`), with the step that says where.
   */
  private fromCallers(scope: Scope, param: string, file: FileFacts, depth: number, ask: (arg: Expr, ctx: Ctx) => Receiver | null): Receiver | null {
    if (depth > MAX_DEPTH || scope.kind !== 'function' || !scope.name || scope.argOf !== undefined) return null;
    const ctorName = /^(__init__|constructor)$/.test(scope.name) || ((file.language === 'java' || file.language === 'kotlin') && scope.name === scope.className) ? scope.className : undefined;
    const called = ctorName ?? scope.name;
    if (!called) return null;
    const params = scope.params.filter((x, i) => !(i === 0 && /^(self|cls)$/.test(x.name)));
    const index = params.findIndex((x) => x.name === param);
    if (index < 0) return null;
    const isMethod = scope.className !== undefined;
    let seen = 0;
    for (const { file: cf, site } of this.ws.callers(called, file)) {
      const c = site.call;
      // a method is called as `x.name(…)`; a free function as `name(…)` (or `module.name(…)`)
      if (isMethod && !ctorName && c.callee.k !== 'attr') continue;
      if (++seen > MAX_CALLERS) break;
      const arg = c.kwargs[param] ?? c.args[index];
      if (!arg || arg.k === 'spread') continue;
      const r = ask(arg, ctxFor(this.ws, cf, site.scope, c.span.start));
      if (r) return via(r, `parameter \`${param}\` of \`${called}\``, { file: cf, span: arg.span }, arg);
    }
    return null;
  }

  /** `opts.client` where `opts` is an options object: the entry `client` of the object literal bound or passed to it. */
  private optionReceiver(owner: Extract<Expr, { k: 'name' }>, name: string, ctx: Ctx, depth: number): Receiver | null {
    const entry = (dict: Expr, dctx: Ctx): Receiver | null => {
      if (dict.k !== 'dict') return null;
      const found = dict.entries.find(([k]) => (k.k === 'str' && k.value === name) || (k.k === 'name' && k.name === name));
      return found ? this.receiver(found[1], dctx, depth + 1) : null;
    };
    const found = lookupName(owner.name, ctx);
    if (found && 'binding' in found) return entry(found.binding.value, { ...ctx, file: found.file, scope: found.binding.scope, pos: found.binding.pos });
    if (found && 'param' in found) {
      const scope = ctx.file.scopes.get(found.scope);
      return scope ? this.fromCallers(scope, found.param, ctx.file, depth + 1, entry) : null;
    }
    return null;
  }

  /** A field named like `e` in any class of the workspace that holds a Redis value (medium: the class is not shown). */
  private fieldAnywhere(e: Extract<Expr, { k: 'attr' }>, ctx: Ctx, depth: number): Receiver | null {
    if (ctx.file.language === 'lua' || ctx.file.language === 'redis') return null;
    let n = 0;
    for (const f of this.ws.attributeAnywhere(e.name, ctx.file)) {
      if (++n > MAX_CALLERS) break;
      const cls = f.b.className ?? f.file.scopes.get(f.b.scope)?.name ?? '?';
      const r = this.fromBinding(f.b, f.file, `${f.file.file}#${cls}.${e.name}`, e, ctx, depth, `field \`${e.name}\` of \`${cls}\``);
      if (r) return lowered(r, 'medium');
    }
    return null;
  }

  /**
   * A project wrapper known only by its use (`proxy.ttl()`) whose constructions the code shows
   * (`new JedisProxy(new JedisStandalone(pool))`): it talks to the server the way the client it is
   * built on does, so that client's mode is the wrapper's, when every construction that tells agrees.
   */
  private builtOn(used: Receiver | null, values: { value: Expr; ctx: Ctx }[], depth: number): Receiver | null {
    if (used?.kind !== 'client' || used.client.mode !== 'unknown') return used;
    const found = values.flatMap(({ value, ctx }) => (value.k === 'call' ? (this.clientArgument(value, ctx, depth + 1) ?? []) : []));
    if (!found.length || found.some((r) => r.client.mode !== found[0].client.mode)) return used;
    const inner = found[0];
    return { ...used, client: { ...used.client, mode: inner.client.mode, via: [...(used.client.via ?? []), ...(inner.client.via ?? [])].slice(0, 6) } };
  }

  /** The first argument of a construction that is a client of known mode, looking into wrappers built inline (`new A(new B(pool))`). */
  private clientArgument(call: CallExpr, ctx: Ctx, depth: number): Extract<Receiver, { kind: 'client' }> | null {
    if (depth > MAX_DEPTH) return null;
    for (const arg of call.args) {
      const r = this.receiver(arg, ctx, depth + 1);
      if (r?.kind === 'client' && r.client.mode !== 'unknown') return r;
      if (!r && arg.k === 'call') {
        const inner = this.clientArgument(arg, ctx, depth + 1);
        if (inner) return via(inner, `built on \`${shortText(arg.text)}\``, { file: ctx.file, span: arg.span }, undefined) as Extract<Receiver, { kind: 'client' }>;
      }
    }
    return null;
  }

  /**
   * Every assignment of the Java field `name` of the class around `ctx`: `this.name = …` anywhere, and
   * a bare `name = …` in a method (a setup method) that declares no local or parameter of that name.
   */
  private javaFieldBindings(name: string, ctx: Ctx): { b: Binding; file: FileFacts }[] {
    const cls = classOf(ctx);
    if (!cls) return [];
    const file = ctx.file;
    const declaresLocal = (scope: string) =>
      file.scopes.get(scope)?.params.some((p) => p.name === name) || file.bindings.some((x) => x.scope === scope && x.name === name && x.type !== undefined);
    const bare = file.bindings.filter((b) => b.kind === 'var' && b.name === name && b.type === undefined && file.scopes.get(b.scope)?.kind === 'function' && classOf({ ...ctx, scope: b.scope }) === cls && !declaresLocal(b.scope));
    return [...this.ws.allClassBindings(cls, name, file), ...bare.map((b) => ({ b, file }))];
  }

  fieldReceiver(name: string, ctx: Ctx, depth: number): Receiver | null {
    if (ctx.file.language !== 'java' && ctx.file.language !== 'kotlin') return null;
    let id: string | undefined = ctx.scope;
    while (id) {
      const s = ctx.file.scopes.get(id);
      if (!s) break;
      if (s.kind === 'class' && s.name) {
        const f = this.ws.classBinding(s.name, name, ctx.file);
        if (f) {
          const bctx = { ...ctx, scope: f.b.scope, pos: f.b.pos };
          // the assigned value first: it knows the connection (`this.orders = orderConn.sync()`)
          const v = f.b.value.k === 'other' ? null : this.receiver(f.b.value, bctx, depth + 1);
          if (v?.kind === 'client') return via(v, `field \`${name}\``, { file: f.file, span: f.b.value.span }, f.b.value, name);
          if (f.b.type) {
            const t = this.fromType(f.b.type, f.file, `${f.file.file}#${s.name}.${name}`, { k: 'name', name, text: name, span: { start: 0, end: 0 } }, bctx);
            if (t) return t;
          }
          if (v) return v;
          // assigned in a constructor from a parameter (`this.jedis = jedis`)
          for (const g of this.ws.allClassBindings(s.name, name, ctx.file)) {
            if (g.b === f.b || g.b.value.k === 'other') continue;
            const r = this.receiver(g.b.value, { ...ctx, file: g.file, scope: g.b.scope, pos: g.b.pos }, depth + 1);
            if (r) return via(r, `field \`${name}\``, { file: g.file, span: g.b.value.span }, g.b.value, name);
          }
          return null;
        }
      }
      id = s.parent;
    }
    return null;
  }

  /** The class / struct type of `self`, `this`, or a parameter such as Go's method receiver. */
  typeNameOf(obj: Extract<Expr, { k: 'name' }>, ctx: Ctx): string | undefined {
    let id: string | undefined = ctx.scope;
    while (id) {
      const s = ctx.file.scopes.get(id);
      if (!s) return undefined;
      if ((obj.name === 'self' || obj.name === 'this' || obj.name === 'cls') && (s.className || s.kind === 'class')) return s.className ?? s.name;
      const p = s.params.find((x) => x.name === obj.name);
      if (p?.type) return p.type.replace(/^[*&]/, '').replace(/^.*\./, '');
      id = s.parent;
    }
    return obj.name === 'self' || obj.name === 'this' ? classOf(ctx) : undefined;
  }

  fromType(type: string, file: FileFacts, key: string, anchor: Expr, ctx: Ctx, argOf?: number): Receiver | null {
    // `Optional[Redis]`, `Redis | None`, `Redis?`, `"Redis"`
    const t = type
      .replace(/\s+/g, '')
      .replace(/^Optional\[(.*)\]$/, '$1')
      .replace(/^(.*)\|None$|^None\|(.*)$/, '$1$2')
      .replace(/^(.*)\|(null|undefined)$/, '$1')
      .replace(/\?$/, '');
    const sub = /^[A-Z][\w]*$/.test(t) ? this.clientClass(t, file) : null;
    if (sub) return { kind: 'client', client: { ...sub, optionsCtx: ctx } };
    for (const p of this.candidates(file)) {
      // a typed client was built elsewhere; its file's config calls (Lettuce setReadFrom) still tell its routing
      if (p.clientTypes.test(t)) {
        const client: ClientInfo = { library: p.library, mode: /Cluster/.test(t) ? 'cluster' : /Universal|Cmdable/.test(t) ? 'unknown' : 'standalone', evidence: type, optionsCtx: ctx, via: [{ what: `declared \`${type}\`` }] };
        if (p.library === 'spring-data-redis') {
          // the template's mode is the connection factory's, which the code that uses it does not show
          client.mode = 'unknown';
          const ops = springOpsOf(t);
          // a declared bound view (`BoundHashOperations<…>`): its key was given where it was made
          if (ops) client.spring = { ops, bound: /Bound/.test(t) ? null : undefined };
        }
        return { kind: 'client', client };
      }
      const pt = p.pipelineTypes?.find((x) => x.match.test(t));
      if (pt) {
        const client: ClientInfo = { library: p.library, mode: 'unknown', evidence: type };
        if (argOf !== undefined) {
          // a pipeline parameter of a callback: the group is the call the callback is passed to
          const site = file.calls.find((c) => c.call.id === argOf);
          if (site && site.call.callee.k === 'attr') {
            const owner = this.receiver(site.call.callee.object, { ...ctx, scope: site.scope, pos: site.call.span.start });
            const m = site.call.callee.name;
            const kind: GroupKind = m === 'Watch' ? 'watch' : /^Tx/.test(m) ? 'transaction' : pt.transaction ? 'transaction' : 'pipeline';
            return { kind: 'pipeline', client: owner?.client ?? client, groupKey: `${file.file}#call${argOf}`, groupKind: kind, anchor: site.call };
          }
        }
        return { kind: 'pipeline', client, groupKey: key, groupKind: pt.transaction ? 'transaction' : 'pipeline', anchor };
      }
    }
    return null;
  }

  private candidates(file: FileFacts): Profile[] {
    const libs = librariesOf(file);
    return libs.length ? libs : PROFILES.filter((p) => p.languages.includes(file.language));
  }

  /**
   * A project class that extends a client class (`class RedisAdapter extends Redis`, `class ArqRedis(Redis)`),
   * directly or through other project classes: its instances are clients.
   */
  clientClass(name: string, from: FileFacts, depth = 0): ClientInfo | null {
    if (depth > 6) return null;
    const found = this.ws.basesOf(name, from);
    if (!found) return null;
    for (const base of found.bases) {
      for (const p of this.candidates(found.file)) {
        const c = p.constructors.find((x) => x.match.test(base));
        if (c && (librariesOf(found.file).includes(p) || /Cluster|Jedis|redis\./.test(base)))
          return { library: p.library, mode: c.mode, evidence: base, via: [{ what: `\`${name}\` extends \`${base}\``, file: found.file.file }] };
      }
      const up = this.clientClass(base.replace(/^.*\./, '').replace(/<.*$/, ''), found.file, depth + 1);
      if (up) return { ...up, via: [{ what: `\`${name}\` extends \`${base}\``, file: found.file.file }, ...(up.via ?? [])] };
    }
    return null;
  }

  private glideBatch(e: CallExpr, ctx: Ctx): Receiver | null {
    const name = e.callee.k === 'name' ? e.callee.name : e.callee.k === 'attr' ? e.callee.name : '';
    // (Go: `pipeline.NewClusterBatch(true)`)
    if (!/^(Batch|ClusterBatch|Transaction|ClusterTransaction|NewClusterBatch|NewStandaloneBatch)$/.test(name) || !librariesOf(ctx.file).some((p) => p.library === 'valkey-glide')) return null;
    const atomic = /Transaction$/.test(name) || /^(true|True)$/.test((e.kwargs['is_atomic'] ?? e.args[0])?.text ?? '');
    return { kind: 'pipeline', client: { library: 'valkey-glide', mode: /Cluster/.test(name) ? 'cluster' : 'standalone', evidence: name }, groupKey: `${ctx.file.file}#call${e.id}`, groupKind: atomic ? 'transaction' : 'pipeline', anchor: e };
  }

  constructorOf(e: CallExpr, ctx: Ctx): ClientInfo | null {
    const file = ctx.file;
    const text = calleeText(e.callee);
    if (!text) return null;
    // a project subclass of a client class, or `new this(…)` inside one
    const cls = text === 'this' || text === 'cls' ? classOf(ctx) : text.replace(/^.*\./, '');
    if (cls && /^[A-Z]/.test(cls)) {
      const sub = this.clientClass(cls, file);
      if (sub) return { ...sub, options: e, optionsCtx: ctx };
    }
    for (const p of this.candidates(file)) {
      for (const c of p.constructors) {
        // (Python and Kotlin construct without `new`)
        if (c.needsNew && !e.isNew && file.language !== 'python' && file.language !== 'kotlin') continue;
        if (!c.match.test(text)) continue;
        // ioredis and node-redis share names such as Redis / createClient: the import decides
        if (!librariesOf(file).includes(p) && !/Cluster|Jedis|redis\./.test(text)) continue;
        return { library: p.library, mode: c.mode, evidence: text, options: e, optionsCtx: ctx, via: [{ what: `\`${shortText(e.text)}\``, file: file.file, span: e.span }] };
      }
    }
    return null;
  }

  /** The Redis libraries a file can reach: its own imports, else (Go) those of its package. */
  private librariesNear(file: FileFacts): Profile[] {
    const own = librariesOf(file);
    if (own.length || file.language !== 'go') return own;
    const dir = file.file.slice(0, file.file.lastIndexOf('/') + 1);
    let libs = this.packageLibraries.get(dir);
    if (!libs) {
      libs = [];
      for (const f of this.ws.files.values()) {
        if (f.language !== 'go' || !f.file.startsWith(dir) || f.file.indexOf('/', dir.length) >= 0) continue;
        const l = librariesOf(f);
        if (l.length) {
          libs = l;
          this.ws.reads?.files.add(f.file);
          break;
        }
      }
      this.packageLibraries.set(dir, libs);
    }
    return libs;
  }

  /**
   * Medium evidence: the receiver, written the same way in this file, has a Redis-only method called
   * on it (`self._r.hincrby(…)`, `s.rdb.ZAdd(…)`), and the file (or its Go package) imports a Redis library.
   */
  private byUse(anchor: Expr, file: FileFacts, shown?: string): Receiver | null {
    if (file.language === 'lua' || file.language === 'redis') return null;
    let seen = this.usage.get(file);
    if (!seen) {
      seen = new Map();
      for (const site of file.calls) {
        const c = site.call.callee;
        if (c.k !== 'attr' || !REDIS_ONLY_METHOD.test(c.name.toLowerCase())) continue;
        const text = c.object.text;
        const had = seen.get(text);
        if (!had) seen.set(text, { method: c.name, span: site.call.span, methods: [c.name] });
        else if (!had.methods.includes(c.name)) had.methods.push(c.name);
      }
      this.usage.set(file, seen);
    }
    const hit = seen.get(anchor.text);
    if (!hit) return null;
    if (shown !== undefined && !this.mayWrapRedis(shown, hit.methods, file)) return null;
    // a library that takes the client from its user imports none: the language's usual client stands in
    const lib = this.librariesNear(file)[0]?.library ?? assumedLibrary(file, hit.method);
    if (!lib) return null;
    return { kind: 'client', client: { library: lib, mode: 'unknown', evidence: `${anchor.text}.${hit.method}()`, confidence: 'medium', via: [{ what: `\`${anchor.text}\` calls Redis-only \`${hit.method}\` (${lib})`, file: file.file, span: hit.span }] } };
  }

  /**
   * Whether a value the code shows to be of type `type` can be a Redis client or a wrapper of one
   * when `method` is called on it: a project class whose method `method` calls a Redis-like
   * method itself (`JedisProxy.zadd` → `jedis.zadd`), or a type the workspace does not define and
   * that no other library qualifies (a project interface). Not an in-memory look-alike
   * (`MemoryStorage.incrby`), a literal, or another library's type (`clientv3.Client`).
   */
  private mayWrapRedis(type: string, methods: string[], file: FileFacts): boolean {
    if (type === '') return false;
    const bare = type.replace(/^[*&]/, '').replace(/<.*$/, '').replace(/\[.*$/, '');
    const name = bare.replace(/^.*\./, '');
    let defined = false;
    for (const method of methods) {
      const def = this.ws.func(`${name}.${method}`, file);
      if (!def) continue;
      defined = true;
      const body = def.file.scopes.get(def.f.scope)?.span;
      const lower = method.toLowerCase();
      const wraps = def.file.calls.some((s) => {
        const c = s.call.callee;
        return c.k === 'attr' && !!body && s.call.span.start >= body.start && s.call.span.end <= body.end && (c.name.toLowerCase() === lower || REDIS_ONLY_METHOD.test(c.name.toLowerCase()));
      });
      if (wraps) return true;
    }
    // the project defines these methods on the type, and none of them calls Redis: an in-memory look-alike
    if (defined) return false;
    // `pkg.Type` from a package that is not a Redis library
    if (bare.includes('.') && !/redis|valkey|jedis|lettuce|redisson/i.test(bare)) return false;
    // a type imported from another library (`import { Client } from '@opensearch-project/opensearch'`: its mget is no Redis MGET)
    const imported = file.imports.find((i) => i.local === name);
    if (imported && foreignLibrary(imported.module)) return false;
    return true;
  }

  /** Unknown receivers count only with some evidence: a configured name, or a Redis-looking name in a file importing a Redis library. */
  private byName(name: string, anchor: Expr, file: FileFacts): Receiver | null {
    const libs = librariesOf(file);
    const extra = this.opts.extraClientNames ?? [];
    if (extra.includes(name) || extra.includes(anchor.text)) {
      const p = libs[0] ?? PROFILES.find((x) => x.languages.includes(file.language));
      if (p) return { kind: 'client', client: { library: p.library, mode: 'unknown', evidence: `configured client name ${name}`, via: [{ what: `\`${name}\` is in keyslot.clients.extraNames` }] } };
    }
    if (libs.length && CLIENT_NAME.test(name) && !/^(redis|Redis)$/.test(anchor.text))
      return { kind: 'client', client: { library: libs[0].library, mode: 'unknown', evidence: `name ${anchor.text}`, confidence: 'low', via: [{ what: `only the name \`${anchor.text}\` in a file importing ${libs[0].library}` }] } };
    return null;
  }
}

/** The value with one more step in front of its provenance (and, for a client, the variable it passed through). */
function via(r: Receiver, what: string, at: Place, from: Expr | undefined, name?: string): Receiver {
  const step: Step = { what: from ? `${what} = \`${shortText(from.text)}\`` : what, file: at.file.file, span: at.span };
  // `rc = RedisCluster(…)`: the assignment already names the constructor it holds
  const rest = (r.client.via ?? []).filter((s, i) => !(i === 0 && at.span && s.span === at.span));
  const client: ClientInfo = { ...r.client, via: [step, ...rest].slice(0, 6) };
  // remember the variables a client passed through: per-connection settings (Lettuce setReadFrom) hang on them
  if (name && r.kind === 'client') client.names = [...(r.client.names ?? []), name];
  return { ...r, client } as Receiver;
}

/**
 * The type the code shows a value to have: its declared type, the class it is constructed from
 * (`new MemoryStorage()`, `MemoryStorage()`), or '' for a literal. undefined: the code does not say.
 */
function shownType(value: Expr | undefined, type: string | undefined): string | undefined {
  if (type && !/^(any|Any|object|Object|interface\{\}|var)$/.test(type.trim())) return type.trim();
  if (!value) return undefined;
  // a Go composite literal: `&memCounter{}`, `Client{client: c}`
  const composite = /^&?([A-Za-z_][\w.]*)\s*\{/.exec(value.text)?.[1];
  if (composite && (value.k === 'dict' || value.k === 'list' || value.k === 'other')) return composite;
  switch (value.k) {
    case 'str':
    case 'interp':
    case 'num':
    case 'list':
    case 'dict':
    case 'func':
      return '';
    case 'call': {
      const name = calleeText(value.callee)?.replace(/^.*\./, '');
      return name && (value.isNew || /^[A-Z]/.test(name)) ? name : undefined;
    }
    default:
      return undefined;
  }
}

/** `*pkg.Client`, `List<String>` → `Client`, `List` */
/**
 * Constructors of Redis test doubles: go-redis's redismock, Python's fakeredis, ioredis-mock and
 * redis-mock (`new RedisMock()`), Mockito and unittest.mock. Calls on them never reach a server.
 */
const MOCK_CONSTRUCTOR = /^(redismock\.New\w*Mock|fakeredis\.\w+|Fake(Strict)?Redis|(\w+\.)?(Magic|Async)?Mock|RedisMock|IORedisMock|(Mockito\.)?mock|(unittest\.mock\.)?create_autospec)$/;

function isMockConstructor(e: CallExpr): boolean {
  const t = calleeText(e.callee);
  return t !== undefined && MOCK_CONSTRUCTOR.test(t);
}

function bareType(t: string): string {
  return t.replace(/^[*&]/, '').replace(/<.*$/, '').replace(/\[.*$/, '').replace(/^.*\./, '');
}

/** The client a file most likely uses when it imports none: node-redis writes `hGetAll`, ioredis `hgetall`. */
function assumedLibrary(file: FileFacts, method: string): Library | undefined {
  switch (file.language) {
    case 'python':
      return 'redis-py';
    case 'javascript':
    case 'typescript':
    case 'tsx':
      return /[a-z][A-Z]/.test(method) ? 'node-redis' : 'ioredis';
    case 'go':
      return 'go-redis';
    case 'java':
    case 'kotlin':
      return 'jedis';
    default:
      return undefined;
  }
}

/**
 * A module of another library than a Redis client: a package, not the project's own path
 * (`./store`, `~/lib`) or path alias (`@app/…`, `@server/…`, which look like scoped packages).
 */
function foreignLibrary(module: string): boolean {
  if (/redis|valkey|glide|jedis|lettuce|redisson|rueidis|redigo/i.test(module)) return false;
  if (/^[./~]/.test(module)) return false;
  return !/^@(app|src|server|client|shared|lib|libs|core|common|root|utils?|components|modules|services|config|types|api|ui|web|db|models|internal)\//.test(module);
}

function lowered(r: Receiver, confidence: 'medium' | 'low'): Receiver {
  if (r.client.confidence === 'low' || r.client.confidence === confidence) return r;
  return { ...r, client: { ...r.client, confidence } } as Receiver;
}

function shortText(t: string): string {
  const one = t.replace(/\s+/g, ' ');
  return one.length > 36 ? one.slice(0, 35) + '…' : one;
}

export function calleeText(e: Expr): string | undefined {
  if (e.k === 'name') return e.name;
  if (e.k === 'attr') {
    const o = calleeText(e.object);
    return o ? `${o}.${e.name}` : undefined;
  }
  return undefined;
}
