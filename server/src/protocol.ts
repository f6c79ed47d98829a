/*
 * The one source of truth for settings and custom requests: the language server, the CLI's
 * `keyslot.config.json` and the VS Code client all use these types.
 */
import picomatch from 'picomatch';
import { CODES, Code, Severity } from './rules/finding';
import { fromRanges } from './model/topology';
import { HASH_TAGS, policyRegex, TagRule } from './model/hashtag';
import { parseClusterAddress } from './live/connection';

export interface TopologySetting {
  /** N primaries with the even split of `redis-cli --cluster create` */
  primaries?: number;
  /** or explicit slot ranges per primary: `"0-5460"`, `"7000"` */
  nodes?: { name: string; slots: string[] }[];
}

/**
 * Deployments differ in which multi-key commands may cross slots: an OSS cluster (and the cluster
 * API of managed services) none; Redis Enterprise's proxy and Azure Managed Redis's Enterprise
 * policy DEL, MSET, MGET, EXISTS, UNLINK, TOUCH; Azure active-active MGET, EXISTS, TOUCH; a
 * standalone server any. ElastiCache Serverless is a cluster that also refuses scripts with no key.
 */
export const TARGETS = ['oss-cluster', 'enterprise-proxy', 'azure-enterprise', 'azure-active-active', 'elasticache-serverless', 'dragonfly', 'standalone'] as const;
export type Target = (typeof TARGETS)[number];

export interface KeyslotSettings {
  /** globs of files to skip, on top of .gitignore and the built-in excludes */
  exclude: string[];
  clients: {
    /** receiver names to treat as Redis clients (`cache`, `store`) */
    extraNames: string[];
  };
  /** standalone clients that point at replicas: variable names, host patterns or env var names */
  replicaClients: string[];
  hotTag: {
    /** a tag used by more distinct key patterns than this is reported as hot-tag */
    threshold: number;
  };
  /** per-code severity; 'off' turns a code off */
  severity: Partial<Record<Code, Severity | 'off'>>;
  /** findings in test code: as they are ('report'), lowered to info, or left out ('off') */
  tests: {
    level: TestLevel;
    /** globs of test files, relative to the workspace root */
    paths: string[];
  };
  topology: TopologySetting;
  /** the deployment the code runs on, which decides which keys must share a slot (clients/semantics.ts) */
  target: Target;
  /**
   * HOST:PORT of any node of a running cluster to read the real topology from (read-only), or ''.
   * While it answers, its slot owners replace `topology`.
   */
  cluster: string;
  /**
   * With target `dragonfly`: the server's lock-tag flags (--locktag_delimiter,
   * --locktag_skip_n_end_delimiters, --locktag_prefix), which Dragonfly's cluster hashes by in
   * place of `{…}` hash tags. Undefined: Dragonfly's defaults, the same as Redis.
   */
  dragonflyLockTags?: { delimiter: string; skipEndDelimiters: number; prefix: string };
  /**
   * With target `enterprise-proxy`: the database's custom hashing policy, its regex rules in order
   * (each with a `tag` named group). Undefined: the standard policy, Redis's `{…}`.
   */
  hashingPolicy?: string[];
}

export type TestLevel = 'report' | 'info' | 'off';

/**
 * What counts as test code: test folders, and the test-file names of pytest, Go, Jest/Vitest/Mocha
 * and JUnit (Maven/Gradle src/test). Tests usually run against one local Redis or a mock.
 */
export const DEFAULT_TEST_PATHS = ['**/test/**', '**/tests/**', '**/__tests__/**', '**/testdata/**', '**/src/test/**', '**/test_*.py', '**/*_test.py', '**/conftest.py', '**/*_test.go', '**/*.test.*', '**/*.spec.*', '**/*Test.java', '**/*Tests.java', '**/*IT.java'];

