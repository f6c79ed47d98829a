import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'path';
import type { Binding, Expr, FileFacts } from '../../server/src/extract/ir';
import { extractFile } from '../../server/src/index/analyze';
import { scan } from '../../server/src/index/scan';
import { usesByLine } from '../helpers/uses';

/*
 * The Kotlin extractor reads Kotlin as the Java it compiles to: properties and primary-constructor
 * `val`s are fields with their declared types, methods carry their class, string templates are
 * interpolations, and every call (in arguments, lambdas, initialisers, expression bodies) is a call
 * site. Expressions are compared in a short notation (see show()).
 */
const SAMPLE = `package com.example.shop

import org.springframework.data.redis.core.StringRedisTemplate
import io.lettuce.core.api.coroutines.RedisCoroutinesCommands as Commands
import io.lettuce.core.cluster.*

class CartService(private val redis: StringRedisTemplate, prefix: String) : BaseService(), Auditable {
    private val root = "$prefix:cart"
    private val values = redis.opsForValue()
    lateinit var commands: Commands<String, String>?
    val hashes by lazy { redis.opsForHash<String, String>() }

    companion object {
        const val TTL = 60L
        private const val VERSION = "v2"
    }

    init {
        commands = connect()
    }

    private fun itemsKey(id: Long) = "{cart:$id}:items"

    fun profileKey(user: User): String {
        if (user.guest) return "guest:\${user.id}"
        return "user:\${user.id}:profile"
    }

    fun load(id: Long): String? {
        val key: String = root + ":" + id
        this.last = key
        return values.get(key) ?: redis.opsForValue().get(itemsKey(id))!!
    }

    fun keys(ids: List<Long>) = redis.opsForValue().multiGet(listOf("a:$VERSION", String.format("b:%d", ids[0]), "c:%s".format(ids[1])))

    fun each(ids: List<Long>) {
        ids.forEach { redis.delete("cart:$it") }
        redis.execute(script, listOf("k")) { conn -> conn.del(itemsKey(1)) }
        redis.opsForValue().set(key = "k", value = if (ids.isEmpty()) "none" else "some")
    }
}
`;

/** An expression in a short notation: `"lit"`, `name`, `a.b`, `f(x, k=v)`, `interp("a", id)`, `alt(a | b)`. */
function show(e: Expr): string {
  switch (e.k) {
    case 'str':
      return JSON.stringify(e.value);
    case 'num':
      return String(e.value);
    case 'name':
      return e.name;
    case 'attr':
      return `${show(e.object)}.${e.name}`;
    case 'index':
      return `${show(e.object)}[${show(e.index)}]`;
    case 'call':
      return `${show(e.callee)}(${[...e.args.map(show), ...Object.entries(e.kwargs).map(([k, v]) => `${k}=${show(v)}`)].join(', ')})`;
    case 'interp':
      return `interp(${e.parts.map((p) => (typeof p === 'string' ? JSON.stringify(p) : show(p))).join(', ')})`;
    case 'concat':
      return `concat(${e.parts.map(show).join(' + ')})`;
    case 'format':
      return `format(${show(e.format)}; ${e.args.map(show).join(', ')})`;
    case 'join':
      return `join(${show(e.sep)}; ${show(e.items)})`;
    case 'list':
      return `[${e.items.map(show).join(', ')}]`;
    case 'alt':
      return `alt(${e.options.map(show).join(' | ')})`;
    case 'spread':
      return `*${show(e.value)}`;
    case 'func':
      return 'func';
    default:
      return `other(${e.text})`;
  }
}

async function extract(source: string): Promise<FileFacts> {
  return extractFile('Sample.kt', source, 'kotlin');
}

