import type { CallExpr, CallSite, Expr, FileFacts, FuncDef, Language } from '../extract/ir';
import { commandKeys, isKnownCommand, maxKeyCount, numkeysIndex } from '../commands/table';
import { anchorEdges, hashOfPattern, normalizeSegments, patternText, Segment } from '../model/pattern';
import type { FlowCall, Group, GroupKind, KeyUse, WaitCall } from '../model/keyuse';
import { Routing, routingOf } from './routing';
import { asSegments, callField, Ctx, ctxFor, evaluate, evaluateExactly, fieldFunction, lookupName, Val, Value } from '../resolve/evaluate';
import type { Reads, WorkspaceFacts } from '../resolve/workspace';
import { ArgumentForm, ClientInfo, librariesOf, Library, PROFILE_BY_LIBRARY, Profile, PROFILES, REDISSON_EXECUTOR, REDISSON_OBJECT_GETTERS, REDISSON_READS, REDISSON_WRITES } from './profiles';

import { newDeps, Receiver, ValueAnalysis } from '../resolve/values';
import { SPRING_METHODS, springForm, springMethod } from './spring';
import { slotVerdict } from '../rules/groups';
import type { TagRule } from '../model/hashtag';
import { BULL_QUEUE_KEYS, BULLMQ_PREFIX, BULLMQ_QUEUE_KEYS, frameworkSite, prefixFix, settingsSites } from '../frameworks/frameworks';
import { annotatedUses, cachePrefix } from '../frameworks/spring-cache';

export type { Receiver };

export interface Options {
  /** receiver names to treat as Redis clients even without other evidence */
  extraClientNames?: string[];
  /** standalone clients that point at replicas: receiver names, or text in their constructor call (a host pattern, an env var name) */
  replicaClients?: string[];
  /** how the deployment finds the hashed part of a key (Dragonfly's lock tags); default Redis's `{…}` */
  tagRule?: TagRule;
}


export interface ScriptSource {
  /** the string expression holding Lua code */
  expr: Expr;
  file: FileFacts;
  library: Library;
  /** the group of a call that runs the script (its KEYS), when this is a call site */
  group?: string;
  /** the scope the expression is in (a Java class field is only visible from the class) */
  scope?: string;
}

/**
 * What happens to a group, in call order. Groups are identified by a key made of the file and the
 * call or variable they come from, so one file's result never depends on another's numbering; the
 * same key can come from several files (a pipeline variable declared in one file, used in others),
 * and replaying every file's operations in workspace order gives the group.
 */
export type GroupOp =
  /** a pipeline / transaction: made by the first use, as that use saw it */
  | { op: 'create'; group: Group }
  /** a call's own group: made once; a later call on it only fills in a missing command */
  | { op: 'ensure'; group: Group }
  /** execAsPipeline: an existing group is sent as a pipeline */
  | { op: 'pipeline'; id: string }
  /** the Lua script an existing group's call runs */
  | { op: 'script'; id: string; script: string };

/** What interpreting calls produces; the interpreter appends to whichever output it is given. */
export interface CallOutput {
  uses: KeyUse[];
  scripts: ScriptSource[];
  waits: WaitCall[];
  flowCalls: FlowCall[];
  groupOps: GroupOp[];
}

/**
 * What interpreting one call site appended to the output, and what it depended on, so an editor's
 * next analysis of the file can append it again instead of interpreting the call (index/reuse.ts
 * decides when that is sound).
 */
export interface SiteRecord {
  /** where the call started when recorded (a moved call is interpreted again) */
  start: number;
  uses: KeyUse[];
  scripts: ScriptSource[];
  waits: WaitCall[];
  flowCalls: FlowCall[];
  groupOps: GroupOp[];
  /** the group checks made, in order: the group, the operation, whether it was appended */
  made: [string, 'create' | 'ensure', boolean][];
  /** every name looked up, in this file or others (WorkspaceFacts.siteNames) */
  names: Set<string>;
  /** its share of the file's Reads (what other files' changes it depends on) */
  reads: Reads;
}


/** Records of a file's call sites from its last analysis, and which can be appended again (as they read now). */
export interface SiteReuse {
  records: Map<CallExpr, SiteRecord>;
  /** the record as it reads at the site now (scopes renamed, places moved), or undefined: interpret the call */
  take: (r: SiteRecord, site: CallSite) => SiteRecord | undefined;
}

export function emptyOutput(): CallOutput {
  return { uses: [], scripts: [], waits: [], flowCalls: [], groupOps: [] };
}

/** Applies group operations in order to a map of groups (by key). Groups are created fresh: the ops stay untouched. */
export function applyGroupOps(groups: Map<string, Group>, ops: Iterable<GroupOp>): void {
  for (const o of ops) {
    if (o.op === 'create' || o.op === 'ensure') {
      const g = groups.get(o.group.id);
      if (!g) groups.set(o.group.id, { ...o.group });
      else if (o.op === 'ensure') g.command ??= o.group.command;
    } else {
      const g = groups.get(o.id);
      if (!g) continue;
      if (o.op === 'pipeline') g.kind = 'pipeline';
      else g.script = o.script;
    }
  }
}

export class CallInterpreter {
  out: CallOutput = emptyOutput();
  /** groups this output already made (or made and gave a command): repeating the op changes nothing */
  private made = new Map<string, 'create' | 'ensure'>();
  private routingMemo = new WeakMap<ClientInfo, Routing>();
  /** the receiver as written at the call being interpreted */
  private receiverText = '';
  private definedCommands = new Map<string, { numberOfKeys?: number; lua?: Expr }>();
  /** the command being interpreted is sent to a replica by the call itself (Jedis executeCommandToReplica) */
  private toReplica = false;
  /** a call → the method called on its result (`getBucket(k)` → `set`) */
  private chainedMethod = new Map<Expr, string>();
  /** while analysing a file: each site's record is put here (see SiteRecord) */
  records?: Map<CallExpr, SiteRecord>;
  /** while analysing a file: records that may be appended again instead of interpreting their call */
  reuse?: SiteReuse;
  /** the group checks of the site being recorded */
  private checks?: [string, 'create' | 'ensure', boolean][];

  /** the one place that decides what a receiver holds */
  readonly values: ValueAnalysis;
  /** per analysed file: what each called project function does (see wrapperCall) */
  private summaries = new Map<FuncDef, Summary>();
  /** how many summaries are being worked out, one inside the other */
  private summaryDepth = 0;
  /** a one-shot analysis of files that do not change (the CLI): memoised answers hold across files */
  batch = false;
  /** per analysed file: whether a project function sends commands (see sendsCommands) */
  private sends = new Map<FuncDef, boolean>();

  constructor(
    private ws: WorkspaceFacts,
    private opts: Options = {},
  ) {
    this.values = new ValueAnalysis(ws, opts);
  }

  /** Directs what follows into `out`. */
  begin(out: CallOutput): void {
    this.out = out;
    this.made.clear();
  }

  analyzeFile(file: FileFacts): void {
    // an editor's index records what each file's answers read, so they are worked out per file;
    // a one-shot batch over files that do not change keeps them for the whole workspace
    if (!this.batch) {
      this.values.reset();
      this.summaries.clear();
      this.sends.clear();
    }
    this.definedCommands.clear();
    this.chainedMethod.clear();
    for (const site of file.calls) {
      const c = site.call.callee;
      if (c.k === 'attr' && c.object.k === 'call') this.chainedMethod.set(c.object, c.name);
    }
    const libs = librariesOf(file);
    // ioredis defineCommand('name', {numberOfKeys, lua}) makes `client.name(...)` a script call
    for (const site of file.calls) {
      const c = site.call;
      if (c.callee.k === 'attr' && c.callee.name === 'defineCommand' && c.args[0]?.k === 'str') {
        const opts = c.args[1];
        const nk = opts?.k === 'dict' ? opts.entries.find(([k]) => keyName(k) === 'numberOfKeys')?.[1] : undefined;
        const lua = opts?.k === 'dict' ? opts.entries.find(([k]) => keyName(k) === 'lua')?.[1] : undefined;
        this.definedCommands.set(c.args[0].value, { numberOfKeys: nk?.k === 'num' ? nk.value : undefined, lua });
        if (lua) this.out.scripts.push({ expr: lua, file, library: 'ioredis' });
      }
    }
    for (const site of file.calls) {
      const old = this.reuse?.records.get(site.call);
      const now = old && this.reuse!.take(old, site);
      if (now && this.replay(now, site.call, file)) continue;
      const out = this.out;
      const mark = this.records && [out.uses.length, out.scripts.length, out.waits.length, out.flowCalls.length, out.groupOps.length];
      const deps = this.records && newDeps();
      const outerNames = this.ws.siteNames;
      const outerReads = this.ws.reads;
      if (deps) {
        this.ws.siteNames = deps.names;
        this.ws.reads = deps.reads;
        this.checks = [];
      }
      const ctx = ctxFor(this.ws, file, site.scope, site.call.span.start);
      try {
        this.call(site.call, ctx, libs);
        this.flowCall(site.call, ctx);
      } catch (err) {
        // one odd call never stops the file
        if (process.env.KEYSLOT_DEBUG) console.error(`keyslot: ${file.file}: ${(err as Error).stack}`);
      } finally {
        this.ws.siteNames = outerNames;
        this.ws.reads = outerReads;
      }
      if (mark && deps) {
        this.values.addDeps(deps);
        this.records!.set(site.call, {
          start: site.call.span.start,
          uses: out.uses.slice(mark[0]),
          scripts: out.scripts.slice(mark[1]),
          waits: out.waits.slice(mark[2]),
          flowCalls: out.flowCalls.slice(mark[3]),
          groupOps: out.groupOps.slice(mark[4]),
          made: this.checks!,
          names: deps.names,
          reads: deps.reads,
        });
        this.checks = undefined;
      }
    }
    this.frameworkSettings(file);
    this.springAnnotations(file);
  }

  /** Keys Spring keeps for annotations (frameworks/spring-cache.ts): `@Cacheable` on a Redis cache, `@RedisHash` entities. */
  private springAnnotations(file: FileFacts): void {
    if ((file.language !== 'java' && file.language !== 'kotlin') || !(file.functions.some((f) => f.annotations) || [...file.scopes.values()].some((s) => s.annotations))) return;
    // an annotation's text is evaluated in the class around it, where its constants are
    const text = (e: Expr, f: FileFacts) => {
      const scope = [...f.scopes.values()].filter((s) => s.kind === 'class' && s.span.start <= e.span.start && e.span.end <= s.span.end).pop()?.id ?? 'module';
      const v = evaluate(e, ctxFor(this.ws, f, scope, e.span.start));
      return v.t === 'str' ? v.segs : undefined;
    };
    const configs = this.ws.redisCacheConfigs();
    const prefix = configs.length ? cachePrefix(configs, text) : null;
    for (const u of annotatedUses(file, prefix, (e) => text(e, file))) {
      const at: Expr = { k: 'other', span: u.span, text: file.file };
      const recv: Receiver = { kind: 'client', client: { library: 'spring-data-redis', mode: 'unknown', evidence: 'a Spring annotation' } };
      this.receiverText = `@${u.annotation}`;
      this.addUse(at, { t: 'str', segs: u.segments }, ctxFor(this.ws, file, 'module', u.span.start), recv, u.command, u.access, null);
    }
  }