export const DEFAULT_SETTINGS: KeyslotSettings = {
  exclude: [],
  clients: { extraNames: [] },
  replicaClients: [],
  hotTag: { threshold: 10 },
  severity: {},
  tests: { level: 'info', paths: DEFAULT_TEST_PATHS },
  topology: { primaries: 3 },
  target: 'oss-cluster',
  cluster: '',
};

/** Checks untrusted settings (a config file, an editor's settings) and says exactly what is wrong. */
export function parseSettings(input: unknown, where: string): { settings: KeyslotSettings; errors: string[] } {
  const errors: string[] = [];
  const s: KeyslotSettings = structuredClone(DEFAULT_SETTINGS);
  if (input === undefined) return { settings: s, errors };
  if (!input || typeof input !== 'object' || Array.isArray(input)) return { settings: s, errors: [`${where}: expected an object`] };
  const o = input as Record<string, unknown>;
  const strings = (v: unknown, key: string): string[] | undefined => {
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
    errors.push(`${where}: "${key}" must be an array of strings`);
    return undefined;
  };
  // a glob picomatch cannot compile (too long, bad syntax) is left out, with the reason: the others still apply
  const globs = (v: unknown, key: string): string[] | undefined => {
    const list = strings(v, key);
    return list?.filter((g, i) => {
      try {
        picomatch.makeRe(g);
        return true;
      } catch (e) {
        errors.push(`${where}: "${key}" glob ${i + 1} (${g.length > 40 ? g.slice(0, 40) + '…' : g}) is left out: ${(e as Error).message}`);
        return false;
      }
    });
  };
  for (const key of Object.keys(o)) {
    const v = o[key];
    switch (key) {
      case '$schema':
        break;
      case 'exclude':
        s.exclude = globs(v, key) ?? s.exclude;
        break;
      case 'replicaClients':
        s.replicaClients = strings(v, key) ?? s.replicaClients;
        break;
      case 'clients': {
        const c = v as Record<string, unknown>;
        if (!c || typeof c !== 'object' || Array.isArray(c) || Object.keys(c).some((k) => k !== 'extraNames')) errors.push(`${where}: "clients" takes only "extraNames"`);
        else if (c.extraNames !== undefined) s.clients.extraNames = strings(c.extraNames, 'clients.extraNames') ?? [];
        break;
      }
      case 'tests': {
        const t = v as Record<string, unknown>;
        if (!t || typeof t !== 'object' || Array.isArray(t) || Object.keys(t).some((k) => k !== 'level' && k !== 'paths')) {
          errors.push(`${where}: "tests" takes "level" and "paths"`);
          break;
        }
        if (t.level !== undefined) {
          if (t.level === 'report' || t.level === 'info' || t.level === 'off') s.tests.level = t.level;
          else errors.push(`${where}: "tests.level" must be report, info or off, not ${JSON.stringify(t.level)}`);
        }
        if (t.paths !== undefined) s.tests.paths = globs(t.paths, 'tests.paths') ?? s.tests.paths;
        break;
      }
      case 'hotTag': {
        const t = (v as Record<string, unknown>)?.threshold;
        if (typeof t !== 'number' || !Number.isInteger(t) || t < 1) errors.push(`${where}: "hotTag.threshold" must be a whole number of at least 1`);
        else s.hotTag.threshold = t;
        break;
      }
      case 'severity': {
        if (!v || typeof v !== 'object' || Array.isArray(v)) {
          errors.push(`${where}: "severity" must map codes to error, warning, info or off`);
          break;
        }
        for (const [code, level] of Object.entries(v)) {
          if (!Object.hasOwn(CODES, code)) errors.push(`${where}: unknown code "${code}" in "severity" (codes: ${Object.keys(CODES).join(', ')})`);
          else if (level !== 'error' && level !== 'warning' && level !== 'info' && level !== 'off') errors.push(`${where}: severity of "${code}" must be error, warning, info or off, not ${JSON.stringify(level)}`);
          else s.severity[code as Code] = level;
        }
        break;
      }
      case 'topology': {
        const t = v as Record<string, unknown>;
        if (!t || typeof t !== 'object' || Array.isArray(t)) {
          errors.push(`${where}: "topology" must be { "primaries": N } or { "nodes": [...] }`);
        } else if (t.nodes !== undefined) {
          if (!Array.isArray(t.nodes) || !t.nodes.every((n) => n && typeof n.name === 'string' && Array.isArray(n.slots) && n.slots.every((r: unknown) => typeof r === 'string' && /^\d+(-\d+)?$/.test(r))))
            errors.push(`${where}: "topology.nodes" must be a list of { "name": "...", "slots": ["0-5460", ...] }`);
          else {
            // every slot exactly once, or the layout is left out (the even split of 3 stays) and the user told why
            const nodes = t.nodes as NonNullable<TopologySetting['nodes']>;
            try {
              fromRanges(nodes.flatMap((n) => n.slots.map((r) => ({ start: Number(r.split('-')[0]), end: Number(r.split('-')[1] ?? r), node: n.name }))), 'the configured topology');
              s.topology = { nodes };
            } catch (e) {
              errors.push(`${where}: topology: ${(e as Error).message}`);
            }
          }
        } else if (typeof t.primaries === 'number' && Number.isInteger(t.primaries) && t.primaries >= 1 && t.primaries <= 16384) {
          s.topology = { primaries: t.primaries };
        } else errors.push(`${where}: "topology.primaries" must be a whole number from 1 to 16384`);
        break;
      }
      case 'target':
        if (typeof v === 'string' && (TARGETS as readonly string[]).includes(v)) s.target = v as Target;
        else errors.push(`${where}: "target" must be one of ${TARGETS.join(', ')}, not ${JSON.stringify(v)}`);
        break;
      case 'cluster':
        if (v === '' || v === null) s.cluster = '';
        else if (typeof v !== 'string') errors.push(`${where}: "cluster" must be "HOST:PORT" or "redis[s]://[USER@]HOST:PORT" of a cluster node, or "" for none`);
        else {
          try {
            parseClusterAddress(v);
            s.cluster = v.trim();
          } catch (e) {
            errors.push(`${where}: "cluster": ${(e as Error).message}`);
          }
        }
        break;
      case 'dragonflyLockTags': {
        const d = v as Record<string, unknown>;
        const known = ['delimiter', 'skipEndDelimiters', 'prefix'];
        if (!d || typeof d !== 'object' || Array.isArray(d) || Object.keys(d).some((k) => !known.includes(k))) {
          errors.push(`${where}: "dragonflyLockTags" takes only ${known.map((k) => `"${k}"`).join(', ')}`);
          break;
        }
        const delimiter = d.delimiter ?? '';
        const skip = d.skipEndDelimiters ?? 0;
        const prefix = d.prefix ?? '';
        // Dragonfly refuses a delimiter of more than one character at start-up
        if (typeof delimiter !== 'string' || delimiter.length > 1 || /[^\x21-\x7e]/.test(delimiter)) errors.push(`${where}: "dragonflyLockTags.delimiter" must be one printable ASCII character (--locktag_delimiter), or "" for {…}`);
        else if (typeof skip !== 'number' || !Number.isInteger(skip) || skip < 0 || skip > 1000) errors.push(`${where}: "dragonflyLockTags.skipEndDelimiters" must be a whole number from 0 (--locktag_skip_n_end_delimiters)`);
        else if (typeof prefix !== 'string') errors.push(`${where}: "dragonflyLockTags.prefix" must be a string (--locktag_prefix)`);
        else s.dragonflyLockTags = { delimiter, skipEndDelimiters: skip, prefix };
        break;
      }
      case 'hashingPolicy': {
        const problem = hashingPolicyProblem(v);
        if (problem) errors.push(`${where}: "hashingPolicy" ${problem}`);
        else s.hashingPolicy = v as string[];
        break;
      }
      default:
        errors.push(`${where}: unknown setting "${key}"`);
    }
  }
  if (s.dragonflyLockTags && s.target !== 'dragonfly') errors.push(`${where}: "dragonflyLockTags" applies with "target": "dragonfly" only`);
  if (s.hashingPolicy && s.target !== 'enterprise-proxy') errors.push(`${where}: "hashingPolicy" applies with "target": "enterprise-proxy" only (a Redis Enterprise database's custom hashing policy)`);
  return { settings: s, errors };
}

