/**
 * Loads a CommonJS module generated as text by a test (the exact source keyslot analyses), with
 * `require` answering only the Redis client libraries installed here.
 */
export function loadGenerated<T>(source: string): T {
  const libs: Record<string, unknown> = { ioredis: require('ioredis'), iovalkey: require('iovalkey'), redis: require('redis'), '@valkey/valkey-glide': require('@valkey/valkey-glide') };
  const mod = { exports: {} as Record<string, unknown> };
  const req = (m: string) => {
    if (!(m in libs)) throw new Error(`generated file requires ${m}`);
    return libs[m];
  };
  new Function('require', 'module', 'exports', source)(req, mod, mod.exports);
  return mod.exports as T;
}