  /** Celery and django-redis configured by settings: a 'framework' group each, judged by rules/framework.ts with the deployment target. */
  private frameworkSettings(file: FileFacts): void {
    for (const s of settingsSites(file)) {
      const id = `${file.file}#setting${s.span.start}`;
      this.made.set(id, 'ensure');
      const mode = s.evidence.kind === 'redis-url' ? 'unknown' : 'cluster';
      this.out.groupOps.push({ op: 'ensure', group: { id, kind: 'framework', file: file.file, span: s.span, library: 'redis-py', mode, framework: { name: s.framework, what: s.what, evidence: s.evidence } } });
    }
  }

  /** Appends a site's recorded output, if the groups it made are still first made by it (else it is interpreted again). */
  private replay(r: SiteRecord, call: CallExpr, file: FileFacts): boolean {
    if (r.made.length) {
      const now = new Map<string, 'create' | 'ensure'>();
      for (const [id, op, appended] of r.made) {
        const state = now.get(id) ?? this.made.get(id);
        const would = op === 'create' ? state === undefined : state !== 'ensure';
        if (would !== appended) return false;
        if (appended) now.set(id, op);
      }
      for (const [id, op] of now) this.made.set(id, op);
    }
    this.values.addDeps(r);
    const out = this.out;
    for (const x of r.uses) out.uses.push(x);
    for (const x of r.waits) out.waits.push(x);
    for (const x of r.flowCalls) out.flowCalls.push(x);
    for (const x of r.groupOps) out.groupOps.push(x);
    let kept = r;
    if (r.scripts.length) {
      // the scripts' Lua is read from this version of the file's facts
      const scripts: ScriptSource[] = [];
      for (const x of r.scripts) scripts.push(x.file.file === file.file ? Object.assign({}, x, { file }) : x);
      for (const x of scripts) out.scripts.push(x);
      kept = Object.assign({}, r, { scripts });
    }
    this.records?.set(call, kept);
    return true;
  }

  /** Records a call to a workspace function (`save(k)`, `self.save(k)`, `this.save(k)`) for flows that span functions. */
  private flowCall(call: CallExpr, ctx: Ctx): void {
    const c = call.callee;
    const name = c.k === 'name' ? c.name : c.k === 'attr' && c.object.k === 'name' && /^(self|this|cls)$/.test(c.object.name) ? c.name : undefined;
    if (!name || ctx.file.language === 'lua' || ctx.file.language === 'redis') return;
    const target = this.ws.func(name, ctx.file);
    if (!target) return;
    const params = target.f.params.filter((p) => !/^(self|cls)$/.test(p.name));
    const args = new Map<string, Segment[]>();
    params.forEach((p, i) => {
      const a = call.kwargs[p.name] ?? call.args[i];
      if (a) args.set(p.name, asSegments(evaluate(a, ctx), a, ctx));
    });
    this.out.flowCalls.push({ file: ctx.file.file, flow: flowOf(ctx), span: call.span, callee: `${target.file.file}#${target.f.scope}`, name, args });
  }

  private call(original: CallExpr, ctx: Ctx, libs: Profile[]): void {
    if (ctx.file.language === 'lua') return this.luaCall(original, ctx);
    if (ctx.file.language === 'redis') return this.redisCliCall(original, ctx);
    if (stubbedCall(original, ctx)) return;
    const call = plainCall(original);
    const callee = call.callee;
    if ((call.isNew || ctx.file.language === 'python' || ctx.file.language === 'kotlin') && this.frameworkCall(call, ctx)) return;
    const script = this.pyScript(call, ctx);
    if (script) {
      this.receiverText = callee.text;
      this.pyScriptCall(script, call, ctx);
      return;
    }
    if (callee.k !== 'attr') return this.wrapperCall(call, ctx);
    this.scriptDefinition(call, ctx, libs);
    // only a method that can send a command asks what its receiver is
    let recv = this.mayCommand(callee.name, ctx.file.language) ? this.receiver(callee.object, ctx) : null;
    // a Spring method name (`increment`, `put`) on another library's client is a project wrapper's method
    if (recv && recv.client.library !== 'spring-data-redis' && !this.mayCommand(callee.name)) recv = null;
    if (!recv) return this.wrapperCall(call, ctx);
    // r[k], r[k] = v, del r[k], k in r: redis-py's own, unless the object's class defines them (a
    // project container); and only on a client the code shows being made, never on a guess
    if (/^__\w+__$/.test(callee.name)) {
      if (this.values.functionsCalled(call, ctx).length) return this.wrapperCall(call, ctx);
      if (recv.kind !== 'client' || recv.client.confidence) return;
    }
    this.receiverText = receiverName(callee.object);
    // Lettuce `cmd.multi(); cmd.set(…); cmd.exec();` and redigo `conn.Send("MULTI"); conn.Send("SET", …); conn.Do("EXEC")`
    // queue on the connection until EXEC
    // and Spring's `operations.multi(); operations.opsForValue().set(…); operations.exec();` in a SessionCallback
    const multiOn = recv.client.library === 'spring-data-redis' ? this.receiverText.replace(/\.(opsFor\w+|bound\w+Ops)\(\)$/, '') : this.receiverText;
    const open = recv.kind === 'client' && ['lettuce', 'redigo', 'spring-data-redis'].includes(recv.client.library) ? this.openMulti(ctx, multiOn, call.span.start) : undefined;
    if (open !== undefined && recv.kind === 'client')
      recv = { kind: 'pipeline', client: recv.client, groupKey: `${ctx.file.file}#multi@${open}`, groupKind: 'transaction', anchor: { k: 'other', span: { start: open, end: open }, text: 'multi()' } };
    this.method(recv, callee.name, call, ctx);
  }

  /** A registered redis-py script called like a function: `script(keys=[...], args=[...])`, `self._script([...], [...])`. */
  private pyScript(call: CallExpr, ctx: Ctx): Extract<Receiver, { kind: 'script' }> | null {
    const callee = call.callee;
    // (a script kept in a dict is called with whatever the caller hands on: `self._scripts[name](keys, args)`)
    if (ctx.file.language !== 'python' || (callee.k !== 'name' && callee.k !== 'attr' && callee.k !== 'index') || !(call.kwargs['keys'] || call.kwargs['args'] || call.args[0]?.k === 'list' || callee.k === 'index')) return null;
    const r = this.receiver(callee, ctx);
    return r?.kind === 'script' && r.client.library === 'redis-py' ? r : null;
  }

  /**
   * A call of a project function that sends commands with keys made from its parameters (a wrapper:
   * `locker.Obtain(ctx, "job:1", …)`, `self._eval_script("move", keys=[…])`, `queue.toKey(…)` helpers):
   * the keys are used here, where their text is known. The function is interpreted once per analysed
   * file (its summary: the uses over its parameters, with their groups and scripts), and each such
   * use is repeated at the call with the arguments in place of the parameters.
   */
  private wrapperCall(call: CallExpr, ctx: Ctx): void {
    if (this.summaryDepth >= MAX_WRAPPER_DEPTH) return;
    const called = call.callee.k === 'name' ? call.callee.name : call.callee.k === 'attr' ? call.callee.name : undefined;
    if (!called || !this.ws.definesFunction(called)) return;
    // a helper handed a test double (`LuaDeleteBatch(ctx, mockClient, keys)`) sends nothing to a server
    if (call.args.some((a) => this.values.isMockClient(a, ctx))) return;
    const defs = this.values.functionsCalled(call, ctx);
    const before = this.out.uses.length;
    for (const def of defs) this.wrapperCallOf(def, call, ctx);
    // overloads that may run (Kotlin extensions on two receiver types) use the same keys at this call once
    if (defs.length > 1) {
      const seen = new Set<string>();
      const added = this.out.uses.splice(before).filter((u) => {
        const k = `${u.span.start}|${u.command}|${patternText(u.pattern)}`;
        return !seen.has(k) && !!seen.add(k);
      });
      this.out.uses.push(...added);
    }
  }

  private wrapperCallOf(def: { file: FileFacts; f: FuncDef }, call: CallExpr, ctx: Ctx): void {
    if (def.f.params.length === 0 || !this.sendsCommands(def, 0)) return;
    const summary = this.summaryOf(def);
    if (!summary.uses.length) return;
    const scopeId = `${def.file.file}#${def.f.scope}`;
    const argOf = (param: string): Expr | undefined => {
      // a spread of a variadic parameter (`*keys`, `...keys`, `keys...`): what the caller passes from there on, as a list
      const variadic = /^(\*|\.\.\.)(\w+)$|^(\w+)\.\.\.$/.exec(param);
      const name = variadic ? (variadic[2] ?? variadic[3]) : param;
      const i = def.f.params.findIndex((p) => p.name === name);
      if (variadic && i >= 0) {
        const rest = call.args.slice(i);
        return rest.length && !rest.some((a) => a.k === 'spread') ? { k: 'list', items: rest, span: rest[0].span, text: rest.map((a) => a.text).join(', ') } : undefined;
      }
      return call.kwargs[param] ?? (i >= 0 ? call.args[i] : undefined);
    };
    const groups = new Map<string, string>();
    const name = calleeName(call.callee);
    const fields = this.receiverFields(def, call, ctx);
    const given: { u: KeyUse & { at?: Expr }; segs: Segment[]; first: Expr }[] = [];
    /** summary groups with a key that depends on what the call does not give: judged in the helper, not here */
    const partial = new Set<string>();
    /** summary groups with a key the helper writes whole (not in the call's group) */
    const ownKeys = new Set<string>();
    for (const u of this.expandLists(this.expandFields(summary.uses, scopeId, fields), scopeId, argOf, ctx)) {
      // queued on the caller's own pipeline: the helper's interpretation already put it in the caller's group
      if (u.perCall) continue;
      let first: Expr | undefined = u.at;
      // (a list item or the receiver object the use came from counts as what was passed)
      let passedOn = u.at === undefined || (u.at.k === 'name' && isParamName(u.at.name, ctx));
      const segs = u.pattern.segments.flatMap((s): Segment[] => {
        if (s.kind !== 'hole' || s.scope !== scopeId) return [s];
        const arg = argOf(s.expr);
        const field = arg ? undefined : paramField(s.expr, argOf, ctx, scopeId);
        const passed = arg ?? field?.arg;
        if (!passed || passed.k === 'spread') return [s];
        first ??= passed;
        if (!(passed.k === 'name' && isParamName(passed.name, ctx))) passedOn = false;
        // (the helper's text around its parameter stays where the helper writes it)
        return anchorEdges(asSegments(field ? field.value : evaluate(passed, ctx), passed, ctx), s.before, s.after);
      });
      // only keys the caller gives text to: the wrapper's own keys are reported where it writes them,
      // and a wrapper that only passes its own parameters on (`Obtain(key)` → `ObtainMulti([key])`) is plumbing, not a use
      if (!first || (this.summaryDepth === 0 && passedOn)) {
        // a key that depends on what the helper holds and the call does not give (another parameter's
        // field, a value of its own): the call cannot tell its slot; a key the helper writes whole is
        // the same at every call, and is left out of the call's group only where the others already conflict
        if (!first && u.group) (u.pattern.segments.some((x) => x.kind === 'hole' && x.scope === scopeId) ? partial : ownKeys).add(u.group);
        continue;
      }
      given.push({ u, segs, first });
    }
    for (const id of ownKeys) {
      if (partial.has(id)) continue;
      const members = given.filter((x) => x.u.group === id).map((x) => ({ ...x.u, hash: hashOfPattern({ segments: normalizeSegments(x.segs) }, this.opts.tagRule) }));
      if (slotVerdict(members).sameSlot !== 'no') partial.add(id);
    }
    for (const { u, segs, first } of given) {
      let group: string | null = null;
      // a group the call gives only some of the keys of would look whole here: it is not made at the call
      if (u.group && !partial.has(u.group)) {
        group = groups.get(u.group) ?? `${ctx.file.file}#call${call.id}>${u.group}`;
        if (!groups.has(u.group)) {
          groups.set(u.group, group);
          const g = summary.groups.get(u.group);
          // the script's own findings (undeclared keys) stay with the wrapper's call of it; here the keys must share a slot
          if (g) this.ensureGroup(group, g.kind, call, ctx, { kind: 'client', client: { library: g.library, mode: g.mode, evidence: name } }, g.command ?? u.command, undefined, undefined, u.group);
        }
      }
      const pattern = { segments: normalizeSegments(segs) };
      const { at: _at, ...use } = u;
      this.out.uses.push({
        ...use,
        file: ctx.file.file,
        span: first.span,
        language: ctx.file.language,
        pattern,
        hash: hashOfPattern(pattern, this.opts.tagRule),
        client: `${name}()`,
        group,
        perCall: undefined,
        wrapped: true,
        flow: flowOf(ctx),
        via: [{ what: `through \`${name}()\``, file: u.file, span: u.span }, ...(u.via ?? [])],
      });
    }
  }