/** What is wrong with a hashing policy as Redis Enterprise takes it (1 to 32 rules of up to 256 characters, each with a `tag` group), or undefined. */
function hashingPolicyProblem(v: unknown): string | undefined {
  if (!Array.isArray(v) || v.some((r) => typeof r !== 'string')) return 'must be a list of regular expressions (strings)';
  if (v.length < 1 || v.length > 32) return `takes 1 to 32 rules, not ${v.length}`;
  for (const [i, rule] of (v as string[]).entries()) {
    if (rule.length > 256) return `rule ${i + 1} is longer than 256 characters`;
    let re: RegExp;
    try {
      re = policyRegex(rule);
    } catch (e) {
      return `rule ${i + 1} (${JSON.stringify(rule)}) is not a regular expression keyslot can read: ${(e as Error).message}`;
    }
    if (!re.source.includes('(?<tag>')) return `rule ${i + 1} (${JSON.stringify(rule)}) has no \`(?<tag>…)\` group: the policy hashes what that group matches`;
  }
  return undefined;
}

/** How the settings' deployment finds the hashed part of a key: Redis's `{…}`, Dragonfly's lock tags, or a Redis Enterprise hashing policy. */
export function tagRuleOf(s: Pick<KeyslotSettings, 'target' | 'dragonflyLockTags' | 'hashingPolicy'>): TagRule {
  if (s.target === 'enterprise-proxy' && s.hashingPolicy) return { policy: s.hashingPolicy };
  const d = s.target === 'dragonfly' ? s.dragonflyLockTags : undefined;
  if (!d) return HASH_TAGS;
  return { open: d.delimiter || '{', close: d.delimiter || '}', skip: d.skipEndDelimiters, prefix: d.prefix };
}

