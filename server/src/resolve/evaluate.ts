import type { Binding, Expr, FileFacts, FuncDef, Scope } from '../extract/ir';
import { Anchor, anchorEdges, hashOfPattern, normalizeSegments, Segment, sliceLit, sourcedLit } from '../model/pattern';
import type { WorkspaceFacts } from './workspace';

/** Where an expression is evaluated: its file, scope, offset, and parameter values of an inlined key builder. */
export interface Ctx {
  ws: WorkspaceFacts;
  file: FileFacts;
  scope: string;
  pos: number;
  /** parameter → already evaluated value, when evaluating a key-builder body for a call */
  env?: Map<string, Val>;
  depth: number;
}

export type Value =
  | { t: 'str'; segs: Segment[] }
  | { t: 'list'; items: Value[] }
  | { t: 'dict'; entries: [Value, Value][] }
  | { t: 'num'; n: number };

/**
 * One of several values, kept apart while a key is built: `a if c else b`, a function whose returns
 * differ (`if !tags { return base }; return strings.Replace(base, "[{queue}]", "{{queue}}", 1)`).
 * A key settles on one text where it is used (settle()); the options never leave this module.
 */
type Alt = { t: 'alt'; options: Value[] };
export type Val = Value | Alt;

const MAX_DEPTH = 8;
/** more combinations than this and a value built from alternatives settles part by part */
const MAX_OPTIONS = 4;

export function ctxFor(ws: WorkspaceFacts, file: FileFacts, scope: string, pos: number): Ctx {
  return { ws, file, scope, pos, depth: 0 };
}

function hole(e: Expr, ctx: Ctx, scope?: string): Value {
  return { t: 'str', segs: [{ kind: 'hole', expr: e.text, scope: scope ?? `${ctx.file.file}#${ctx.scope}` }] };
}

export function asSegments(val: Val, e: Expr, ctx: Ctx): Segment[] {
  const v = settle(val, e, ctx);
  if (v.t === 'str') return v.segs;
  if (v.t === 'num') return [{ kind: 'lit', text: String(v.n) }];
  return [{ kind: 'hole', expr: e.text, scope: `${ctx.file.file}#${ctx.scope}` }];
}

/** The value of an expression as far as the code shows it, as a key: unknown parts become holes. */
export function evaluate(e: Expr, ctx: Ctx): Value {
  return settle(valueOf(e, ctx), e, ctx);
}

/** The value of an expression that is no key (a script's source, a command name): one of several values is unknown. */
export function evaluateExactly(e: Expr, ctx: Ctx): Value {
  const v = valueOf(e, ctx);
  return v.t === 'alt' ? hole(e, ctx) : v;
}

/**
 * The one text a value of several options stands for: the option with a hash tag when there is one
 * (code that can tag its keys runs tagged on a cluster: `{queue}` in cluster mode, `[queue]` on one
 * node), the value when all options agree, else unknown.
 */
function settle(v: Val, e: Expr, ctx: Ctx): Value {
  if (v.t !== 'alt') return v;
  const tagged = v.options.find((o) => o.t === 'str' && hashOfPattern({ segments: o.segs }).kind === 'tag');
  return tagged ?? hole(e, ctx);
}

/**
 * Several values as one: the same value once, else the options (flattened, without repeats) when
 * one of them has a brace that can become a hash tag; otherwise one unknown value, as the code cannot say which.
 */
function oneOf(options: Val[], e: Expr, ctx: Ctx): Val {
  const seen = new Map<string, Value>();
  for (const o of options.flatMap((x) => (x.t === 'alt' ? x.options : [x]))) {
    const k = textKey(o);
    const had = seen.get(k);
    seen.set(k, had ? (withOrigins(had, o) as Value) : o);
  }
  // an empty string is the code's "no key" (a disabled feature, a placeholder), never the key it means to use
  const all = [...seen.values()].filter((o, _, every) => every.length === 1 || !(o.t === 'str' && o.segs.every((x) => x.kind === 'lit' && x.text === '')));
  if (all.length === 1) return all[0];
  const braced = all.some((o) => o.t === 'str' && o.segs.some((x) => x.kind === 'lit' && x.text.includes('{')));
  return braced && all.length <= MAX_OPTIONS ? { t: 'alt', options: all } : hole(e, ctx);
}

/** A value's identity as a key: its text and holes, not where its literals and values are written. */
function textKey(v: Val): string {
  return JSON.stringify(v, (k, x) => (k === 'from' || k === 'before' || k === 'after' ? undefined : x));
}

/**
 * Two values of the same text, written in two places (the branches of a builder, two callers): the
 * literals keep both places, so a fix edits every one of them.
 */
function withOrigins(a: Val, b: Val): Val {
  if (a.t === 'alt' && b.t === 'alt') return { t: 'alt', options: a.options.map((o, i) => withOrigins(o, b.options[i]) as Value) };
  if (a.t !== 'str' || b.t !== 'str') return a;
  return {
    t: 'str',
    segs: a.segs.map((s, i) => {
      const o = b.segs[i];
      if (s.kind !== 'lit' || o?.kind !== 'lit' || !o.from) return s;
      return { ...s, from: [...(s.from ?? []), ...o.from] };
    }),
  };
}

