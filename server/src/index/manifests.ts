import * as fs from 'fs';
import * as path from 'path';
import type { Library } from '../clients/profiles';

/*
 * Library versions the project declares, read from the manifest nearest to each source file:
 * package.json, requirements*.txt / pyproject.toml / Pipfile, go.mod, pom.xml, build.gradle(.kts).
 * A range counts as its lower bound - the oldest version the manifest lets an install pick -
 * so behaviour that only newer versions have is never assumed for a project that allows older.
 * A lockfile beside the manifest says which version is installed, and wins over the range:
 * package-lock.json / npm-shrinkwrap.json, yarn.lock, pnpm-lock.yaml, poetry.lock / uv.lock /
 * pdm.lock, Pipfile.lock, go.sum, gradle.lockfile.
 */
export interface DeclaredVersion {
  library: Library;
  /** as written in the manifest */
  spec: string;
  /** lower bound, e.g. [6, 2, 0]; null when the spec has none (`*`, `latest`, a git URL) */
  lower: number[] | null;
  /** manifest path relative to the scan root */
  manifest: string;
}

const PACKAGES: { library: Library; npm?: string[]; pypi?: string[]; go?: RegExp; maven?: string[] }[] = [
  { library: 'ioredis', npm: ['ioredis', 'iovalkey'] },
  { library: 'node-redis', npm: ['redis', '@redis/client'] },
  { library: 'redis-py', pypi: ['redis', 'valkey'] },
  { library: 'valkey-glide', npm: ['@valkey/valkey-glide'], pypi: ['valkey-glide'] },
  { library: 'go-redis', go: /^github\.com\/(redis\/go-redis|go-redis\/redis)(\/v\d+)?$/ },
  { library: 'redigo', go: /^github\.com\/(gomodule|garyburd)\/redigo$/ },
  { library: 'rueidis', go: /^github\.com\/(redis|rueian)\/rueidis$|^github\.com\/valkey-io\/valkey-go$/ },
  { library: 'jedis', maven: ['redis.clients:jedis'] },
  { library: 'lettuce', maven: ['io.lettuce:lettuce-core', 'biz.paluch.redis:lettuce'] },
  { library: 'redisson', maven: ['org.redisson:redisson'] },
  { library: 'spring-data-redis', maven: ['org.springframework.data:spring-data-redis', 'org.springframework.boot:spring-boot-starter-data-redis'] },
];

const MANIFEST_NAMES = /^(package\.json|requirements.*\.txt|pyproject\.toml|Pipfile|go\.mod|pom\.xml|build\.gradle(\.kts)?)$/;
const LOCKFILE_NAMES = /^(package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|poetry\.lock|uv\.lock|pdm\.lock|Pipfile\.lock|go\.sum|gradle\.lockfile)$/;

/** Whether a file named `base` can change a declared version (what an editor watches for). */
export function declaresVersions(base: string): boolean {
  return MANIFEST_NAMES.test(base) || LOCKFILE_NAMES.test(base);
}

/** The same names as one glob, for a file watcher. */
export const VERSION_FILES_GLOB =
  'package.json,requirements*.txt,pyproject.toml,Pipfile,go.mod,pom.xml,build.gradle,build.gradle.kts,package-lock.json,npm-shrinkwrap.json,yarn.lock,pnpm-lock.yaml,poetry.lock,uv.lock,pdm.lock,Pipfile.lock,go.sum,gradle.lockfile';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The installed versions a lockfile pins, for the libraries keyslot knows. */