/** Client → server notification: the cluster password the editor keeps in its secret storage changed (`{ password }`, null when removed). */
export const CLUSTER_PASSWORD_METHOD = 'keyslot/clusterPassword';

/** The settings section the editor sends (`keyslot.*`). */
export const SETTINGS_SECTION = 'keyslot';

/** `keyslot/keyMap`: the workspace's key patterns, for the key-map panel and the slot heatmap. */
export const KEY_MAP_METHOD = 'keyslot/keyMap';

export interface KeyMapUse {
  uri: string;
  line: number;
  character: number;
  command: string;
  access: string;
  /** the line of code, trimmed (as the References view shows it) */
  preview: string;
  /** the folder's diagnostics about this use: each diagnostic is counted on exactly one use (see findingOwners) */
  findings: number;
}

export interface KeyMapPattern {
  pattern: string;
  tag: string | null;
  /**
   * the tag with its runtime values as `${…}`: one entity whatever the variable is called
   * (`{user:${uid}}` and `{user:${userId}}` are `{user:${…}}`); null without a tag
   */
  tagShape: string | null;
  /** where the tag's braces are in `pattern` ([start, end), braces included): its literal `{` and `}`, not a `${…}` */
  tagSpan: [number, number] | null;
  /** no literal tag, but the key starts with a runtime value that may bring one (`${prefix}:jobs`) */
  tagUnknown: boolean;
  slot: number | null;
  /** prefix before the first `:`, or '' */
  namespace: string;
  reads: number;
  writes: number;
  /** findings on any use of this pattern */
  findings: number;
  uses: KeyMapUse[];
}