describe('Kotlin extraction', () => {
  let facts: FileFacts;
  before(async () => {
    facts = await extract(SAMPLE);
  });
  const scopeNamed = (name: string) => [...facts.scopes.values()].find((s) => s.name === name && s.kind === 'function')!;
  const binding = (name: string, scope: string): Binding | undefined => facts.bindings.find((b) => b.name === name && b.scope === scope);
  const classScope = () => [...facts.scopes.values()].find((s) => s.kind === 'class')!;

  test('parses without errors', () => {
    assert.equal(facts.syntaxErrors, 0);
  });

  test('imports: a class, an alias and a wildcard', () => {
    assert.deepEqual(facts.imports, [
      { local: 'StringRedisTemplate', module: 'org.springframework.data.redis.core.StringRedisTemplate', member: 'StringRedisTemplate' },
      { local: 'Commands', module: 'io.lettuce.core.api.coroutines.RedisCoroutinesCommands', member: 'RedisCoroutinesCommands' },
      { local: '', module: 'io.lettuce.core.cluster' },
    ]);
  });

  test('a class scope with its superclass; the companion object adds no scope of its own', () => {
    const classes = [...facts.scopes.values()].filter((s) => s.kind === 'class');
    assert.deepEqual(
      classes.map((s) => ({ name: s.name, bases: s.bases })),
      [{ name: 'CartService', bases: ['BaseService'] }],
    );
  });

  test('the primary constructor: a function named like the class; its val is a typed field the constructor sets', () => {
    const ctor = facts.functions.find((f) => f.name === 'CartService')!;
    assert.equal(ctor.className, 'CartService');
    assert.deepEqual(ctor.params, [
      { name: 'redis', type: 'StringRedisTemplate' },
      { name: 'prefix', type: 'String' },
    ]);
    const cls = classScope().id;
    // every parameter is seen by the initialisers, in the class scope
    assert.deepEqual(
      ['redis', 'prefix'].map((n) => ({ kind: binding(n, cls)?.kind, type: binding(n, cls)?.type, value: binding(n, cls)?.value.k })),
      [
        { kind: 'var', type: 'StringRedisTemplate', value: 'other' },
        { kind: 'var', type: 'String', value: 'other' },
      ],
    );
    // only the val is a field, set from the parameter (Java's this.redis = redis)
    const fields = facts.bindings.filter((b) => b.kind === 'attr' && b.scope === ctor.scope);
    assert.deepEqual(
      fields.map((b) => ({ name: b.name, className: b.className, value: show(b.value) })),
      [{ name: 'redis', className: 'CartService', value: 'redis' }],
    );
  });

  test('properties: initialisers, declared types (without ?), lateinit, lazy, companion constants', () => {
    const cls = classScope().id;
    const shown = (n: string) => ({ value: show(binding(n, cls)!.value), type: binding(n, cls)!.type });
    assert.deepEqual(shown('root'), { value: 'interp("", prefix, ":cart")', type: undefined });
    assert.deepEqual(shown('values'), { value: 'redis.opsForValue()', type: undefined });
    assert.deepEqual(shown('commands'), { value: 'other(commands: Commands<String, String>?)', type: 'Commands<String, String>' });
    assert.deepEqual(shown('hashes'), { value: 'redis.opsForHash()', type: undefined });
    assert.deepEqual(shown('TTL'), { value: '60', type: undefined });
    assert.deepEqual(shown('VERSION'), { value: '"v2"', type: undefined });
  });

  test('locals, assignments and this.x in methods and init blocks', () => {
    const load = scopeNamed('load').id;
    assert.deepEqual({ value: show(binding('key', load)!.value), type: binding('key', load)!.type }, { value: 'concat(root + ":" + id)', type: 'String' });
    const last = binding('last', load)!;
    assert.deepEqual({ kind: last.kind, className: last.className, value: show(last.value) }, { kind: 'attr', className: 'CartService', value: 'key' });
    const init = [...facts.scopes.values()].find((s) => s.kind === 'function' && !s.name && s.className === 'CartService')!;
    assert.equal(show(binding('commands', init.id)!.value), 'connect()');
  });

  test('functions: parameters with types, their class, returns of block and expression bodies', () => {
    const fns = facts.functions.filter((f) => f.name !== 'CartService');
    assert.deepEqual(
      fns.map((f) => ({ name: f.name, className: f.className, params: f.params, returns: f.returns.map(show) })),
      [
        { name: 'itemsKey', className: 'CartService', params: [{ name: 'id', type: 'Long' }], returns: ['interp("{cart:", id, "}:items")'] },
        { name: 'profileKey', className: 'CartService', params: [{ name: 'user', type: 'User' }], returns: ['interp("guest:", user.id, "")', 'interp("user:", user.id, ":profile")'] },
        { name: 'load', className: 'CartService', params: [{ name: 'id', type: 'Long' }], returns: ['alt(values.get(key) | redis.opsForValue().get(itemsKey(id)))'] },
        {
          name: 'keys',
          className: 'CartService',
          params: [{ name: 'ids', type: 'List<Long>' }],
          returns: ['redis.opsForValue().multiGet([interp("a:", VERSION, ""), format("b:%d"; ids[0]), format("c:%s"; ids[1])])'],
        },
        { name: 'each', className: 'CartService', params: [{ name: 'ids', type: 'List<Long>' }], returns: [] },
      ],
    );
  });

  test('every call is a call site, in its scope: arguments, lambdas, initialisers, expression bodies', () => {
    const where = (scope: string) => {
      const s = facts.scopes.get(scope)!;
      return s.name ?? (s.argOf !== undefined ? `lambda of ${show(facts.calls.find((c) => c.call.id === s.argOf)!.call.callee)}` : s.kind === 'class' ? 'class' : 'init');
    };
    assert.deepEqual(
      facts.calls.map((c) => `${where(c.scope)}: ${show(c.call)}`),
      [
        'CartService: redis.opsForValue()',
        'lambda of lazy: redis.opsForHash()',
        'CartService: lazy(func)',
        'init: connect()',
        'load: values.get(key)',
        'load: itemsKey(id)',
        'load: redis.opsForValue()',
        'load: redis.opsForValue().get(itemsKey(id))',
        // `ids[0]` is `ids.get(0)` (Kotlin's index operator)
        'keys: ids.get(0)',
        'keys: ids.get(1)',
        'keys: redis.opsForValue()',
        'keys: redis.opsForValue().multiGet([interp("a:", VERSION, ""), format("b:%d"; ids[0]), format("c:%s"; ids[1])])',
        'lambda of ids.forEach: redis.delete(interp("cart:", it, ""))',
        'each: ids.forEach(func)',
        'lambda of redis.execute: itemsKey(1)',
        'lambda of redis.execute: conn.del(itemsKey(1))',
        'each: redis.execute(script, ["k"], func)',
        'each: redis.opsForValue()',
        'each: redis.opsForValue().set(key="k", value=alt("none" | "some"))',
        'each: ids.isEmpty()',
      ],
    );
  });

  test('lambdas: their own scope, parameters (or it), the call they are passed to', () => {
    const lambdas = [...facts.scopes.values()].filter((s) => s.argOf !== undefined);
    assert.deepEqual(
      lambdas.map((s) => ({ params: s.params, to: facts.calls.find((c) => c.call.id === s.argOf)?.call.text })),
      [
        { params: [{ name: 'it' }], to: 'lazy { redis.opsForHash<String, String>() }' },
        { params: [{ name: 'it' }], to: 'ids.forEach { redis.delete("cart:$it") }' },
        // the trailing lambda after parentheses belongs to the one call
        { params: [{ name: 'conn' }], to: 'redis.execute(script, listOf("k")) { conn -> conn.del(itemsKey(1)) }' },
      ],
    );
  });

  test('expressions: templates, raw strings, escapes, safe calls, !!, as, elvis, if, when, index, spread', async () => {
    const f = await extract(`fun f() {
    val a = "user:\${u.id}:$id"
    val b = """raw $id \\n"""
    val c = "tab\\t\\$id \\u0041"
    val d = user?.profile!!.id
    val e = (x as String)
    val g = y ?: return
    val h = when (t) { 1 -> "one"; 2 -> { log(); "two" } else -> throw E() }
    val i = m["k"] + 1
    val j = mutableListOf(*keys)
    val k = listOf("a", "b").joinToString(":")
}`);
    assert.deepEqual(
      f.bindings.map((b) => `${b.name} = ${show(b.value)}`),
      [
        'a = interp("user:", u.id, ":", id, "")',
        'b = interp("raw ", id, " \\\\n")',
        'c = "tab\\t$id A"',
        'd = user.profile.id',
        'e = x',
        'g = y',
        'h = alt("one" | "two")',
        'i = concat(m["k"] + 1)',
        'j = [*keys]',
        'k = join(":"; ["a", "b"])',
      ],
    );
  });

  test('a call with a trailing lambda after its parentheses is one call site', async () => {
    const f = await extract(`fun f() { template.execute(RedisScript.of(lua), keys) { it.get("k") } }`);
    assert.deepEqual(
      f.calls.map((c) => show(c.call)),
      ['RedisScript.of(lua)', 'it.get("k")', 'template.execute(RedisScript.of(lua), keys, func)'],
    );
  });

  test('object declarations are classes; top-level properties and functions are the module\'s', async () => {
    const f = await extract(`object Keys {
    const val PREFIX = "app"
    fun user(id: String) = "$PREFIX:user:$id"
}
val shared = Keys.user("x")
fun top(): String = Keys.PREFIX
`);
    const keys = [...f.scopes.values()].find((s) => s.kind === 'class')!;
    assert.equal(keys.name, 'Keys');
    assert.deepEqual(
      f.bindings.map((b) => `${b.scope === 'module' ? 'module' : f.scopes.get(b.scope)!.name}.${b.name} = ${show(b.value)}`),
      ['Keys.PREFIX = "app"', 'module.shared = Keys.user("x")'],
    );
    assert.deepEqual(
      f.functions.map((fn) => `${fn.className ?? ''}.${fn.name} -> ${fn.returns.map(show).join('; ')}`),
      ['Keys.user -> interp("", PREFIX, ":user:", id, "")', '.top -> Keys.PREFIX'],
    );
  });
});

