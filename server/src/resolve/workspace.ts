import * as path from 'path';
import type { Binding, FileFacts, FuncDef, Scope } from '../extract/ir';

/**
 * Indexes over every file's facts so names resolve across files: module constants, class
 * attributes and functions by name. Kept deliberately simple - lookups prefer the same file, then
 * the file an import names, then a unique definition anywhere in the same language family.
 */
export class WorkspaceFacts {
  readonly files = new Map<string, FileFacts>();
  private moduleBindings = new Map<string, { file: FileFacts; b: Binding }[]>();
  private classBindings = new Map<string, { file: FileFacts; b: Binding }[]>();
  private funcs = new Map<string, { file: FileFacts; f: FuncDef }[]>();

  constructor(all: Iterable<FileFacts>) {
    for (const f of all) this.add(f);
  }

  add(f: FileFacts): void {
    this.files.set(f.file, f);
    for (const b of f.bindings) {
      const scope = f.scopes.get(b.scope);
      if (b.kind === 'attr' && b.className) push(this.classBindings, `${b.className}.${b.name}`, { file: f, b });
      else if (scope?.kind === 'module') push(this.moduleBindings, b.name, { file: f, b });
      else if (scope?.kind === 'class' && scope.name) push(this.classBindings, `${scope.name}.${b.name}`, { file: f, b });
    }
    for (const fn of f.functions) {
      push(this.funcs, fn.name, { file: f, f: fn });
      if (fn.className) push(this.funcs, `${fn.className}.${fn.name}`, { file: f, f: fn });
    }
  }

  scopeOf(file: FileFacts, id: string): Scope | undefined {
    return file.scopes.get(id);
  }

  /** A module-level binding of `name` visible from `from`: same file, imported file, same Go package, or unique. */
  moduleBinding(name: string, from: FileFacts, moduleHint?: string): { file: FileFacts; b: Binding } | undefined {
    const all = this.moduleBindings.get(name);
    if (!all) return undefined;
    const own = all.filter((x) => x.file === from);
    if (own.length) return own[own.length - 1];
    return pick(all, from, moduleHint);
  }

  classBinding(className: string, name: string, from: FileFacts): { file: FileFacts; b: Binding } | undefined {
    const all = this.classBindings.get(`${className}.${name}`);
    if (!all) return undefined;
    const own = all.filter((x) => x.file === from);
    return own.length ? own[own.length - 1] : all[all.length - 1];
  }

  func(name: string, from: FileFacts, moduleHint?: string): { file: FileFacts; f: FuncDef } | undefined {
    const all = this.funcs.get(name);
    if (!all) return undefined;
    const own = all.filter((x) => x.file === from);
    if (own.length) return own[0];
    return pick(all, from, moduleHint);
  }
}

function push<T>(m: Map<string, T[]>, k: string, v: T): void {
  const a = m.get(k);
  if (a) a.push(v);
  else m.set(k, [v]);
}

const FAMILY: Record<string, string> = { python: 'py', javascript: 'js', typescript: 'js', tsx: 'js', go: 'go', java: 'java', lua: 'lua', redis: 'redis' };

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
  return family.length === 1 ? family[0] : undefined;
}

/** `app.keys` / `./keys` / `../lib/keys.js` against a file path. */
function moduleMatches(file: string, module: string, fromFile: string): boolean {
  const noExt = file.replace(/\.[^./]+$/, '');
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
  const asPath = module.replace(/\./g, '/');
  return noExt.endsWith('/' + asPath) || noExt === asPath || noExt.endsWith('/' + module) || path.dirname(file).endsWith('/' + module);
}