export interface KeyMapResult {
  folders: {
    uri: string;
    files: number;
    patterns: KeyMapPattern[];
    findings: number;
    topology: { start: number; end: number; node: string }[];
    /** with keyslot.cluster: keys per slot in the live cluster, for the slots of the code's fixed-slot keys */
    liveKeys?: Record<number, number>;
  }[];
}

/** `keyslot/status` (server → client notification): the index changed; the client refreshes its views. */
export const STATUS_METHOD = 'keyslot/status';

export interface StatusParams {
  state: 'indexing' | 'ready';
  /** supported files scanned, and files parsed for Redis calls */
  files: number;
  keyUses: number;
  patterns: number;
  findings: { error: number; warning: number; info: number };
  /** settings that were not applied (bad values in keyslot.config.json or the editor's settings), one sentence each */
  settingsProblems?: string[];
}

/** `keyslot/keyAt`: the key use at a position (for "copy slot" and "reveal in panel"), or null. */
export const KEY_AT_METHOD = 'keyslot/keyAt';

export interface KeyAtParams {
  uri: string;
  line: number;
  character: number;
}

export interface KeyAtResult {
  pattern: string;
  /** the part that is hashed (the tag, or the whole key) */
  hashed: string;
  tag: string | null;
  /** null when the hashed part depends on runtime values */
  slot: number | null;
}

/** `keyslot/slotOf`: the slot of a literal key name (the selected text). */
export const SLOT_OF_METHOD = 'keyslot/slotOf';

export interface SlotOfParams {
  key: string;
}

export interface SlotOfResult {
  key: string;
  hashed: string;
  slot: number;
  /** the primary that owns it under the first folder's topology */
  owner: string;
}

/** The semantic token types the server sends: `hashTag` marks the hashed `{…}` part of a key string. */
export const SEMANTIC_TOKEN_TYPES = ['hashTag'] as const;

/** `keyslot/reindex`: read every file again (after a branch switch, a generated file, a changed .gitignore). */
export const REINDEX_METHOD = 'keyslot/reindex';

/** The editor settings (`keyslot.<key>` in package.json), one per KeyslotSettings leaf the user sets as a whole. */
export const EDITOR_SETTING_KEYS = ['exclude', 'clients.extraNames', 'replicaClients', 'hotTag.threshold', 'tests.level', 'tests.paths', 'severity', 'topology', 'target', 'cluster'] as const;

/** The VS Code language ids whose documents the client sends to the server (package.json activates on the same). */
export const EDITOR_LANGUAGES = ['python', 'javascript', 'javascriptreact', 'typescript', 'typescriptreact', 'go', 'java', 'kotlin', 'lua', 'redis'] as const;

/**
 * Node flags the language server runs with. A 32 MB young generation keeps each edit's garbage
 * from being promoted; old-generation collections were what made the slow edits (bench/lsp.ts:
 * edit p99 of 200 edits 36–50 ms without, 22–25 ms with).
 */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=32'];

/** The fixes that rename keys start their titles so; the VS Code client turns them into one modal confirmation (client/src/migration.ts). */
export const TAG_FIX_TITLE = 'Tag with ';
/** the refactor on any key (not a finding): the same change, asked for */
export const TAG_REFACTOR_TITLE = 'Add entity hash tag ';
export const WIDEN_FIX_TITLE = 'Widen the tag to ';

/** What a tag fix means for stored data, shown before it is applied. */
export const MIGRATION_NOTE =
  'Data already stored under the old key names will not be found under the new ones: the renames are recorded in keyslot.migrations.json, and `keyslot migrate --cluster HOST:PORT` moves the data (a dry run first; RENAME fails across slots).';

/** keyslot's version, as the CLI and the server report it (package.json has the same). */
export const KEYSLOT_VERSION = '0.1.0';