  /**
   * What a method's receiver holds in its fields, when the code shows the object being built
   * (`lock, _ := locker.Obtain(ctx, "job:1")` returns `&Lock{keys: keys}`): `l.keys` in `lock.Release()`.
   */
  private receiverFields(def: { file: FileFacts; f: FuncDef }, call: CallExpr, ctx: Ctx): { self: string; object: Expr; value: () => Value | undefined } | undefined {
    if (call.callee.k !== 'attr' || !def.f.className) return undefined;
    const scope = def.file.scopes.get(def.f.scope);
    // Go's receiver and Python's self are the parameter before the call's arguments; JS and Java say `this`
    const self = scope && scope.params.length > def.f.params.length ? scope.params[0].name : 'this';
    const object = call.callee.object;
    let value: Value | undefined | null = null;
    return { self, object, value: () => (value === null ? (value = evaluate(object, ctx)) : value) };
  }

  /** Summary uses over the receiver's fields (`${l.keys}`) with the values the object was built with. */
  private expandFields(uses: KeyUse[], scopeId: string, fields: ReturnType<CallInterpreter['receiverFields']>): (KeyUse & { at?: Expr })[] {
    if (!fields) return uses;
    return uses.flatMap((u): (KeyUse & { at?: Expr })[] => {
      const only = u.pattern.segments.length === 1 ? u.pattern.segments[0] : undefined;
      if (only?.kind !== 'hole' || only.scope !== scopeId || !only.expr.startsWith(fields.self + '.')) return [u];
      const obj = fields.value();
      const field = only.expr.slice(fields.self.length + 1);
      const v = obj?.t === 'dict' ? obj.entries.find(([k]) => k.t === 'str' && k.segs.length === 1 && k.segs[0].kind === 'lit' && k.segs[0].text === field)?.[1] : undefined;
      if (!v) return [u];
      const values = v.t === 'list' ? v.items : [v];
      return values.map((item) => {
        const segments = normalizeSegments(item.t === 'str' ? item.segs : item.t === 'num' ? [{ kind: 'lit', text: String(item.n) }] : [only]);
        // the caller gave the key its text through the object: the use sits at the receiver
        return { ...u, pattern: { segments }, hash: hashOfPattern({ segments }, this.opts.tagRule), spread: undefined, at: fields.object };
      });
    });
  }

  /**
   * A summary's use of a whole parameter that the caller gives a list (`keys` handed to a script, `*keys` to DEL) stands for
   * each item of the list the caller passes (`[]string{key}`, `[a, b]`): one use per item, at the item.
   */
  private expandLists(uses: KeyUse[], scopeId: string, argOf: (param: string) => Expr | undefined, ctx: Ctx): (KeyUse & { at?: Expr })[] {
    return uses.flatMap((u): (KeyUse & { at?: Expr })[] => {
      const only = u.pattern.segments.length === 1 ? u.pattern.segments[0] : undefined;
      if (only?.kind !== 'hole' || only.scope !== scopeId) return [u];
      const arg = argOf(only.expr);
      const v = arg && arg.k !== 'spread' ? evaluate(arg, ctx) : undefined;
      if (!arg || v?.t !== 'list') return [u];
      return v.items.map((item, i) => {
        const at = arg.k === 'list' ? (arg.items[i] ?? arg) : arg;
        const pattern = { segments: normalizeSegments(asSegments(item, at, ctx)) };
        return { ...u, pattern, hash: hashOfPattern(pattern, this.opts.tagRule), spread: undefined, at };
      });
    });
  }

  /** Whether a function (or one it calls, a few levels down) calls a method that can send a command: only those get a summary. */
  private sendsCommands(def: { file: FileFacts; f: FuncDef }, depth: number): boolean {
    // memoised per analysed file; a later site that uses the answer depends on what it looked up too
    const key = `sends:${def.file.file}#${def.f.scope}`;
    const known = this.sends.get(def.f);
    if (known !== undefined) {
      const d = this.values.memoDeps.get(key);
      if (d) this.values.addDeps(d);
      return known;
    }
    this.sends.set(def.f, false);
    const yes = this.values.tracked(key, () => {
      for (const site of callsWithin(def.file, def.f.scope)) {
        const c = site.call;
        const name = c.callee.k === 'attr' ? c.callee.name : c.callee.k === 'name' ? c.callee.name : undefined;
        if (!name) continue;
        if ((c.callee.k === 'attr' && this.mayCommand(name, def.file.language)) || (def.file.language === 'lua' && /^(call|pcall)$/.test(name))) return true;
        if (this.pyScript(plainCall(c), ctxFor(this.ws, def.file, site.scope, c.span.start))) return true;
        if (depth < MAX_WRAPPER_DEPTH && this.ws.definesFunction(name)) {
          const inner = this.values.functionCalled(c, ctxFor(this.ws, def.file, site.scope, c.span.start));
          if (inner && inner.f !== def.f && this.sendsCommands(inner, depth + 1)) return true;
        }
      }
      return false;
    });
    this.sends.set(def.f, yes);
    return yes;
  }

  /** What interpreting a function's own calls produces: its uses (over its parameters or not), groups and scripts. */
  private summaryOf(def: { file: FileFacts; f: FuncDef }): Summary {
    const memo = this.summaries.get(def.f);
    if (memo) {
      const d = this.values.memoDeps.get(def.f);
      if (d) this.values.addDeps(d);
      return memo;
    }
    const empty: Summary = { uses: [], groups: new Map() };
    this.summaries.set(def.f, empty); // recursion: a function that calls itself adds nothing more
    const summary = this.values.tracked(def.f, () => {
      this.ws.reads?.files.add(def.file.file);
      const saved = { out: this.out, made: this.made, checks: this.checks, receiverText: this.receiverText };
      this.out = emptyOutput();
      this.made = new Map();
      this.checks = undefined;
      this.summaryDepth++;
      try {
        const libs = librariesOf(def.file);
        for (const site of callsWithin(def.file, def.f.scope)) {
          try {
            this.call(site.call, ctxFor(this.ws, def.file, site.scope, site.call.span.start), libs);
          } catch (err) {
            if (process.env.KEYSLOT_DEBUG) console.error(`keyslot: summary of ${def.f.name}: ${(err as Error).stack}`);
          }
        }
        const groups = new Map<string, Group>();
        applyGroupOps(groups, this.out.groupOps);
        return { uses: this.out.uses, groups };
      } finally {
        this.summaryDepth--;
        this.out = saved.out;
        this.made = saved.made;
        this.checks = saved.checks;
        this.receiverText = saved.receiverText;
      }
    });
    this.summaries.set(def.f, summary);
    return summary;
  }

  /** Whether a method of this name can send a command on some Redis value (a command, an alias, a generic executor, a script run …). */
  private mayCommand(method: string, language?: Language): boolean {
    if (this.definedCommands.has(method)) return true;
    // Spring Data Redis names its methods for what they do (`opsForHash().entries(k)`)
    if ((language === 'java' || language === 'kotlin') && SPRING_METHODS.has(springMethod(method))) return true;
    let known = COMMAND_METHODS.get(method);
    if (known === undefined) {
      known = isKnownCommand(method.replace(/Buffer$/, '').toLowerCase()) || METHODS_NOT_COMMANDS.test(method) || PROFILE_METHODS.has(method) || GENERIC_METHODS.test(method);
      COMMAND_METHODS.set(method, known);
    }
    return known;
  }

  /** The offset of the `X.multi()` before `at` in the same function with no `X.exec()`/`discard()` between. */
  private openMulti(ctx: Ctx, receiver: string, at: number): number | undefined {
    let open: number | undefined;
    // `multi()`, or the command sent by name (`Do("MULTI")`, `Send("MULTI")`)
    for (const site of ctx.file.calls) {
      const c = site.call;
      if (site.scope !== ctx.scope || c.span.start >= at || c.callee.k !== 'attr' || receiverName(c.callee.object) !== receiver) continue;
      const first = c.args[0];
      const name = (/^(Do|Send)$/.test(c.callee.name) && first?.k === 'str' ? first.value : c.callee.name).toLowerCase();
      if (name === 'multi') open = c.span.start;
      else if (name === 'exec' || name === 'discard') open = undefined;
    }
    return open;
  }