describe('Kotlin key uses (the kotlin-spring rule fixture)', () => {
  const dir = path.join(__dirname, '..', 'fixtures', 'rules', 'kotlin-spring');
  const EXPECTED: Record<string, string[]> = {
    'CartService.kt:15': ['HINCRBY {cart:${id}}:items'],
    'CartService.kt:16': ['PEXPIRE {cart:${id}}:items'],
    'CartService.kt:19': ['HGETALL {cart:${id}}:items'],
    'CartService.kt:21': ['GET price:${sku}'],
    'CartService.kt:24': ['SET price:${sku}'],
    'CartService.kt:29': ['MGET cart:${id}:coupon', 'MGET user:${id}:profile'],
    'CartService.kt:32': ['MGET {user:${id}}:profile', 'MGET {user:${id}}:settings'],
    'CartService.kt:36': ['ZUNIONSTORE rank:monday', 'ZUNIONSTORE rank:tuesday', 'ZUNIONSTORE rank:week'],
    'StockService.kt:19': ['MGET stock:A100', 'MGET stock:B200'],
    'StockService.kt:20': ['EXISTS {sku:${sku}}:reserved', 'EXISTS {sku:${sku}}:stock'],
    'StockService.kt:21': ['SUNIONSTORE coupon:SPRING', 'SUNIONSTORE coupon:all'],
    'StockService.kt:22': ['SUNIONSTORE {sku:${sku}}:eu', 'SUNIONSTORE {sku:${sku}}:regions', 'SUNIONSTORE {sku:${sku}}:us'],
    'StockService.kt:23': ['INCRBY stock:${sku}'],
    'PriceCache.kt:13': ['GET price:${sku}'],
    'PriceCache.kt:15': ['GET cache:price:${sku}'],
    'PriceCache.kt:18': ['DEL cache:price:${sku}'],
    'PriceCache.kt:21': ['GET cache:price:${sku}'],
    // an extension helper's own call, and its call with the caller's key (once, whichever overload runs)
    'Queues.kt:7': ['BLPOP ${*keys}'],
    'Queues.kt:9': ['BLPOP ${*keys}'],
    'Queues.kt:12': ['BLPOP queue:${queue}'],
  };

  test('Spring Data Redis (index operator and coroutine extensions too) and Lettuce coroutines calls give their commands and keys', async () => {
    const r = await scan(dir, [dir]);
    assert.deepEqual(usesByLine(r.uses, r.texts), EXPECTED);
  });
});