/** `build` over every combination of the parts' options; parts settle one by one when there are too many combinations. */
function across(parts: Val[], build: (parts: Value[]) => Value, e: Expr, ctx: Ctx, exprs: Expr[]): Val {
  if (!parts.some((p) => p.t === 'alt')) return build(parts as Value[]);
  let combos: Value[][] = [[]];
  for (const p of parts) {
    combos = combos.flatMap((c) => (p.t === 'alt' ? p.options : [p]).map((o) => [...c, o]));
    if (combos.length > MAX_OPTIONS) return build(parts.map((x, i) => settle(x, exprs[i] ?? e, ctx)));
  }
  return oneOf(combos.map(build), e, ctx);
}

function valueOf(e: Expr, ctx: Ctx): Val {
  if (ctx.depth > MAX_DEPTH) return hole(e, ctx);
  switch (e.k) {
    case 'str':
      return { t: 'str', segs: [strSegment(e, ctx)] };
    case 'num':
      return { t: 'num', n: e.value };
    case 'interp': {
      const holes = e.parts.filter((p): p is Expr => typeof p !== 'string');
      const values = holes.map((p) => valueOf(p, ctx));
      const written = interpLiterals(e, ctx);
      return across(
        values,
        (vs) => {
          let i = 0;
          return {
            t: 'str',
            segs: normalizeSegments(
              e.parts.flatMap((p, j) => {
                const w = written[j];
                return typeof p === 'string' ? [w as Segment] : anchorEdges(asSegments(vs[i], holes[i++], ctx), (w as Edges).before, (w as Edges).after);
              }),
            ),
          };
        },
        e,
        ctx,
        holes,
      );
    }
    case 'concat':
      return across(e.parts.map((p) => valueOf(p, ctx)), (parts) => concatValue(parts, e.parts, ctx), e, ctx, e.parts);
    case 'format':
      return formatValue(e, ctx);
    case 'alt':
      return oneOf(e.options.map((o) => valueOf(o, ctx)), e, ctx);
    case 'join': {
      const sep = evaluate(e.sep, ctx);
      const items = evaluate(e.items, ctx);
      if (items.t !== 'list' || sep.t !== 'str') return hole(e, ctx);
      const segs: Segment[] = [];
      items.items.forEach((it, i) => {
        if (i) segs.push(...sep.segs);
        segs.push(...asSegments(it, e, ctx));
      });
      return { t: 'str', segs: normalizeSegments(segs) };
    }
    case 'list':
      return { t: 'list', items: e.items.flatMap((it) => (it.k === 'spread' ? spreadItems(it, ctx) : [evaluate(it, ctx)])) };
    case 'dict':
      return { t: 'dict', entries: e.entries.map(([k, v]) => [evaluate(k, ctx), evaluate(v, ctx)] as [Value, Value]) };
    case 'name':
      return nameValue(e, ctx);
    case 'spread': {
      // keys... / *keys / ...keys: the list itself when the code shows it
      const v = evaluate(e.value, ctx);
      if (v.t === 'list') return v;
      // else unknown, belonging where the list does (a parameter belongs to its function, even read in a closure)
      const inner = v.t === 'str' && v.segs.length === 1 && v.segs[0].kind === 'hole' ? v.segs[0] : undefined;
      return hole(e, ctx, inner?.scope);
    }
    case 'attr':
      return attrValue(e, ctx);
    case 'call':
      return callValue(e, ctx);
    default:
      return hole(e, ctx);
  }
}