  /** Lua source handed to a script definer is analysed as Lua. */
  private scriptDefinition(call: CallExpr, ctx: Ctx, libs: Profile[]): void {
    const callee = call.callee as Extract<Expr, { k: 'attr' }>;
    const name = callee.name;
    if (name === 'register_script' && libs.some((l) => l.library === 'redis-py') && call.args[0]) this.out.scripts.push({ expr: call.args[0], file: ctx.file, scope: ctx.scope, library: 'redis-py' });
    // go-redis NewScript(src); redigo NewScript(keyCount, src)
    if (name === 'NewScript' && callee.object.k === 'name' && callee.object.name === 'redis' && call.args[0])
      this.out.scripts.push(call.args.length === 2 ? { expr: call.args[1], file: ctx.file, scope: ctx.scope, library: 'redigo' } : { expr: call.args[0], file: ctx.file, scope: ctx.scope, library: 'go-redis' });
    if (name === 'defineScript' || (callee.object.k === 'name' && /^(SCRIPT|lua)$/.test(name))) {
      const o = call.args[0];
      const src = o?.k === 'dict' ? o.entries.find(([k]) => keyName(k) === 'SCRIPT')?.[1] : undefined;
      if (src) this.out.scripts.push({ expr: src, file: ctx.file, scope: ctx.scope, library: 'node-redis' });
    }
  }

  receiver(e: Expr, ctx: Ctx): Receiver | null {
    return this.values.receiver(e, ctx);
  }

  private method(recv: Receiver, method: string, call: CallExpr, ctx: Ctx): void {
    const lib = recv.client.library;
    const profile = PROFILE_BY_LIBRARY.get(lib)!;
    if (recv.kind === 'script') return this.scriptRun(recv, method, call, ctx);
    if (recv.kind === 'pipeline' && method === 'execAsPipeline') {
      this.out.groupOps.push({ op: 'pipeline', id: recv.groupKey });
      return;
    }
    if (this.definedCommands.has(method)) return this.definedCommandCall(recv, method, call, ctx);
    // Jedis: jedis.executeCommandToReplica(commandObjects.get(key)) sends that one command to a replica
    const inner = call.args[0];
    if (lib === 'jedis' && method === 'executeCommandToReplica' && inner?.k === 'call' && inner.callee.k === 'attr' && isKnownCommand(inner.callee.name.toLowerCase())) {
      this.toReplica = true;
      try {
        this.commandCall(recv, inner.callee.name.toLowerCase(), inner.args, call, ctx, profile.layout);
      } finally {
        this.toReplica = false;
      }
      return;
    }
    if (lib === 'redisson' && REDISSON_OBJECT_GETTERS.test(method) && call.args[0]) {
      // the object's own operation says read or write: getBucket(k).set(v), getBucket(k).get()
      const op = this.chainedMethod.get(call);
      const access = op && REDISSON_WRITES.test(op) ? 'write' : op && REDISSON_READS.test(op) ? 'read' : 'unknown';
      this.addUse(call.args[0], evaluate(call.args[0], ctx), ctx, recv, op ? `${method}.${op}` : method, access, this.pipelineGroup(recv, ctx));
      return;
    }
    if (lib === 'redisson' && REDISSON_EXECUTOR.test(method)) return this.redissonExecutorCall(recv, method, call, ctx);
    if (lib === 'spring-data-redis' && recv.client.spring?.ops !== 'connection') return this.springCall(recv, springMethod(method), call, ctx);
    if (lib === 'rueidis') return this.rueidisCall(recv, method, call, ctx);
    // an executor sends only through those (its get(future) waits for a reply)
    if (lib === 'redisson' && /^Command(Async|Sync)?(Executor|Service)$/.test(recv.client.evidence)) return;
    // go-redis takes a context first; a wrapper that mirrors its methods without one (`c.SMembers(key)`) does not
    const skip = profile.skipFirstArg === true ? recv.client.confidence === undefined || looksLikeContext(call.args[0]) : !!profile.skipFirstArg && profile.skipFirstArg.includes(ctx.file.language) && looksLikeContext(call.args[0]);
    let args = skip ? call.args.slice(1) : call.args;
    if (lib === 'redis-py') args = withKeywordKeys(args, call.kwargs, REDIS_PY_KEY_PARAMS);
    if (lib === 'valkey-glide') {
      if (/^(invoke_script|invokeScript|InvokeScript|InvokeScriptWithOptions)$/.test(method)) return this.glideScript(recv, call, ctx, args);
      args = withKeywordKeys(args, call.kwargs, GLIDE_KEY_PARAMS);
    }
    const form = profile.argumentForms?.[method];
    if (form) return this.commandCall(recv, form.command, reshape(form, args, call, ctx), call, ctx, form.timeout ? profile.layout : 'verbatim');
    let command: string;
    if (profile.genericMethods.test(method)) {
      // sendCommand([...]) and node-redis cluster sendCommand(firstKey, isReadonly, [...]): the array is the line
      const lineArg = [...args].reverse().find((a) => a.k === 'list');
      if (lineArg && lineArg.k === 'list') args = lineArg.items;
      const name = args[0] ? evaluateExactly(args[0], ctx) : undefined;
      if (!name || name.t !== 'str' || name.segs.some((s) => s.kind === 'hole')) return;
      command = name.segs.map((s) => (s.kind === 'lit' ? s.text : '')).join('');
      args = args.slice(1);
      this.commandCall(recv, command, args, call, ctx, 'verbatim');
      return;
    }
    // Python clients name every command in lower case: `db.Set(key)` is a project method (walrus's container factory), not SET
    if (ctx.file.language === 'python' && !profile.aliases?.[method] && method !== method.toLowerCase()) return;
    const base = profile.aliases?.[method] ?? method.replace(/Buffer$/, '').toLowerCase();
    if (!isKnownCommand(base)) return;
    const split = lib === 'redis-py' && /_nonatomic$/.test(method);
    // node-redis v4 `eval(script, { keys: […], arguments: […] })`, whatever client the file was taken to use
    const layout = /^eval/.test(base) && args[1]?.k === 'dict' ? 'idiomatic' : profile.layout;
    this.commandCall(recv, base, args, call, ctx, layout, split);
  }

  /**
   * Redisson's CommandAsyncExecutor: `writeAsync(key, codec, RedisCommands.SET, key, value, "PX", ms)`,
   * `evalWriteAsync(key, codec, RedisCommands.EVAL_BOOLEAN, script, keys, params…)`. The command is the
   * RedisCommand constant's name (`DEL_VOID` is DEL) or the name a project's `new RedisStrictCommand<>("SET")` gives.
   */
  private redissonExecutorCall(recv: Receiver, method: string, call: CallExpr, ctx: Ctx): void {
    // (key, codec, command, …) or, without a codec, (key, command, …)
    const commandOf = (e: Expr | undefined): string | undefined => {
      let name: string | undefined;
      if (e?.k === 'attr') name = e.name.split('_')[0];
      else if (e?.k === 'name') {
        // a class constant (Java fields are visible by their bare name): `new RedisStrictCommand<>("SET", …)`
        const b = lookupName(e.name, ctx);
        const made = b && 'binding' in b ? b.binding.value : undefined;
        const first = made?.k === 'call' ? made.args[0] : undefined;
        name = first?.k === 'str' ? first.value.split(' ')[0] : undefined;
      }
      return name && isKnownCommand(name.toLowerCase()) ? name.toLowerCase() : undefined;
    };
    const at = commandOf(call.args[1]) ? 1 : 2;
    const command = commandOf(call.args[at]);
    if (!command) return;
    if (/^eval/.test(method)) {
      // eval line: script, numkeys, keys…, args…
      const keys = listItems(call.args[at + 2], ctx);
      if (!keys) return;
      const line: Expr[] = [call.args[at + 1] ?? call.args[at], { k: 'num', value: keys.length, span: call.callee.span, text: String(keys.length) }, ...keys, ...call.args.slice(at + 3)];
      return this.commandCall(recv, command === 'evalsha' ? 'evalsha' : 'eval', line, call, ctx, 'verbatim');
    }
    if (!isKnownCommand(command)) return;
    this.commandCall(recv, command, call.args.slice(at + 1), call, ctx, 'verbatim');
  }

  /**
   * The client a factory function returns (Bull's `createClient: (type) => …`): the first of its
   * returns that is a Redis client, read in the function's own scope.
   */
  private madeBy(factory: Expr, ctx: Ctx): Receiver | null {
    // an arrow function written there or in a variable, or a function declared in the file (`{ createClient }`)
    const fn = factory.k === 'name' ? bindingValue(factory, ctx) : factory;
    const def =
      fn?.k === 'func' ? ctx.file.functions.find((f) => f.scope === fn.scope) : factory.k === 'name' ? ctx.file.functions.find((f) => f.name === factory.name && !f.className) : undefined;
    for (const r of def?.returns ?? []) {
      const recv = this.receiver(r, { ...ctx, scope: def!.scope, pos: r.span.start });
      if (recv) return recv;
    }
    return null;
  }