function parseLockfile(file: string, text: string): { library: Library; spec: string }[] {
  const base = path.basename(file);
  const out: { library: Library; spec: string }[] = [];
  const add = (library: Library, version: string | undefined) => {
    if (version && !out.some((o) => o.library === library)) out.push({ library, spec: version.replace(/^==/, '') });
  };
  if (base === 'package-lock.json' || base === 'npm-shrinkwrap.json' || base === 'Pipfile.lock') {
    let json: { packages?: Record<string, { version?: string }>; dependencies?: Record<string, { version?: string }>; default?: Record<string, { version?: string }>; develop?: Record<string, { version?: string }> };
    try {
      json = JSON.parse(text);
    } catch {
      return out;
    }
    for (const p of PACKAGES) {
      // lockfile v2/v3 list the installed tree under `packages`; v1 under `dependencies`; Pipfile.lock `default`/`develop`
      for (const name of p.npm ?? []) add(p.library, json.packages?.[`node_modules/${name}`]?.version ?? json.dependencies?.[name]?.version);
      for (const name of p.pypi ?? []) add(p.library, json.default?.[name]?.version ?? json.develop?.[name]?.version);
    }
  } else if (base === 'yarn.lock') {
    // `ioredis@^5.3.2:` / `"ioredis@npm:^5.3.2":` then `  version "5.3.2"` / `  version: 5.3.2`
    for (const p of PACKAGES)
      for (const name of p.npm ?? []) add(p.library, new RegExp(`^"?${escape(name)}@[^\\n]*:\\n\\s+version:?\\s+"?([^"\\s]+)`, 'm').exec(text)?.[1]);
  } else if (base === 'pnpm-lock.yaml') {
    // `  /ioredis@5.3.2:`, `  ioredis@5.3.2:`, pnpm 5's `  /ioredis/5.3.2:`
    for (const p of PACKAGES)
      for (const name of p.npm ?? []) add(p.library, new RegExp(`^\\s+['"]?/?${escape(name)}[@/](\\d[^:('"\\s]*)`, 'm').exec(text)?.[1]);
  } else if (base === 'poetry.lock' || base === 'uv.lock' || base === 'pdm.lock') {
    for (const p of PACKAGES) for (const name of p.pypi ?? []) add(p.library, new RegExp(`^name = "${escape(name)}"\\s*\\nversion = "([^"]+)"`, 'm').exec(text)?.[1]);
  } else if (base === 'go.sum') {
    // every version the build needed a hash of; the module's own code (not only its go.mod) at the highest is the one built
    for (const p of PACKAGES) {
      if (!p.go) continue;
      let best: string | undefined;
      for (const m of text.matchAll(/^(\S+) (v\d+\.\d+\.\d+[^\s/]*) /gm))
        if (p.go.test(m[1]) && (!best || compareVersions(lowerBound(m[2]) ?? [], lowerBound(best) ?? []) > 0)) best = m[2];
      add(p.library, best);
    }
  } else if (base === 'gradle.lockfile') {
    for (const p of PACKAGES) for (const name of p.maven ?? []) add(p.library, new RegExp(`^${escape(name)}:([^=\\s]+)=`, 'm').exec(text)?.[1]);
  }
  return out;
}

/** The lower bound of a version range: the first version not introduced by `<`, `<=` or `!=`. */
export function lowerBound(spec: string): number[] | null {
  let best: number[] | null = null;
  for (const alt of spec.split('||')) {
    const re = /(<=?|!=|>=?|==|~=|\^|~|=)?\s*v?(\d+(?:\.\d+)*)/g;
    let m: RegExpExecArray | null;
    let found: number[] | null = null;
    while ((m = re.exec(alt))) {
      if (m[1] && /^(<|<=|!=)$/.test(m[1])) continue;
      found = m[2].split('.').map(Number);
      break;
    }
    if (!found) return null; // one open alternative (`*`) lets anything in
    if (!best || compareVersions(found, best) < 0) best = found;
  }
  return best;
}

export function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