const OPENING = /^([rRbBuUfF]{0,2})("""|'''|"|'|`)/;

/** A string literal as a key segment, with where its characters are written when the source spells them as they are. */
function strSegment(e: Extract<Expr, { k: 'str' }>, ctx: Ctx): Segment {
  const lang = ctx.file.language;
  // a bare word of a .redis file is the key itself
  if (lang === 'redis' && e.text === e.value) return sourcedLit(e.value, ctx.file.file, e.span, 0);
  const open = OPENING.exec(e.text);
  if (!open || (open[2] === '`' && lang !== 'javascript' && lang !== 'typescript' && lang !== 'tsx' && lang !== 'go')) return { kind: 'lit', text: e.value };
  const content = e.text.slice(open[0].length, e.text.length - open[2].length);
  if (content !== e.value) return { kind: 'lit', text: e.value };
  return sourcedLit(e.value, ctx.file.file, e.span, open[0].length, lang === 'python' && /f/i.test(open[1]));
}

type Edges = { before?: Anchor; after?: Anchor };

/**
 * The literal parts of an f-string or template literal, each with where it is written when the
 * source spells it as it is (no escapes; in an f-string no braces, which are written twice); for
 * each interpolation, the places inside the string just before and after it.
 */
function interpLiterals(e: Extract<Expr, { k: 'interp' }>, ctx: Ctx): (Segment | Edges)[] {
  const open = OPENING.exec(e.text);
  const doubled = ctx.file.language === 'python' && !!open && /f/i.test(open[1]);
  let cursor = open ? open[0].length : -1;
  const inside = (delta: number): Anchor | undefined => (delta >= 0 ? { file: ctx.file.file, base: e.span, delta, form: 'string', ...(doubled ? { doubled } : {}) } : undefined);
  return e.parts.map((p) => {
    if (typeof p !== 'string') {
      const before = inside(cursor);
      cursor = closingBrace(e.text, p.span.end - e.span.start);
      return { before, after: inside(cursor) };
    }
    const spelled = doubled ? p.replace(/[{}]/g, '$&$&') : p;
    if (cursor < 0 || !e.text.startsWith(spelled, cursor)) {
      cursor = -1;
      return { kind: 'lit', text: p };
    }
    const at = cursor;
    cursor += spelled.length;
    return spelled === p ? sourcedLit(p, ctx.file.file, e.span, at, doubled) : { kind: 'lit', text: p };
  });
}

/** Offset just after the `}` that closes an interpolation whose expression ends at `from` (format specs included). */
function closingBrace(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i >= 0 && i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && depth-- === 0) return i + 1;
  }
  return -1;
}

function concatValue(parts: Value[], exprs: Expr[], ctx: Ctx): Value {
  if (parts.every((p) => p.t === 'list')) return { t: 'list', items: parts.flatMap((p) => (p as { items: Value[] }).items) };
  if (parts.every((p) => p.t === 'num')) return { t: 'num', n: parts.reduce((s, p) => s + (p as { n: number }).n, 0) };
  const op = ctx.file.language === 'lua' ? '..' : '+';
  // an operand that is a runtime value can have text concatenated on either side of it - when it binds
  // tighter than the operator (a name, a member, a call, an index), so the added text cannot change its meaning
  // (an `alt` operand is parenthesized, and its span takes the parentheses in)
  const edge = (x: Expr, delta: number): Anchor | undefined => (/^(name|attr|call|index|alt)$/.test(x.k) ? { file: ctx.file.file, base: x.span, delta, form: 'concat', op } : undefined);
  return { t: 'str', segs: normalizeSegments(parts.flatMap((p, i) => anchorEdges(asSegments(p, exprs[i], ctx), edge(exprs[i], 0), edge(exprs[i], exprs[i].span.end - exprs[i].span.start)))) };
}

function toSegs(e: Expr, ctx: Ctx): Segment[] {
  return asSegments(evaluate(e, ctx), e, ctx);
}

function spreadItems(e: Extract<Expr, { k: 'spread' }>, ctx: Ctx): Value[] {
  const v = evaluate(e.value, ctx);
  return v.t === 'list' ? v.items : [hole(e, ctx)];
}

/** Resolves a name to the binding or parameter it refers to. */
export function lookupName(name: string, ctx: Ctx): { binding: Binding; file: FileFacts } | { param: string; scope: string } | undefined {
  ctx.ws.siteNames?.add(name);
  let scopeId: string | undefined = ctx.scope;
  while (scopeId) {
    const scope = ctx.file.scopes.get(scopeId);
    if (!scope) break;
    // class bodies are not enclosing scopes in Python/JS; Java and Kotlin fields are visible by bare name
    if (scope.kind !== 'class' || scopeId === ctx.scope || ctx.file.language === 'java' || ctx.file.language === 'kotlin') {
      const cands = varBindings(ctx.file, scopeId, name);
      // the last binding before the position; module constants may be defined below the function that uses them
      let best: Binding | undefined;
      for (let i = cands.length - 1; i >= 0 && !best; i--) if (cands[i].pos <= ctx.pos) best = cands[i];
      best ??= scope.kind !== 'function' ? cands[cands.length - 1] : undefined;
      if (best) return { binding: best, file: ctx.file };
      if (scope.params.some((p) => p.name === name)) return { param: name, scope: scopeId };
    }
    scopeId = scope.parent;
  }
  const imp = ctx.file.imports.find((i) => i.local === name && i.member);
  const m = ctx.ws.moduleBinding(imp?.member ?? name, ctx.file, imp?.module);
  if (m) return { binding: m.b, file: m.file };
  return undefined;
}

/** A file's variable bindings by scope and name, in source order: a lookup walks every scope out to the module. */
const varIndex = new WeakMap<FileFacts, Map<string, Binding[]>>();
const NONE: Binding[] = [];

function varBindings(file: FileFacts, scope: string, name: string): Binding[] {
  let idx = varIndex.get(file);
  if (!idx) {
    idx = new Map();
    for (const b of file.bindings) {
      if (b.kind !== 'var') continue;
      const k = `${b.scope}\0${b.name}`;
      const l = idx.get(k);
      if (l) l.push(b);
      else idx.set(k, [b]);
    }
    varIndex.set(file, idx);
  }
  return idx.get(`${scope}\0${name}`) ?? NONE;
}

function nameValue(e: Extract<Expr, { k: 'name' }>, ctx: Ctx): Val {
  if (ctx.env?.has(e.name)) return ctx.env.get(e.name)!;
  const found = lookupName(e.name, ctx);
  if (!found) return hole(e, ctx, `${ctx.file.file}#module`);
  if ('param' in found) return hole(e, ctx, `${ctx.file.file}#${found.scope}`);
  const b = found.binding;
  if (b.value.k === 'other' || b.value.k === 'func') return hole(e, ctx, `${found.file.file}#${b.scope}`);
  // the value is read where it is written: `keys = append(keys, k)` reads the `keys` bound before it
  const v = valueOf(b.value, { ...ctx, file: found.file, scope: b.scope, pos: Math.min(b.pos, b.value.span.start), env: found.file === ctx.file ? ctx.env : undefined, depth: ctx.depth + 1 });
  // a variable bound to something unknown stays one hole named after the variable, not after its initializer
  if (v.t === 'str' && v.segs.length === 1 && v.segs[0].kind === 'hole' && b.value.k !== 'name' && b.value.k !== 'attr' && b.value.k !== 'index')
    return hole(e, ctx, `${found.file.file}#${b.scope}`);
  if (v.t === 'list' && found.file === ctx.file && JS_FAMILY.has(ctx.file.language)) return { ...v, items: [...v.items, ...pushedOnto(e.name, b, ctx)] };
  return v;
}

const JS_FAMILY = new Set(['javascript', 'typescript', 'tsx']);

/**
 * What `list.push(…)` adds to a JavaScript array between its binding and here (`keys.push(pk.deps(id))`
 * in an `if`): every item a call may see, as Go's append is read.
 */
function pushedOnto(name: string, b: Binding, ctx: Ctx): Value[] {
  const out: Value[] = [];
  for (const site of ctx.file.calls) {
    const c = site.call;
    if (c.callee.k !== 'attr' || c.callee.name !== 'push' || c.callee.object.k !== 'name' || c.callee.object.name !== name) continue;
    if (c.span.start < b.pos || c.span.start >= ctx.pos || !within(site.scope, b.scope, ctx.file)) continue;
    for (const a of c.args) out.push(...(a.k === 'spread' ? spreadItems(a, { ...ctx, scope: site.scope, pos: c.span.start }) : [evaluate(a, { ...ctx, scope: site.scope, pos: c.span.start })]));
  }
  return out;
}

/** Whether scope `inner` is `outer` or nested in it. */
function within(inner: string, outer: string, file: FileFacts): boolean {
  for (let id: string | undefined = inner; id; id = file.scopes.get(id)?.parent) if (id === outer) return true;
  return false;
}

/** A field of a class, or of the nearest base class that sets it (`this.queueKeys` set in a base class's constructor). */
function classField(cls: string, name: string, ctx: Ctx): { file: FileFacts; b: Binding } | undefined {
  return ctx.ws.nearestUp(cls, ctx.file, (c) => ctx.ws.classBinding(c, name, ctx.file));
}

function attrValue(e: Extract<Expr, { k: 'attr' }>, ctx: Ctx): Val {
  const obj = e.object;
  let found: { file: FileFacts; b: Binding } | undefined;
  if (obj.k === 'name' && (obj.name === 'self' || obj.name === 'this' || obj.name === 'cls')) {
    const cls = classOf(ctx);
    if (cls) found = classField(cls, e.name, ctx);
  } else if (obj.k === 'name' && ctx.file.language === 'go' && goReceiverClass(obj.name, ctx)) {
    const field = structField(goReceiverClass(obj.name, ctx)!, e.name, ctx);
    if (field) {
      // an unexported constructor that builds the field from its parameters (`readyKey := strings.Replace(readyTemplate, …)`): what its callers pass
      const built = fromConstructorCallers(field, ctx);
      if (built) return built;
      const v = valueOf(field.b.value, { ...ctx, file: field.file, scope: field.b.scope, pos: field.b.pos, env: undefined, depth: ctx.depth + 1 });
      // a field that only carries a value in (`&Lock{key: key}`) stays the receiver's: its callers say what it holds
      if (!carriesOnlyHoles(v)) return v;
    }
  } else if (obj.k === 'name') {
    // Class.CONST, or module.CONST through an import
    found = ctx.ws.classBinding(obj.name, e.name, ctx.file);
    if (!found) {
      const imp = ctx.file.imports.find((i) => i.local === obj.name);
      if (imp) found = ctx.ws.moduleBinding(e.name, ctx.file, imp.member ? `${imp.module}.${imp.member}` : imp.module) ?? ctx.ws.moduleBinding(e.name, ctx.file, imp.module);
    }
  }
  if (found && found.b.value.k !== 'other' && found.b.value.k !== 'func') {
    const v = valueOf(found.b.value, { ...ctx, file: found.file, scope: found.b.scope, pos: found.b.pos, env: undefined, depth: ctx.depth + 1 });
    // a field a method (not the constructor) sets to a value it was handed (`this.originalId = id`) holds
    // what an earlier call left there: the field's own runtime value, not this call's `id`
    if (carriesOnlyHoles(v) && setPerCall(found.file, found.b.scope)) return hole(e, ctx);
    return v;
  }
  // a property of an object constant (`VALKEY_KEYS.NEW_FILMLISTE` with `const VALKEY_KEYS = { NEW_FILMLISTE: '…' }`),
  // or of an object a field holds (`this.queueKeys.stream`, the object from a key builder)
  if (((obj.k === 'name' && !/^(self|this|cls)$/.test(obj.name)) || (obj.k === 'attr' && obj.object.k === 'name' && /^(self|this)$/.test(obj.object.name))) && JS_FAMILY.has(ctx.file.language)) {
    const o = valueOf(obj, { ...ctx, depth: ctx.depth + 1 });
    const entry = o.t === 'dict' ? o.entries.find(([k]) => k.t === 'str' && k.segs.length === 1 && k.segs[0].kind === 'lit' && k.segs[0].text === e.name) : undefined;
    if (entry) return entry[1];
  }
  // a field of a parameter or variable of an enclosing function (`l.keys` in a closure) belongs to that function
  if (obj.k === 'name' && !/^(self|this|cls)$/.test(obj.name)) {
    const owner = lookupName(obj.name, ctx);
    if (owner && 'param' in owner) return hole(e, ctx, `${ctx.file.file}#${owner.scope}`);
    if (owner && 'binding' in owner && owner.file === ctx.file) return hole(e, ctx, `${ctx.file.file}#${owner.binding.scope}`);
  }
  return hole(e, ctx);
}

const MAX_CONSTRUCTOR_CALLERS = 8;

/**
 * A struct field set in an unexported Go constructor from its parameters, evaluated with what its
 * callers pass (the package's callers are all its callers): when every caller gives the same value
 * and it has text of its own.
 */
function fromConstructorCallers(field: { file: FileFacts; b: Binding }, ctx: Ctx): Val | undefined {
  const { file, b } = field;
  const def = file.functions.find((f) => f.scope === b.scope);
  if (!def || !/^[a-z_]/.test(def.name) || !def.params.length || ctx.depth + 2 > MAX_DEPTH) return undefined;
  const pkg = file.file.slice(0, file.file.lastIndexOf('/') + 1);
  const callers = ctx.ws
    .callers(def.name, file)
    .filter(({ file: cf, site }) => cf.file.slice(0, cf.file.lastIndexOf('/') + 1) === pkg && (def.className ? site.call.callee.k === 'attr' : site.call.callee.k === 'name'));
  if (!callers.length || callers.length > MAX_CONSTRUCTOR_CALLERS) return undefined;
  let agreed: Val | undefined;
  for (const { file: cf, site } of callers) {
    const cctx: Ctx = { ws: ctx.ws, file: cf, scope: site.scope, pos: site.call.span.start, depth: ctx.depth + 1 };
    const env = new Map<string, Val>();
    def.params.forEach((p, i) => {
      const a = site.call.args[i] ?? site.call.kwargs[p.name];
      if (a && a.k !== 'spread') env.set(p.name, valueOf(a, cctx));
    });
    const v = valueOf(b.value, { ws: ctx.ws, file, scope: b.scope, pos: b.pos, env, depth: ctx.depth + 2 });
    if (carriesOnlyHoles(v) || (agreed && textKey(agreed) !== textKey(v))) return undefined;
    agreed = agreed ? withOrigins(agreed, v) : v;
  }
  return agreed;
}

/** Whether code in this scope runs per call: a method or a closure, not a constructor or a class body. */
function setPerCall(file: FileFacts, scopeId: string): boolean {
  const scope = file.scopes.get(scopeId);
  if (!scope || scope.kind !== 'function') return false;
  return !(scope.name === '__init__' || scope.name === 'constructor' || (scope.name !== undefined && scope.name === scope.className));
}

function carriesOnlyHoles(v: Val): boolean {
  if (v.t === 'str') return v.segs.every((x) => x.kind === 'hole');
  if (v.t === 'alt') return v.options.every(carriesOnlyHoles);
  return v.t === 'list' && v.items.every(carriesOnlyHoles);
}

/** The type of a Go method whose receiver is `name` (`q` in `func (q *Queue) …`), seen from inside it. */
function goReceiverClass(name: string, ctx: Ctx): string | undefined {
  const owner = lookupName(name, ctx);
  if (!owner || !('param' in owner)) return undefined;
  const s = ctx.file.scopes.get(owner.scope);
  return s?.className && s.params[0]?.name === name ? s.className : undefined;
}

/**
 * What a struct field holds: the value the struct literals give it (`&Queue{zset: …}`), when they
 * all give it the same text; the declaration alone (`zset string`) says nothing.
 */
function structField(cls: string, field: string, ctx: Ctx): { file: FileFacts; b: Binding } | undefined {
  const set = ctx.ws.allClassBindings(cls, field, ctx.file).filter((x) => x.b.value.k !== 'other');
  // a copy from another value of the struct (`readyTemplate: connection.readyTemplate`) adds no value of its own
  const copies = (x: (typeof set)[number]) => x.b.value.k === 'attr' && x.b.value.name === field;
  const given = set.some((x) => !copies(x)) ? set.filter((x) => !copies(x)) : set;
  return given.length && given.every((x) => x.b.value.text === given[0].b.value.text) ? given[0] : undefined;
}

export function classOf(ctx: Ctx): string | undefined {
  let id: string | undefined = ctx.scope;
  let outer: Scope | undefined;
  while (id) {
    const s = ctx.file.scopes.get(id);
    if (!s) return undefined;
    if (s.className) return s.className;
    if (s.kind === 'class') return s.name;
    if (s.kind === 'function') outer = s;
    id = s.parent;
  }
  // a module-level `def f(self, …)` that a class body imports is that class's method
  if (outer?.name && outer.params[0]?.name === 'self' && ctx.file.scopes.get(outer.parent ?? '')?.kind === 'module') return ctx.ws.hostClass(outer.name, ctx.file);
  return undefined;
}

const NO_VALUE = new Set(['nil', 'None', 'null', 'undefined']);

/** Conversions that keep the value: str(x), String(x), strconv.Itoa(x), x.toString() … */
const IDENTITY_FUNCS = new Set(['str', 'String', 'string', 'Itoa', 'FormatInt', 'toString', 'valueOf', 'int', 'Number', 'encode', 'decode', 'strip', 'trim', 'lower', 'upper', 'getBytes']);
const SEPARATE_FUNCS = new Set(['toLowerCase', 'toUpperCase']);
const GO_BUILTINS = new Set(['len', 'cap', 'make', 'new', 'append', 'copy', 'delete', 'panic', 'print', 'println', 'complex', 'real', 'imag', 'min', 'max', 'clear', 'close', 'recover']);

/**
 * Valkey GLIDE (Java): `ScriptOptions.builder().key(k).arg(a)….build()` is the list of the keys it
 * gives the script (each `.key(k)`, and the items of each `.keys(list)`), which `invokeScript`
 * passes as KEYS. Undefined for any other `build()`.
 */
function scriptOptionKeys(e: Extract<Expr, { k: 'call' }>, ctx: Ctx): Val | undefined {
  const items: Value[] = [];
  for (let at: Expr = e; at.k === 'call' && at.callee.k === 'attr'; at = at.callee.object) {
    const { name, object } = at.callee;
    if (name === 'builder') return object.k === 'name' && /^ScriptOptions(GlideString)?$/.test(object.name) ? { t: 'list', items } : undefined;
    // Go: options.NewScriptOptions().WithKeys([]string{…}).WithArgs(…)
    if (name === 'NewScriptOptions') return { t: 'list', items };
    if (name === 'key' && at.args[0]) items.unshift(evaluate(at.args[0], ctx));
    else if ((name === 'keys' || name === 'WithKeys') && at.args[0]) {
      const list = evaluate(at.args[0], ctx);
      if (list.t !== 'list') return undefined;
      items.unshift(...list.items);
    }
  }
  return undefined;
}

function callValue(e: Extract<Expr, { k: 'call' }>, ctx: Ctx): Val {
  const callee = e.callee;
  const fname = callee.k === 'name' ? callee.name : callee.k === 'attr' ? callee.name : undefined;
  if (!fname) return hole(e, ctx);
  if (IDENTITY_FUNCS.has(fname)) {
    if (e.args.length >= 1 && fname !== 'toString' && fname !== 'strip' && fname !== 'trim' && fname !== 'lower' && fname !== 'upper' && fname !== 'encode' && fname !== 'decode' && fname !== 'getBytes')
      return valueOf(e.args[0], ctx);
    // `x.toString()`, Go's Stringer `id.String()`: the text of x
    if (callee.k === 'attr' && e.args.length === 0 && (fname === 'toString' || fname === 'encode' || fname === 'decode' || fname === 'String')) return valueOf(callee.object, ctx);
    // `"k".getBytes(UTF_8)`: the bytes of the string
    if (callee.k === 'attr' && fname === 'getBytes') return valueOf(callee.object, ctx);
    // Jedis's byte[] keys: SafeEncoder.encode("k") is the key `k`, one key, not one per byte
    if (fname === 'encode' && callee.k === 'attr' && callee.object.text === 'SafeEncoder' && e.args.length === 1) return valueOf(e.args[0], ctx);
  }
  const replaced = replaceValue(e, ctx);
  if (replaced) return replaced;
  const scriptKeys = fname === 'build' || (ctx.file.language === 'go' && /^(WithKeys|WithArgs)$/.test(fname)) ? scriptOptionKeys(e, ctx) : undefined;
  if (scriptKeys) return scriptKeys;
  if (SEPARATE_FUNCS.has(fname)) return hole(e, ctx);
  // Go's append(list, items…): the list grown by the items, which may be added only on some paths
  // (`if raceCheck { keys = append(keys, versionKey) }`): all the members a call may see
  if (fname === 'append' && callee.k === 'name' && ctx.file.language === 'go' && e.args.length >= 1) {
    const base = evaluate(e.args[0], ctx);
    if (base.t !== 'list') return hole(e, ctx);
    const added = e.args.slice(1).flatMap((a) => (a.k === 'spread' ? spreadItems(a, ctx) : [evaluate(a, ctx)]));
    return { ...base, items: [...base.items, ...added] };
  }
  // a method of a type the value analysis knows (`locker.Obtain(…)`) is a function too
  const def = findFunction(e, ctx) ?? ctx.ws.resolveCall?.(e, ctx);
  // Go: a bare name called with one value that is no function is a conversion (`channelID(key)`, `[]byte(k)`): the value itself
  if (!def && ctx.file.language === 'go' && callee.k === 'name' && e.args.length === 1 && !GO_BUILTINS.has(fname)) return valueOf(e.args[0], ctx);
  // a function kept in an object's field (`k.job(id)`, the object from a key builder)
  const inField = !def && callee.k === 'attr' ? fieldFunction(callee.object, callee.name, ctx) : undefined;
  if (inField) return callField(inField, e.args.map((a) => valueOf(a, ctx)), e, ctx);
  // a call on an interface a few structs implement: one of their values (the tagged one where one is: settle())
  const options = def ? [] : (ctx.ws.resolveCallOptions?.(e, ctx) ?? []);
  if (options.length) return oneOf(options.map((d) => inline(d, e, ctx)), e, ctx);
  return def ? inline(def, e, ctx) : hole(e, ctx);
}

/**
 * A key builder inlined: its parameters bound to the caller's values, its return expressions
 * evaluated. Holes that stay inside the builder (its own locals) are unknown per call, not shared;
 * returns that differ (a mode flag, a fallback) are the options of one value.
 */
function inline(def: { file: FileFacts; f: FuncDef }, e: Extract<Expr, { k: 'call' }>, ctx: Ctx): Val {
  // `return nil, err` is the failure path: the value is what the other returns give
  const returns = def.f.returns.filter((r) => !NO_VALUE.has(r.text));
  if (!returns.length) return hole(e, ctx);
  const env = new Map<string, Val>();
  def.f.params.forEach((p, i) => {
    const a = e.args[i] ?? e.kwargs[p.name];
    if (a) env.set(p.name, valueOf(a, ctx));
  });
  return oneOf(
    returns.map((r) => valueOf(r, { ws: ctx.ws, file: def.file, scope: def.f.scope, pos: r.span.start, env, depth: ctx.depth + 1 })),
    e,
    ctx,
  );
}

/** A function kept in an object's field, with the values its closure sees (the key builder's arguments). */
export interface FieldFunction {
  file: FileFacts;
  f: FuncDef;
  env: Map<string, Val>;
}

/**
 * The function in field `field` of the object `obj` is: an object literal's arrow function, through
 * variables and what a key builder returns (`buildKeys(name)` → `{ job: (id) => `${p}:job:${id}` }`,
 * where `p` is built from `name`): the builder's parameters are bound to the call's arguments.
 */
export function fieldFunction(obj: Expr, field: string, ctx: Ctx, depth = 0): FieldFunction | undefined {
  if (depth > 3 || ctx.depth > MAX_DEPTH) return undefined;
  if (obj.k === 'attr' && obj.object.k === 'name' && /^(self|this)$/.test(obj.object.name)) {
    const cls = classOf(ctx);
    const found = cls ? classField(cls, obj.name, ctx) : undefined;
    if (!found) return undefined;
    return fieldFunction(found.b.value, field, { ...ctx, file: found.file, scope: found.b.scope, pos: found.b.pos, env: undefined }, depth + 1);
  }
  if (obj.k === 'name') {
    if (ctx.env?.has(obj.name)) return undefined;
    const found = lookupName(obj.name, ctx);
    if (!found || !('binding' in found)) return undefined;
    const b = found.binding;
    return fieldFunction(b.value, field, { ...ctx, file: found.file, scope: b.scope, pos: b.pos, env: found.file === ctx.file ? ctx.env : undefined }, depth + 1);
  }
  if (obj.k === 'call') {
    const def = findFunction(obj, ctx);
    const ret = def?.f.returns.find((r) => !NO_VALUE.has(r.text));
    if (!def || !ret) return undefined;
    const env = new Map<string, Val>();
    def.f.params.forEach((p, i) => {
      const a = obj.args[i] ?? obj.kwargs[p.name];
      if (a) env.set(p.name, valueOf(a, ctx));
    });
    return fieldFunction(ret, field, { ws: ctx.ws, file: def.file, scope: def.f.scope, pos: ret.span.start, env, depth: ctx.depth + 1 }, depth + 1);
  }
  if (obj.k !== 'dict') return undefined;
  const value = obj.entries.find(([k]) => (k.k === 'str' ? k.value : k.k === 'name' ? k.name : k.text) === field)?.[1];
  const f = value?.k === 'func' ? ctx.file.functions.find((x) => x.scope === value.scope) : undefined;
  return f && { file: ctx.file, f, env: ctx.env ?? new Map() };
}

/** The value a field function returns for these arguments. */
export function callField(fn: FieldFunction, args: Val[], e: Expr, ctx: Ctx): Val {
  const returns = fn.f.returns.filter((r) => !NO_VALUE.has(r.text));
  if (!returns.length) return hole(e, ctx);
  const env = new Map(fn.env);
  fn.f.params.forEach((p, i) => {
    if (args[i]) env.set(p.name, args[i]);
  });
  return oneOf(
    returns.map((r) => valueOf(r, { ws: ctx.ws, file: fn.file, scope: fn.f.scope, pos: r.span.start, env, depth: ctx.depth + 1 })),
    e,
    ctx,
  );
}

/**
 * A template's placeholders filled in: `strings.Replace(s, old, new, n)` and `strings.ReplaceAll` (Go),
 * `s.replace(old, new[, count])` (Python), `s.replace(old, new)` / `s.replaceAll(old, new)` with a
 * string pattern (JavaScript), `s.replace(old, new)` (Java). Only an `old` the code spells out;
 * occurrences inside unknown parts of `s` cannot be seen and are left as they are.
 */
function replaceValue(e: Extract<Expr, { k: 'call' }>, ctx: Ctx): Val | undefined {
  const callee = e.callee;
  if (callee.k !== 'attr') return undefined;
  const lang = ctx.file.language;
  let subject: Expr | undefined;
  let args: Expr[];
  let count = Infinity;
  if (lang === 'go') {
    if (callee.object.text !== 'strings' || !/^Replace(All)?$/.test(callee.name) || e.args.length < 3) return undefined;
    [subject, ...args] = e.args;
    const nArg = callee.name === 'Replace' ? e.args[3] : undefined;
    // n < 0: every occurrence
    if (nArg && /^-\d+$/.test(nArg.text.trim())) count = Infinity;
    else if (nArg) {
      const n = evaluate(nArg, ctx);
      count = n.t === 'num' ? (n.n < 0 ? Infinity : n.n) : NaN;
    }
  } else {
    if (!/^replace(All)?$/.test(callee.name) || e.args.length < 2 || (callee.name === 'replaceAll' && lang !== 'javascript' && lang !== 'typescript' && lang !== 'tsx')) return undefined;
    subject = callee.object;
    args = e.args;
    if (lang === 'python' && e.args[2]) {
      const n = evaluate(e.args[2], ctx);
      count = n.t === 'num' && n.n >= 0 ? n.n : n.t === 'num' ? Infinity : NaN;
    } else if (lang !== 'python' && lang !== 'java' && callee.name === 'replace') count = 1;
  }
  if (Number.isNaN(count)) return undefined;
  const old = evaluate(args[0], ctx);
  if (old.t !== 'str' || !old.segs.length || old.segs.some((s) => s.kind !== 'lit')) return undefined;
  const oldText = old.segs.map((s) => (s as { text: string }).text).join('');
  if (!oldText) return undefined;
  const by = toSegs(args[1], ctx);
  return across([valueOf(subject, ctx)], ([v]) => (v.t === 'str' ? { t: 'str', segs: replaceIn(v.segs, oldText, by, count) } : hole(e, ctx)), e, ctx, [subject]);
}

function replaceIn(segs: Segment[], old: string, by: Segment[], count: number): Segment[] {
  const out: Segment[] = [];
  let left = count;
  for (const s of segs) {
    if (s.kind !== 'lit') {
      out.push(s);
      continue;
    }
    let from = 0;
    for (let at = s.text.indexOf(old); at >= 0 && left > 0; at = s.text.indexOf(old, from), left--) {
      out.push(sliceLit(s, from, at), ...by);
      from = at + old.length;
    }
    out.push(sliceLit(s, from, s.text.length));
  }
  return normalizeSegments(out);
}

export function findFunction(e: Extract<Expr, { k: 'call' }>, ctx: Ctx): { file: FileFacts; f: FuncDef } | undefined {
  const callee = e.callee;
  if (callee.k === 'name') {
    const imp = ctx.file.imports.find((i) => i.local === callee.name && i.member);
    // a bare call reaches a method only through Java's and Kotlin's implicit `this` (Python's `set(…)` is the builtin, not a class's `set`)
    const free = ctx.file.language !== 'java' && ctx.file.language !== 'kotlin';
    return ctx.ws.func(imp?.member ?? callee.name, ctx.file, imp?.module, free);
  }
  if (callee.k === 'attr' && callee.object.k === 'name') {
    const on = callee.object.name;
    if (on === 'self' || on === 'this' || on === 'cls') {
      const cls = classOf(ctx);
      return cls ? ctx.ws.method(cls, callee.name, ctx.file) : undefined;
    }
    const byClass = ctx.ws.func(`${on}.${callee.name}`, ctx.file);
    if (byClass) return byClass;
    const imp = ctx.file.imports.find((i) => i.local === on);
    if (imp) {
      const found = ctx.ws.func(callee.name, ctx.file, imp.member ? `${imp.module}.${imp.member}` : imp.module) ?? ctx.ws.func(callee.name, ctx.file, imp.module);
      // an imported object's method belongs to its class, found by its type: another class's method of that name is not it (a FastAPI `app.get(…)` is not a connector's `get`)
      return found?.f.className && found.f.className !== imp.member ? undefined : found;
    }
    if (ctx.file.language === 'go') return undefined;
  }
  return undefined;
}

/* printf-style (%s, %d, %v, %(name)s) and brace-style ({}, {0}, {name}) formats. */
function formatValue(e: Extract<Expr, { k: 'format' }>, ctx: Ctx): Value {
  const fmt = evaluate(e.format, ctx);
  // not a string (`a % b` on numbers) or a format we cannot see: the result is one unknown value
  if (fmt.t !== 'str' || fmt.segs.every((s) => s.kind === 'hole')) return hole(e, ctx);
  const out: Segment[] = [];
  let argIndex = 0;
  const argSegs = (a: Expr | undefined): Segment[] => (a ? toSegs(a, ctx) : [{ kind: 'hole', expr: e.text, scope: `${ctx.file.file}#${ctx.scope}` }]);
  for (const seg of fmt.segs) {
    if (seg.kind === 'hole') {
      out.push(seg);
      continue;
    }
    const t = seg.text;
    // the template's literal text, where it is written; a brace added in a str.format template is written twice
    const piece = (a: number, b: number): Segment => {
      const lit = sliceLit(seg, a, b);
      if (e.style === 'printf' || lit.kind !== 'lit' || !lit.from) return lit;
      return ctx.file.language === 'python' ? { ...lit, from: lit.from.map((o) => ({ ...o, doubled: true })) } : { kind: 'lit', text: lit.text };
    };
    // where the template is written just before and after a placeholder: a fix can add text around the value there
    const anchorAt = (i: number): Anchor | undefined => {
      if (e.style === 'brace' && ctx.file.language !== 'python') return undefined;
      const o = seg.from?.find((x) => x.at <= i && i <= x.at + x.length);
      return o ? { file: o.file, base: o.base, delta: o.delta + (i - o.at), form: 'string', ...(e.style === 'brace' ? { doubled: true } : {}) } : undefined;
    };
    const around = (segs: Segment[], m: RegExpExecArray) => anchorEdges(segs, anchorAt(m.index), anchorAt(m.index + m[0].length));
    if (e.style === 'printf') {
      const re = /%(?:\(([^)]*)\))?([-+ #0]*\d*(?:\.\d+)?)([a-zA-Z%])/g;
      let last = 0;
      for (let m = re.exec(t); m; m = re.exec(t)) {
        out.push(piece(last, m.index));
        last = m.index + m[0].length;
        if (m[3] === '%') out.push({ kind: 'lit', text: '%' });
        else if (m[1] !== undefined) out.push(...around(argSegs(e.kwargs[m[1]]), m));
        else out.push(...around(argSegs(e.args[argIndex++]), m));
      }
      out.push(piece(last, t.length));
    } else {
      const re = /\{\{|\}\}|\{([^{}]*)\}/g;
      let last = 0;
      for (let m = re.exec(t); m; m = re.exec(t)) {
        out.push(piece(last, m.index));
        last = m.index + m[0].length;
        if (m[0] === '{{') out.push({ kind: 'lit', text: '{' });
        else if (m[0] === '}}') out.push({ kind: 'lit', text: '}' });
        else {
          const field = (m[1] ?? '').split(/[:!]/)[0];
          if (field === '') out.push(...around(argSegs(e.args[argIndex++]), m));
          else if (/^\d+$/.test(field)) out.push(...around(argSegs(e.args[Number(field)]), m));
          else out.push(...around(argSegs(e.kwargs[field]), m));
        }
      }
      out.push(piece(last, t.length));
    }
  }
  return { t: 'str', segs: normalizeSegments(out) };
}