  /**
   * A framework's constructor on a cluster connection (`new Queue('email', { connection: cluster })`):
   * a 'framework' group over the keys it will use together, judged by rules/framework.ts.
   */
  private frameworkCall(call: CallExpr, ctx: Ctx): boolean {
    const site = frameworkSite(call, ctx.file, (e) => (e.k === 'name' ? bindingValue(e, ctx) : undefined));
    if (!site) return false;
    const recv = site.connection ? this.receiver(site.connection, ctx) : site.clientFactory ? this.madeBy(site.clientFactory, ctx) : null;
    // only a cluster connection is judged: the same queue on one server is fine
    if (!recv || recv.client.mode !== 'cluster') return true;
    this.receiverText = receiverName(site.connection ?? site.clientFactory!);
    const id = `${ctx.file.file}#call${call.id}`;
    const queue = site.name ? evaluate(site.name, ctx) : undefined;
    this.made.set(id, 'ensure');
    this.out.groupOps.push({
      op: 'ensure',
      group: {
        id,
        kind: 'framework',
        file: ctx.file.file,
        span: call.span,
        library: recv.client.library,
        mode: recv.client.mode,
        command: 'evalsha',
        framework: { name: site.framework, what: site.what, queue: site.name?.text, prefixFix: prefixFix(site, site.name?.k === 'str' && /^['"]/.test(site.name.text) ? site.name.text[0] : '"') },
      },
    });
    if (site.framework === 'rq' || !site.name || queue?.t !== 'str') return true;
    const prefix = site.prefix ? evaluate(site.prefix, ctx) : undefined;
    const prefixSegs: Segment[] = prefix?.t === 'str' ? prefix.segs : [{ kind: 'lit', text: BULLMQ_PREFIX }];
    for (const suffix of site.framework === 'bull' ? BULL_QUEUE_KEYS : BULLMQ_QUEUE_KEYS) {
      const key: Value = { t: 'str', segs: [...prefixSegs, { kind: 'lit', text: ':' }, ...queue.segs, { kind: 'lit', text: `:${suffix}` }] };
      this.addUse(site.name, key, ctx, recv, 'evalsha', 'write', id);
    }
    return true;
  }

  /**
   * rueidis / valkey-go: `Do(ctx, cmd)`, `DoCache(ctx, cmd, ttl)` send one built command;
   * `DoMulti(ctx, cmds…)` several, as one pipeline (a transaction when they start with MULTI).
   */
  private rueidisCall(recv: Receiver, method: string, call: CallExpr, ctx: Ctx): void {
    if (!RUEIDIS_SENDS.test(method)) return;
    const multi = /Multi/.test(method);
    // Do(ctx, cmd[, ttl]); DoMulti(ctx, cmds…); DoMultiCache(ctx, rueidis.CT(cmd, ttl)…)
    const cmds = multi ? call.args.slice(1) : call.args.slice(1, 2);
    const built = cmds.map((a) => rueidisLine(a.k === 'call' && a.callee.k === 'attr' && a.callee.name === 'CT' && a.args[0] ? a.args[0] : a, ctx)).filter((x): x is RueidisLine => !!x);
    if (!multi) {
      if (built[0]) this.commandCall(recv, built[0].command, built[0].line, call, ctx, 'verbatim');
      return;
    }
    const transaction = built[0]?.command === 'multi';
    const group: Receiver = { kind: 'pipeline', client: recv.client, groupKey: `${ctx.file.file}#call${call.id}`, groupKind: transaction ? 'transaction' : 'pipeline', anchor: call };
    for (const b of built) if (!/^(multi|exec|discard)$/.test(b.command)) this.commandCall(group, b.command, b.line, call, ctx, 'verbatim');
  }

  /**
   * Valkey GLIDE: `invoke_script(Script(lua), keys=[…], args=[…])` (Python) and
   * `invokeScript(script, { keys: […], args: […] })` (Node) and `invokeScript(script, options)` with
   * `ScriptOptions.builder().key(k)….build()` (Java): EVALSHA of the script with those keys, its
   * Lua analysed when the code shows it (`Script(src)` in place, in a variable or a field set in the constructor).
   */
  private glideScript(recv: Receiver, call: CallExpr, ctx: Ctx, args: Expr[]): void {
    const script = call.kwargs['script'] ?? args[0];
    const options = args[1]?.k === 'dict' ? args[1] : undefined;
    // (Go: `options.ScriptOptions{Keys: …}`)
    const keys = call.kwargs['keys'] ?? options?.entries.find(([k]) => /^keys$/i.test(keyName(k) ?? ''))?.[1] ?? (options ? undefined : args[1]);
    if (!script || !keys) return;
    const source = this.glideScriptSource(script, ctx);
    const { keyArgs, count } = scriptKeys(keys, call, ctx);
    this.commandCall(recv, source ? 'eval' : 'evalsha', [source ?? script, count, ...keyArgs], call, ctx, 'verbatim');
  }

  /** The Lua of a GLIDE `Script(src)`: in place, through a variable, or a `self.x` / `this.x` field set in this file. */
  private glideScriptSource(e: Expr, ctx: Ctx, depth = 0): Expr | undefined {
    if (depth > 3) return undefined;
    if (e.k === 'call' && /^(Script|glide\.Script|options\.NewScript)$/.test(calleeText(e.callee) ?? '') && e.args[0]) return evaluate(e.args[0], ctx).t === 'str' ? e.args[0] : undefined;
    const bound = e.k === 'name' ? bindingValue(e, ctx) : e.k === 'attr' && e.object.k === 'name' && /^(self|this)$/.test(e.object.name) ? ctx.file.bindings.find((b) => b.kind === 'attr' && b.name === e.name)?.value : undefined;
    return bound ? this.glideScriptSource(bound, ctx, depth + 1) : undefined;
  }

  /**
   * Spring Data Redis: a template or view method (clients/spring.ts says which command and where its
   * keys go); a bound view's key is its argument 0. A key bound in another function is evaluated
   * there and used here, at the call.
   */
  private springCall(recv: Receiver, method: string, call: CallExpr, ctx: Ctx): void {
    const view = recv.client.spring;
    if (!view && method === 'execute') return this.springScript(recv, call, ctx);
    const known = new Map<Expr, Value>();
    let args = call.args;
    // a bound view's key is used where its method is called (the line that sends the command)
    const at = { start: call.callee.span.end - method.length, end: call.callee.span.end };
    if (view?.bound === null) args = [{ k: 'other', span: at, text: '?' }, ...args];
    else if (view?.bound) {
      const key: Expr = { k: 'other', span: at, text: view.bound.text };
      known.set(key, evaluate(view.bound, view.boundCtx ?? ctx));
      args = [key, ...args];
    }
    // the bound key's own expiry, unless a hash view's fields are given (HEXPIRE)
    const keyLevel = view?.bound !== undefined && !(view.ops === 'hash' && args.length > 2 && LIST_TYPE.test(declaredType(args[args.length - 1], ctx) ?? ''));
    let form = springForm(view?.ops === 'connection' ? 'template' : (view?.ops ?? 'template'), method, args.length, keyLevel);
    if (!form) return;
    // ReactiveRedisTemplate.expire(key, Duration) sends EXPIRE for whole seconds (PEXPIRE otherwise)
    if (!view && form[0] === 'pexpire' && /^Reactive/.test(recv.client.evidence)) form = ['expire', ...form.slice(1)];
    const unknown: Expr = { k: 'other', span: call.callee.span, text: '?' };
    const line: Expr[] = [];
    let numkeysAt = -1;
    for (const token of form.slice(1)) {
      if (token === '#') numkeysAt = line.push(unknown) - 1;
      else if (token === '_') line.push(unknown);
      else if (/^[A-Z]+$/.test(token)) line.push({ k: 'str', value: token, span: call.callee.span, text: token });
      else if (token.startsWith('...')) line.push(...args.slice(Number(token.slice(3))));
      else {
        const a = args[Number(token.replace('*', ''))];
        if (!a) continue;
        // a list written in place is its keys (counted as such for a numkeys command)
        const written = token.startsWith('*') ? listItems(a, ctx) : undefined;
        if (written) {
          line.push(...written);
          continue;
        }
        // `union(key, otherKey)` or `union(key, otherKeys)`: a collection stands for its keys
        const type = declaredType(a, ctx);
        const many = token.startsWith('*') && (known.get(a) ?? evaluate(a, ctx)).t !== 'list' && ((type !== undefined && !/^(String|K|byte\[\])$/.test(type)) || (a.k === 'call' && COLLECTION_CALL.test(calleeText(a.callee) ?? '')));
        line.push(many ? { k: 'spread', value: a, span: a.span, text: a.text } : a);
      }
    }
    if (numkeysAt >= 0) line[numkeysAt] = { k: 'num', value: line.length - numkeysAt - 1, span: call.callee.span, text: String(line.length - numkeysAt - 1) };
    this.commandCall(recv, form[0], line, call, ctx, 'verbatim', false, known);
  }

  /**
   * `template.execute(script, keys, args…)`: EVALSHA of the script's SHA (EVAL when the server lacks it),
   * with the keys list. The Lua is analysed when the code shows it: `RedisScript.of(lua, …)`,
   * `new DefaultRedisScript<>(lua, …)`.
   */
  private springScript(recv: Receiver, call: CallExpr, ctx: Ctx): void {
    const [script, keys, ...rest] = call.args;
    if (!script || !keys) return;
    const source = this.springScriptSource(script, ctx);
    const { keyArgs, count } = scriptKeys(keys, call, ctx);
    this.commandCall(recv, source ? 'eval' : 'evalsha', [source ?? script, count, ...keyArgs, ...rest], call, ctx, 'verbatim');
  }

  /** The Lua source of a script object: `RedisScript.of(src, T)`, `new DefaultRedisScript<>(src, T)`, through a variable or field. */
  private springScriptSource(e: Expr, ctx: Ctx, depth = 0): Expr | undefined {
    if (depth > 3) return undefined;
    if (e.k === 'call' && /(^|\.)(RedisScript\.of|DefaultRedisScript)$/.test(calleeText(e.callee) ?? '') && e.args[0]) {
      const src = evaluate(e.args[0], ctx);
      return src.t === 'str' && src.segs.some((s) => s.kind === 'lit' && /redis\.p?call|KEYS\[/i.test(s.text)) ? e.args[0] : undefined;
    }
    if (e.k === 'name') {
      const b = lookupName(e.name, ctx);
      if (b && 'binding' in b && b.binding.value && b.file === ctx.file) return this.springScriptSource(b.binding.value, { ...ctx, file: b.file, scope: b.binding.scope, pos: b.binding.pos }, depth + 1);
    }
    return undefined;
  }

  /** Maps a command call's arguments onto the command line and records a use per key position. */
  private commandCall(recv: Receiver, command: string, args: Expr[], call: CallExpr, ctx: Ctx, layout: 'verbatim' | 'idiomatic', split = false, known?: Map<Expr, Value>): void {
    const items: LineItem[] = [];
    // Lettuce's and Redisson's output-type enums sit among a script call's arguments
    const rawArgs = args.filter((a, i) => a.k !== 'func' && !OUTPUT_TYPE.test(a.text) && !OUTPUT_TYPE.test(declaredType(a, ctx) ?? '') && !(i === args.length - 1 && isCallback(a, ctx)));
    const numkeysAt = layout === 'idiomatic' ? numkeysIndex(command) : undefined;
    rawArgs.forEach((a, i) => {
      const v = known?.get(a) ?? evaluate(a, ctx);
      // idiomatic clients take the keys of a numkeys command as one list and count it themselves
      if (numkeysAt !== undefined && i + 1 === numkeysAt && !isNumeric(v)) {
        const type = declaredType(a, ctx);
        // a count the code works out (Jedis `eval(script, keyCount, params…)`, `len(keys)`): how many of the rest
        // are keys is not known, only that the first is (taken alone, so no slot is claimed for the others)
        if ((type && COUNT_TYPE.test(type)) || (a.k === 'call' && COUNT_CALL.test(a.callee.text))) {
          items.push({ value: { t: 'num', n: 1 }, expr: a });
          return;
        }
        // a mapping of key to weight (redis-py `zunionstore(dest, {"a": 2, "b": 3})`): its keys are the keys
        const lists = v.t === 'dict' && a.k === 'dict' && !v.entries.some(([k]) => k.t === 'str' && /^keys$/i.test(segText(k))) ? v.entries.flatMap(([k], j) => flatten(a.entries[j]?.[0] ?? a, k, layout)) : flatten(a, v, layout);
        // the keys as one list argument: go-redis `keys []string`, Lettuce `K[] keys`, Jedis `List<String> keys`,
        // and every Valkey GLIDE client (`fcall(name, keys, args)`, in every language); what follows are the
        // script's arguments, not keys
        const oneList = a.k === 'spread' || v.t === 'list' || v.t === 'dict' || ctx.file.language === 'go' || recv.client.library === 'valkey-glide' || (type !== undefined && LIST_TYPE.test(type));
        if (oneList && v.t !== 'list' && v.t !== 'dict' && lists.length === 1) lists[0].many = true;
        // (one item per key position: a list whose length is unknown is one item that stands for many)
        const count = oneList ? lists.length : rawArgs.length - i;
        items.push({ value: { t: 'num', n: count }, expr: a });
        if (!oneList && lists.some((l) => l.many)) items[items.length - 1].unknown = true;
        items.push(...lists);
        return;
      }
      items.push(...flatten(a, v, layout));
    });
    const line: (string | null)[] = [command, ...items.map((it) => (it.unknown ? null : literalText(it.value)))];
    const keys = commandKeys(line);
    if (!keys) return;
    if (keys.command === 'wait' || keys.command === 'waitaof') {
      this.out.waits.push({ file: ctx.file.file, flow: flowOf(ctx), offset: call.span.start, client: this.receiverText, mode: recv.client.mode });
      return;
    }
    const pipeline = this.pipelineGroup(recv, ctx);
    let group = pipeline;
    // a list spread into a command that names one key (HMGET key field…) gives it its first member only
    const oneKey = maxKeyCount(keys.command) === 1;
    const keyItems = keys.keys.map((k) => ({ ref: k, item: items[k.argIndex - 1] })).filter((x) => x.item).map((x) => (oneKey && x.item.many ? { ...x, item: { ...x.item, many: false } } : x));
    const multi = keyItems.length > 1 || keyItems.some((x) => x.item.many);
    const isScript = /^(eval|evalsha|eval_ro|evalsha_ro|fcall|fcall_ro)$/.test(keys.command);
    if (multi || isScript || keys.command === 'watch') {
      const id = `${ctx.file.file}#call${call.id}`;
      const kind: GroupKind = isScript ? 'script' : keys.command === 'watch' ? 'watch' : 'command';
      this.ensureGroup(id, kind, call, ctx, recv, keys.command, pipeline ?? undefined, split);
      group = id;
      if (isScript && items[0] && /^eval(_ro)?$/.test(keys.command)) this.out.scripts.push({ expr: items[0].expr, file: ctx.file, scope: ctx.scope, library: recv.client.library, group: group });
    }
    for (const { ref, item } of keyItems) this.addUse(item.expr, item.value, ctx, recv, keys.command, ref.access, group, item.many);
  }

  private pipelineGroup(recv: Receiver, ctx: Ctx): string | null {
    if (recv.kind !== 'pipeline') return null;
    const id = recv.groupKey;
    this.checks?.push([id, 'create', !this.made.has(id)]);
    if (!this.made.has(id)) {
      this.made.set(id, 'create');
      this.out.groupOps.push({ op: 'create', group: { id, kind: recv.groupKind, file: ctx.file.file, span: recv.anchor.span, library: recv.client.library, mode: recv.client.mode } });
    }
    return id;
  }

  private ensureGroup(key: string, kind: GroupKind, call: CallExpr, ctx: Ctx, recv: Receiver, command: string, parent?: string, split?: boolean, repeats?: string): void {
    const id = key;
    this.checks?.push([id, 'ensure', this.made.get(id) !== 'ensure']);
    if (this.made.get(id) === 'ensure') return;
    this.made.set(id, 'ensure');
    this.out.groupOps.push({
      op: 'ensure',
      group: {
        id,
        kind,
        file: ctx.file.file,
        span: call.span,
        library: recv.client.library,
        mode: recv.client.mode,
        command,
        parent: parent && parent !== id ? parent : undefined,
        splitByClient: split || undefined,
        repeats,
      },
    });
  }

  private addUse(expr: Expr, value: Value, ctx: Ctx, recv: Receiver, command: string, access: KeyUse['access'], group: string | null, many?: boolean): void {
    const segs = normalizeSegments(asSegments(value, expr, ctx));
    const pattern = { segments: segs };
    this.out.uses.push({
      file: ctx.file.file,
      span: expr.span,
      language: ctx.file.language,
      command,
      access,
      pattern,
      hash: hashOfPattern(pattern, this.opts.tagRule),
      client: this.receiverText,
      library: recv.client.library,
      mode: recv.client.mode,
      group,
      spread: many || undefined,
      perCall: (recv.kind === 'pipeline' && recv.helper !== undefined && segs.some((s) => s.kind === 'hole' && s.scope === recv.helper)) || undefined,
      flow: flowOf(ctx),
      routing: this.toReplica ? { reads: 'replica', why: 'executeCommandToReplica sends this command to a replica' } : this.routing(recv.client, this.receiverText),
      via: recv.client.via,
      confidence: recv.client.confidence,
    });
  }

  private routing(c: ClientInfo, receiver: string): Routing {
    const marked = this.opts.replicaClients?.find((m) => receiver === m || receiver.endsWith('.' + m) || matchesText(c.options?.text ?? '', m));
    if (marked) return { reads: 'replica', why: `\`${marked}\` is listed in keyslot.replicaClients` };
    let r = this.routingMemo.get(c);
    // (while recording, a routing memoised without what it looked up is worked out again)
    if (r && (!this.ws.siteNames || this.values.memoDeps.has(c))) {
      const d = this.values.memoDeps.get(c);
      if (d) this.values.addDeps(d);
      return r;
    }
    this.routingMemo.set(c, (r = this.values.tracked(c, () => routingOf(c))));
    return r;
  }

  /** redis-py: script(keys=[...], args=[...]) on a register_script result. */
  private pyScriptCall(r: Extract<Receiver, { kind: 'script' }>, call: CallExpr, ctx: Ctx): void {
    const keysArg = call.kwargs['keys'] ?? call.args[0];
    if (!keysArg) return;
    this.scriptKeys(r, keysArg, call, ctx, 'evalsha');
  }

  /** go-redis: script.Run(ctx, client, keys, args...) */
  private scriptRun(r: Extract<Receiver, { kind: 'script' }>, method: string, call: CallExpr, ctx: Ctx): void {
    if (r.client.library === 'redigo') return this.redigoScriptRun(r, method, call, ctx);
    // go-redis Run(ctx, client, keys, args…); rueidis Exec(ctx, client, keys, args)
    if (!/^(Run|RunRO|Eval|EvalSha|EvalRO|EvalShaRO|Exec|ExecMulti)$/.test(method)) return;
    const client = call.args[1] ? this.receiver(call.args[1], ctx) : null;
    const keysArg = call.args[2];
    if (!keysArg) return;
    this.scriptKeys(client ? { ...r, client: client.client } : r, keysArg, call, ctx, 'evalsha');
  }

  /**
   * redigo: `script.Do(conn, keysAndArgs…)` (also Send, SendHash, DoContext(ctx, conn, …)): the first
   * keyCount arguments are the keys; a count the code works out (`len(keys)*2`) makes them a list of unknown length.
   */
  private redigoScriptRun(r: Extract<Receiver, { kind: 'script' }>, method: string, call: CallExpr, ctx: Ctx): void {
    if (!/^(Do|Send|SendHash|DoContext)$/.test(method)) return;
    const rest = call.args.slice(method === 'DoContext' ? 2 : 1);
    const n = r.numberOfKeys ?? -1;
    // keys and arguments often come as one list (`script.Do(conn, args...)`): the count is taken from its items,
    // up to the first whose length is not known
    let keys: ReturnType<typeof flatten>;
    if (n >= 0) {
      keys = [];
      for (const item of rest.flatMap((a) => flatten(a, evaluate(a, ctx), 'verbatim'))) {
        if (keys.length >= n) break;
        keys.push(item);
        if (item.many) break;
      }
    } else keys = rest.slice(0, 1).flatMap((a) => flatten(a.k === 'spread' ? a : ({ k: 'spread', value: a, span: a.span, text: a.text } as Expr), evaluate(a, ctx), 'verbatim'));
    if (!keys.length && n !== 0) return;
    const id = `${ctx.file.file}#call${call.id}`;
    this.ensureGroup(id, 'script', call, ctx, r, 'evalsha');
    this.out.scripts.push({ expr: r.source, file: ctx.file, scope: ctx.scope, library: 'redigo', group: id });
    for (const k of keys) this.addUse(k.expr, k.value, ctx, r, 'evalsha', 'unknown', id, k.many);
  }

  private definedCommandCall(recv: Receiver, method: string, call: CallExpr, ctx: Ctx): void {
    const def = this.definedCommands.get(method)!;
    const n = def.numberOfKeys;
    const items = call.args.flatMap((a) => flatten(a, evaluate(a, ctx), 'verbatim'));
    const keys = n === undefined ? items.slice(1, 1 + Number(literalText(items[0]?.value) ?? 0)) : items.slice(0, n);
    const id = `${ctx.file.file}#call${call.id}`;
    this.ensureGroup(`${ctx.file.file}#call${call.id}`, 'script', call, ctx, recv, 'evalsha', this.pipelineGroup(recv, ctx) ?? undefined);
    if (def.lua) this.out.scripts.push({ expr: def.lua, file: ctx.file, scope: ctx.scope, library: recv.client.library, group: id });
    for (const k of keys) this.addUse(k.expr, k.value, ctx, recv, 'evalsha', 'unknown', id, k.many);
  }

  private scriptKeys(r: Extract<Receiver, { kind: 'script' }>, keysArg: Expr, call: CallExpr, ctx: Ctx, command: string): void {
    const items = flatten(keysArg, evaluate(keysArg, ctx), 'idiomatic');
    const key = `${ctx.file.file}#call${call.id}`;
    this.ensureGroup(key, 'script', call, ctx, r, command);
    const id = key;
    this.out.scripts.push({ expr: r.source, file: ctx.file, scope: ctx.scope, library: r.client.library, group: id });
    for (const k of items) this.addUse(k.expr, k.value, ctx, r, command, 'unknown', id, k.many);
  }

  /** `.redis` lines: verbatim commands; lines between MULTI and EXEC are one transaction. */
  private redisCliCall(call: CallExpr, ctx: Ctx): void {
    const first = call.args[0];
    if (first?.k !== 'str') return;
    const client: ClientInfo = { library: 'redis-cli', mode: 'unknown', evidence: 'redis-cli' };
    const recv: Receiver = ctx.scope.startsWith('multi@')
      ? { kind: 'pipeline', client, groupKey: `${ctx.file.file}#${ctx.scope}`, groupKind: 'transaction', anchor: { k: 'other', span: ctx.file.scopes.get(ctx.scope)!.span, text: 'MULTI' } }
      : { kind: 'client', client };
    this.receiverText = 'redis-cli';
    this.commandCall(recv, first.value.toLowerCase(), call.args.slice(1), call, ctx, 'verbatim');
  }

  /** Lua: redis.call / redis.pcall with a literal command name. */
  private luaCall(call: CallExpr, ctx: Ctx): void {
    let c = call.callee;
    // `local rcall = redis.call` … `rcall('GET', KEYS[1])`
    if (c.k === 'name') {
      const b = lookupName(c.name, ctx);
      if (b && 'binding' in b && b.binding.value.k === 'attr') c = b.binding.value;
    }
    // a local function that takes keys as parameters: its calls, with the caller's arguments
    if (c.k !== 'attr' || c.object.k !== 'name' || c.object.name !== 'redis' || !/^(call|pcall)$/.test(c.name)) return this.wrapperCall(call, ctx);
    const name = call.args[0] ? evaluateExactly(call.args[0], ctx) : undefined;
    if (!name || name.t !== 'str' || name.segs.some((s) => s.kind === 'hole')) return;
    const command = name.segs.map((s) => (s.kind === 'lit' ? s.text : '')).join('').toLowerCase();
    const recv: Receiver = { kind: 'client', client: { library: 'lua', mode: 'unknown', evidence: `redis.${c.name}` } };
    this.receiverText = 'redis';
    this.commandCall(recv, command, call.args.slice(1), call, ctx, 'verbatim');
  }
}

/** Methods that send commands without being named after one: script runs, Redisson object getters, replica sends, pipeline sends. */
/** rueidis / valkey-go methods that send built commands. */
const RUEIDIS_SENDS = /^(Do|DoCache|DoStream|DoMulti|DoMultiCache|DoMultiStream)$/;

const METHODS_NOT_COMMANDS = new RegExp(`^(Run|RunRO|Eval|EvalSha|EvalRO|EvalShaRO|execAsPipeline|executeCommandToReplica|invoke_script|invokeScript|InvokeScript|InvokeScriptWithOptions|${RUEIDIS_SENDS.source.slice(2, -2)})$|${REDISSON_OBJECT_GETTERS.source}|${REDISSON_EXECUTOR.source}`);

/** Whether a method name can send a command, whatever the file (the answers repeat across every call). */
const COMMAND_METHODS = new Map<string, boolean>();

/** Method names some profile maps to a command in its own way (aliases, argument forms). */
const PROFILE_METHODS = new Set(PROFILES.flatMap((p) => [...Object.keys(p.aliases ?? {}), ...Object.keys(p.argumentForms ?? {})]));
const GENERIC_METHODS = new RegExp(PROFILES.map((p) => p.genericMethods.source).join('|'));

/** How deep wrappers of wrappers are followed. */
const MAX_WRAPPER_DEPTH = 3;

/** A project function's own key uses, with the groups they belong to (see wrapperCall). */
interface Summary {
  uses: KeyUse[];
  groups: Map<string, Group>;
}

/** A file's call sites per function scope, the calls of nested functions included, in source order. */
const callsByScope = new WeakMap<FileFacts, Map<string, CallSite[]>>();

function callsWithin(file: FileFacts, scope: string): CallSite[] {
  let index = callsByScope.get(file);
  if (!index) {
    index = new Map();
    for (const site of file.calls)
      for (let id: string | undefined = site.scope; id; id = file.scopes.get(id)?.parent) {
        const list = index.get(id);
        if (list) list.push(site);
        else index.set(id, [site]);
      }
    callsByScope.set(file, index);
  }
  return index.get(scope) ?? [];
}

/** A name that is a parameter of the function being interpreted (or of one around it). */
function isParamName(name: string, ctx: Ctx): boolean {
  const found = lookupName(name, ctx);
  return !!found && 'param' in found;
}

function calleeName(e: Expr): string {
  const t = e.k === 'name' ? e.name : e.k === 'attr' ? `${e.object.k === 'name' ? e.object.name + '.' : ''}${e.name}` : e.text;
  return t.length > 40 ? t.slice(0, 40) + '…' : t;
}

interface LineItem {
  value: Value;
  expr: Expr;
  /** stands for a list of unknown length */
  many?: boolean;
  unknown?: boolean;
}

function flatten(e: Expr, v: Value, layout: 'verbatim' | 'idiomatic'): LineItem[] {
  if (v.t === 'list') {
    const exprs = e.k === 'list' ? e.items : e.k === 'call' && e.args.length === v.items.length ? e.args : undefined;
    return v.items.flatMap((it, i) => {
      const ie = exprs?.[i] ?? (e.k === 'spread' ? e.value : e);
      return flatten(ie, it, layout);
    });
  }
  if (v.t === 'dict') {
    const keysEntry = layout === 'idiomatic' ? v.entries.findIndex(([k]) => k.t === 'str' && /^keys$/i.test(segText(k))) : -1;
    const exprEntries = e.k === 'dict' ? e.entries : undefined;
    if (keysEntry >= 0) return flatten(exprEntries?.[keysEntry]?.[1] ?? e, v.entries[keysEntry][1], layout);
    // node-redis `zUnionStore(dest, [{ key: 'a', weight: 2 }, …])`: the key of a key-and-weight pair
    const names = v.entries.map(([k]) => (k.t === 'str' ? segText(k) : ''));
    if (layout === 'idiomatic' && names.length === 2 && names.includes('key') && names.includes('weight')) {
      const at = names.indexOf('key');
      return flatten(exprEntries?.[at]?.[1] ?? e, v.entries[at][1], layout);
    }
    return v.entries.flatMap(([k, val], i) => [...flatten(exprEntries?.[i]?.[0] ?? e, k, layout), ...flatten(exprEntries?.[i]?.[1] ?? e, val, layout)]);
  }
  if (e.k === 'spread') return [{ value: v, expr: e, many: true, unknown: true }];
  return [{ value: v, expr: e }];
}

/** The command line of a method with its own argument form (Profile.argumentForms), as expressions. */
function reshape(form: ArgumentForm, args: Expr[], call: CallExpr, ctx: Ctx): Expr[] {
  const word = (value: string): Expr => ({ k: 'str', value, span: call.callee.span, text: value });
  const num = (n: number): Expr => ({ k: 'num', value: n, span: call.callee.span, text: String(n) });
  const unknown: Expr = { k: 'other', span: call.callee.span, text: '?' };
  if (form.sub) return [word(form.sub), ...args];
  if (form.timeout === 'first') return args.length > 1 ? [...args.slice(1), args[0]] : args;
  if (form.timeout === 'default') return args.length === 1 ? [args[0], num(0)] : args;
  if (form.keysAfter !== undefined) {
    let at = form.keysAfter;
    if (form.countMayFollow && args[at] && isNumeric(evaluate(args[at], ctx))) at++;
    const keys = args.slice(at);
    // the server's order: [timeout] numkeys key… LEFT|MIN (the direction's spelling does not change the keys)
    const blocking = form.command.startsWith('b');
    return [...(blocking ? [args[0] ?? unknown] : []), num(keys.length), ...keys, word(form.command.includes('z') ? 'MIN' : 'LEFT')];
  }
  const struct = args[0];
  const entry = struct?.k === 'dict' ? struct.entries.find(([k]) => keyName(k) === form.field)?.[1] : undefined;
  if (!entry) return [];
  if (!form.streams) return [entry];
  // `Streams: []string{key, ">"}`: the first half are keys
  const items = entry.k === 'list' ? entry.items : [entry];
  const keys = items.slice(0, Math.ceil(items.length / 2));
  const prefix = form.streams === 'GROUP' ? [word('GROUP'), unknown, unknown] : [];
  return [...prefix, word('STREAMS'), ...keys, ...items.slice(keys.length)];
}

/**
 * JS calls that name their method another way, as the plain call: `client["popAndStoreJob"](…)`,
 * `client.del.apply(client, keys)`, `client.hmget.call(client, key, …)`.
 */
function plainCall(call: CallExpr): CallExpr {
  const c = call.callee;
  // `client["hget"](…)` is `client.hget(…)`; `scripts["bump"](…)` stays an element of a dict
  if (c.k === 'index' && c.index.k === 'str' && isKnownCommand(c.index.value.toLowerCase())) return { ...call, callee: { k: 'attr', object: c.object, name: c.index.value, span: c.span, text: c.text } };
  if (c.k === 'attr' && (c.name === 'apply' || c.name === 'call') && c.object.k === 'attr' && isKnownCommand(c.object.name.toLowerCase())) {
    const rest = call.args.slice(1);
    const args = c.name === 'call' ? rest : rest[0] ? [rest[0].k === 'list' ? rest[0] : ({ k: 'spread', value: rest[0], span: rest[0].span, text: rest[0].text } as Expr)] : [];
    return { ...call, callee: c.object, args: args.length === 1 && args[0].k === 'list' ? args[0].items : args };
  }
  return call;
}

/** The items of a list written in place: `[a, b]`, `Arrays.asList(a, b)`, `List.of(a)`, `Collections.singletonList(a)`. */
function listItems(e: Expr | undefined, ctx: Ctx, depth = 0): Expr[] | undefined {
  if (!e || depth > 3) return undefined;
  if (e.k === 'list') return e.items;
  if (e.k === 'call' && e.callee.k === 'attr' && /^(asList|of|singletonList|newArrayList)$/.test(e.callee.name)) return e.args;
  if (e.k === 'name') {
    const b = lookupName(e.name, ctx);
    if (b && 'binding' in b) return listItems(b.binding.value, { ...ctx, file: b.file, scope: b.binding.scope, pos: b.binding.pos }, depth + 1);
  }
  return undefined;
}

/**
 * `k.stream` in a helper whose parameter `k` the caller gives an object the code shows (an object
 * literal, what a key builder returns: `buildKeys(name)` → `{ stream: `${p}:stream`, … }`): that
 * field's value, with the argument it came in.
 */
function paramField(expr: string, argOf: (param: string) => Expr | undefined, ctx: Ctx, helperScope: string): { arg: Expr; value: Val } | undefined {
  // `k.job(jobId)`: a function field of the object, called with the helper's values (the caller's, where they are its parameters)
  const called = /^(\w+)\.(\w+)\(([^()]*)\)$/s.exec(expr);
  if (called) {
    const arg = argOf(called[1]);
    const fn = arg && arg.k !== 'spread' ? fieldFunction(arg, called[2], ctx) : undefined;
    if (!arg || !fn) return undefined;
    const args = called[3].trim() ? called[3].split(',').map((t) => t.trim()) : [];
    const values = args.map((t): Val => {
      const given = /^\w+$/.test(t) ? argOf(t) : undefined;
      if (given && given.k !== 'spread') return evaluate(given, ctx);
      const quoted = /^(['"`])([^'"`$]*)\1$/.exec(t);
      return { t: 'str', segs: [quoted ? { kind: 'lit', text: quoted[2] } : { kind: 'hole', expr: t, scope: helperScope }] };
    });
    return { arg, value: callField(fn, values, arg, ctx) };
  }
  const m = /^(\w+)\.(\w+)$/.exec(expr);
  const arg = m ? argOf(m[1]) : undefined;
  if (!m || !arg || arg.k === 'spread') return undefined;
  const obj = evaluate(arg, ctx);
  const value = obj.t === 'dict' ? obj.entries.find(([k]) => k.t === 'str' && k.segs.length === 1 && k.segs[0].kind === 'lit' && k.segs[0].text === m[2])?.[1] : undefined;
  return value && { arg, value };
}

function looksLikeContext(e: Expr | undefined): boolean {
  return !!e && /(^|\.)(ctx|c)$|[cC]tx\b|[cC]ontext\b|Context\(\)$/.test(e.text);
}

function segText(v: Value): string {
  return v.t === 'str' ? v.segs.map((s) => (s.kind === 'lit' ? s.text : '')).join('') : '';
}

function literalText(v: Value | undefined): string | null {
  if (!v) return null;
  if (v.t === 'num') return String(v.n);
  if (v.t === 'str' && v.segs.every((s) => s.kind === 'lit')) return v.segs.map((s) => (s as { text: string }).text).join('');
  return null;
}

const OUTPUT_TYPE = /ScriptOutputType|RScript\.(Mode|ReturnType)/i;

/**
 * redis-py's key parameters, by the names its signatures give them, in their order:
 * `set(name=…)`, `rename(src=…, dst=…)`, `copy(source=…, destination=…)`, `lmove(first_list=…,
 * second_list=…)`, `zunionstore(dest=…, keys=…)`, `mget(keys=…)`. (`hset(name, key=…)`'s `key` is a
 * field, which no family here names after `name`.)
 */
const REDIS_PY_KEY_PARAMS = [['name'], ['src', 'dst'], ['source', 'destination'], ['first_list', 'second_list'], ['dest', 'keys'], ['keys']];

/** Valkey GLIDE's Python key parameters: `set(key=…)`, `delete(keys=[…])`, `smove(source=…, destination=…)`. */
const GLIDE_KEY_PARAMS = [['key'], ['keys'], ['source', 'destination']];

/** The positional arguments, then the key parameters given by keyword, where the positions would put them. */
function withKeywordKeys(args: Expr[], kwargs: Record<string, Expr>, families: string[][]): Expr[] {
  const family = families.find((names) => names[args.length] !== undefined && kwargs[names[args.length]] !== undefined);
  if (!family) return args;
  const out = [...args];
  for (let i = args.length; i < family.length && kwargs[family[i]]; i++) out.push(kwargs[family[i]]);
  return out;
}

/** node-redis 3 and ioredis take a callback last: `client.del(keys, done)` names one key list, not two keys */
const CALLBACK_NAME = /^(cb|callback|done|resolve|reject)$|^on[A-Z]|[a-z](Callback|Cb)$/;

function isCallback(a: Expr, ctx: Ctx): boolean {
  if (a.k !== 'name' || !['javascript', 'typescript', 'tsx'].includes(ctx.file.language)) return false;
  if (CALLBACK_NAME.test(a.name)) return true;
  const b = lookupName(a.name, ctx);
  return !!b && 'binding' in b && b.binding.value?.k === 'func';
}

/** Declared types of a number of keys, and calls that count a list. */
const COUNT_TYPE = /^(int|long|short|Integer|Long|number|int64|int32|uint|usize)$/;
const COUNT_CALL = /(^len$|\.(size|length|count)$|^count$)/;
interface RueidisLine {
  command: string;
  line: Expr[];
}

/** Builder steps that add no word to the command line: they only open a repeated group (`Mset().KeyValue().KeyValue(k, v)`). */
const RUEIDIS_STRUCTURAL = /^(KeyValue|FieldValue|ScoreMember|MemberScore|Build|Cache|Pin|ToBlock|ToRetry)$/;

/**
 * A rueidis command built in place or in a variable: `c.B().Sunionstore().Destination(d).Key(a, b).Build()`.
 * rueidis generates each builder from the command's argument list, so the steps after the command,
 * in order, are the command line: a step's arguments, or its name as a word (`.Left()` is LEFT);
 * the command is the first step (`XgroupCreate` is XGROUP CREATE).
 */
function rueidisLine(e: Expr, ctx: Ctx, depth = 0): RueidisLine | undefined {
  if (e.k === 'name' && depth < 3) {
    const v = bindingValue(e, ctx);
    return v ? rueidisLine(v, ctx, depth + 1) : undefined;
  }
  const steps: { name: string; args: Expr[] }[] = [];
  let cur: Expr = e;
  while (cur.k === 'call' && cur.callee.k === 'attr' && cur.callee.name !== 'B') {
    steps.unshift({ name: cur.callee.name, args: cur.args });
    cur = cur.callee.object;
  }
  if (!(cur.k === 'call' && cur.callee.k === 'attr' && cur.callee.name === 'B') || !steps.length) return undefined;
  const [first, ...rest] = steps;
  const words = first.name.split(/(?=[A-Z])/);
  let command = first.name.toLowerCase();
  const line: Expr[] = [];
  const word = (w: string): Expr => ({ k: 'str', value: w.toUpperCase(), span: e.span, text: w.toUpperCase() });
  if (!isKnownCommand(command) && words.length > 1 && isKnownCommand(words[0].toLowerCase())) {
    command = words[0].toLowerCase();
    line.push(word(words.slice(1).join('')));
  }
  if (!isKnownCommand(command)) return undefined;
  for (const s of rest) {
    if (RUEIDIS_STRUCTURAL.test(s.name)) line.push(...s.args);
    else if (s.args.length) line.push(...s.args);
    else line.push(word(s.name));
  }
  return { command, line };
}

/** Mock frameworks: the calls they stub or verify (mockk's `every { … }` / `verify { … }` blocks, Mockito's `when(…)` / `given(…)` / `verify(mock).…`) send nothing. */
const MOCK_BLOCKS = /^(every|coEvery|verify|coVerify|verifyAll|coVerifyAll|verifyOrder|verifySequence|coVerifySequence|justRun|coJustRun)$/;
const MOCK_WRAPPERS = /^(when|given|whenever|verify)$/;
const stubbed = new WeakMap<FileFacts, { calls: Set<number>; scopes: Set<string> }>();

function stubbedCall(call: CallExpr, ctx: Ctx): boolean {
  let s = stubbed.get(ctx.file);
  if (!s) {
    s = { calls: new Set(), scopes: new Set() };
    const stubbing = (c: CallExpr) => (c.callee.k === 'name' ? c.callee.name : c.callee.k === 'attr' && /^(Mockito|BDDMockito|MockKKt)$/.test(c.callee.object.text) ? c.callee.name : undefined);
    const blocks = new Set<number>();
    for (const site of ctx.file.calls) {
      const c = site.call;
      const name = stubbing(c);
      if (name && MOCK_BLOCKS.test(name) && c.callee.k === 'name') blocks.add(c.id);
      // when(redis.get("k")): the call inside
      if (name && MOCK_WRAPPERS.test(name)) for (const a of c.args) if (a.k === 'call') s.calls.add(a.id);
      // verify(redis).get("k"): the call on the verified mock
      if (c.callee.k === 'attr' && c.callee.object.k === 'call' && stubbing(c.callee.object) === 'verify') s.calls.add(c.id);
    }
    // the lambdas passed to every { … } / coVerify { … }
    for (const [id, scope] of ctx.file.scopes) if (scope.argOf !== undefined && blocks.has(scope.argOf)) s.scopes.add(id);
    stubbed.set(ctx.file, s);
  }
  if (s.calls.has(call.id)) return true;
  if (!s.scopes.size) return false;
  for (let id: string | undefined = ctx.scope; id; id = ctx.file.scopes.get(id)?.parent) if (s.scopes.has(id)) return true;
  return false;
}

/** The value a variable was bound to where `e` reads it (in the same file), as written. */
function bindingValue(e: Extract<Expr, { k: 'name' }>, ctx: Ctx): Expr | undefined {
  const b = lookupName(e.name, ctx);
  return b && 'binding' in b && b.file === ctx.file ? b.binding.value : undefined;
}

/**
 * A script call's keys as command-line arguments, and their number (numkeys): the items of a list
 * written out, else one spread of the value, counted as the keys that value holds when it is a
 * known list (a `List<String> keys = getKeys(id)` returning two, GLIDE's
 * `ScriptOptions.builder().key(a).key(b).build()`), else as one.
 */
function scriptKeys(keys: Expr, call: CallExpr, ctx: Ctx): { keyArgs: Expr[]; count: Expr } {
  const list = listItems(keys, ctx);
  const keyArgs: Expr[] = list ?? [{ k: 'spread', value: keys, span: keys.span, text: keys.text }];
  const value = list ? undefined : evaluate(keys, ctx);
  const n = value?.t === 'list' ? value.items.length : keyArgs.length;
  return { keyArgs, count: { k: 'num', value: n, span: call.callee.span, text: String(n) } };
}

/** Calls that make a collection (Java): `Arrays.asList(…)`, `Set.of(…)`, `map.keySet()`, `….collect(…)`. */
const COLLECTION_CALL = /(^|\.)(asList|of|singleton|singletonList|keySet|values|collect|toList|toSet|newArrayList|newHashSet)$/;

/** Declared types of a list of keys. */
const LIST_TYPE = /\[\]|^(List|Collection|Set|Iterable|ArrayList|Array|Sequence|list|tuple)\b/;

/** The declared type of a variable or parameter named by `e`, as written. */
function declaredType(e: Expr, ctx: Ctx): string | undefined {
  if (e.k !== 'name') return undefined;
  const b = lookupName(e.name, ctx);
  if (!b) return undefined;
  if ('binding' in b) return b.binding.type;
  return ctx.file.scopes.get(b.scope)?.params.find((p) => p.name === b.param)?.type;
}

function isNumeric(v: Value): boolean {
  const t = literalText(v);
  return v.t === 'num' || (t !== null && /^\d+$/.test(t));
}

function keyName(e: Expr): string | undefined {
  if (e.k === 'str') return e.value;
  if (e.k === 'name') return e.name;
  return undefined;
}

function calleeText(e: Expr): string | undefined {
  if (e.k === 'name') return e.name;
  if (e.k === 'attr') {
    const o = calleeText(e.object);
    return o ? `${o}.${e.name}` : undefined;
  }
  return undefined;
}

/** `rc`, `self.redis`, or for a chain `cluster.pipeline()…` the chain's root. */
function receiverName(e: Expr): string {
  if (e.k === 'call' && e.callee.k === 'attr') return receiverName(e.callee.object) + '.' + e.callee.name + '()';
  return e.text.length > 40 ? e.text.slice(0, 40) + '…' : e.text;
}

/** The outermost function around a scope: a flow of code, with its nested closures. */
function flowOf(ctx: Ctx): string {
  let id = ctx.scope;
  let flow = id;
  while (id) {
    const s = ctx.file.scopes.get(id);
    if (!s) break;
    if (s.kind === 'function') flow = id;
    id = s.parent!;
  }
  return `${ctx.file.file}#${flow}`;
}

/** `replica-*.internal` or `REDIS_REPLICA_URL` inside a constructor call's text (`*` matches within a word). */
function matchesText(text: string, pattern: string): boolean {
  if (!text || !pattern) return false;
  // a whole host or variable name, not part of one (`replica` must not match `read_from_replicas`)
  const re = new RegExp('(?<![\\w.-])' + pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[\\w.-]*') + '(?![\\w.-])');
  return re.test(text);
}