function parseManifest(file: string, text: string): { library: Library; spec: string }[] {
  const base = path.basename(file);
  const out: { library: Library; spec: string }[] = [];
  if (base === 'package.json') {
    let json: Record<string, Record<string, string> | undefined>;
    try {
      json = JSON.parse(text);
    } catch {
      return out;
    }
    for (const section of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
      const deps = json[section];
      if (!deps || typeof deps !== 'object') continue;
      for (const p of PACKAGES) for (const name of p.npm ?? []) if (typeof deps[name] === 'string') out.push({ library: p.library, spec: deps[name] });
    }
  } else if (/^(requirements.*\.txt|pyproject\.toml|Pipfile)$/.test(base)) {
    // `redis==5.0.1`, `redis[hiredis]>=4.5,<5`, `"redis>=5"` in pyproject, `redis = "^5.0"` in poetry / Pipfile
    for (const p of PACKAGES) {
      for (const name of p.pypi ?? []) {
        const re = new RegExp(`(?:^|["'\\s])${name}(?:\\[[^\\]]*\\])?\\s*(?:=\\s*["']([^"']*)["']|((?:[<>=!~^]=?|===)\\s*[^"'\\s;#]+))`, 'gm');
        const m = re.exec(text);
        if (m) out.push({ library: p.library, spec: (m[1] ?? m[2]).trim() });
      }
    }
  } else if (base === 'go.mod') {
    for (const m of text.matchAll(/^\s*(?:require\s+)?(\S+)\s+(v\d+\.\d+\.\d+\S*)/gm)) {
      for (const p of PACKAGES) if (p.go?.test(m[1])) out.push({ library: p.library, spec: m[2] });
    }
  } else if (base === 'pom.xml') {
    const props = new Map<string, string>();
    for (const m of text.matchAll(/<([\w.-]+)>([^<]*)<\/\1>/g)) props.set(m[1], m[2].trim());
    for (const m of text.matchAll(/<dependency>([\s\S]*?)<\/dependency>/g)) {
      const g = /<groupId>([^<]+)<\/groupId>/.exec(m[1])?.[1].trim();
      const a = /<artifactId>([^<]+)<\/artifactId>/.exec(m[1])?.[1].trim();
      let v = /<version>([^<]+)<\/version>/.exec(m[1])?.[1].trim() ?? '';
      v = v.replace(/\$\{([^}]+)\}/g, (_, k: string) => props.get(k) ?? '');
      for (const p of PACKAGES) if (p.maven?.includes(`${g}:${a}`)) out.push({ library: p.library, spec: v });
    }
  } else if (/^build\.gradle(\.kts)?$/.test(base)) {
    for (const m of text.matchAll(/["']([\w.-]+):([\w.-]+):([^"'@]+)["']/g)) {
      for (const p of PACKAGES) if (p.maven?.includes(`${m[1]}:${m[2]}`)) out.push({ library: p.library, spec: m[3] });
    }
  }
  return out;
}

/** Finds, per source file, the versions declared by the nearest manifests above it (up to the repository root). */
export class Manifests {
  private byDir = new Map<string, DeclaredVersion[]>();

  constructor(private root: string) {}

  private memo = new Map<string, DeclaredVersion | null>();

  versionOf(relFile: string, library: Library): DeclaredVersion | null {
    const start = path.dirname(path.resolve(this.root, relFile));
    const key = `${start}\0${library}`;
    if (!this.memo.has(key)) this.memo.set(key, this.lookup(start, library));
    return this.memo.get(key)!;
  }

  private lookup(start: string, library: Library): DeclaredVersion | null {
    let dir = start;
    for (;;) {
      const hit = this.dirVersions(dir).find((d) => d.library === library);
      if (hit) return hit;
      // a scanned subfolder still belongs to its project: stop at the repository root, or the top
      const parent = path.dirname(dir);
      if (parent === dir || fs.existsSync(path.join(dir, '.git'))) return null;
      dir = parent;
    }
  }

  private dirVersions(dir: string): DeclaredVersion[] {
    let found = this.byDir.get(dir);
    if (found) return found;
    found = [];
    let names: string[] = [];
    try {
      names = fs.readdirSync(dir).filter(declaresVersions);
    } catch {
      // an unreadable folder declares nothing
    }
    // the lockfiles first: what is installed, before the range that allowed it
    const ordered = [...names.filter((n) => LOCKFILE_NAMES.test(n)).sort(), ...names.filter((n) => MANIFEST_NAMES.test(n)).sort()];
    for (const name of ordered) {
      const file = path.join(dir, name);
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      const manifest = path.relative(this.root, file).split(path.sep).join('/');
      const parsed = LOCKFILE_NAMES.test(name) ? parseLockfile(file, text) : parseManifest(file, text);
      for (const d of parsed) if (!found.some((f) => f.library === d.library)) found.push({ ...d, lower: lowerBound(d.spec), manifest });
    }
    this.byDir.set(dir, found);
    return found;
  }
}
