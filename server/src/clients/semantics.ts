import type { Group } from '../model/keyuse';
import { compareVersions, DeclaredVersion } from '../index/manifests';
import type { Library } from './profiles';
import type { Target } from '../protocol';

/*
 * What each library demands of a group's keys on a cluster (../shared/docs/client-libraries.md).
 * Code that builds a standalone client is judged with the library's cluster client: the question
 * keyslot answers is "what happens when this runs on a cluster".
 */
export type Need =
  /** every key in one slot, or the server (or the client) refuses */
  | 'slot'
  /** every key on one primary (a pipeline sent to one node) */
  | 'node'
  /** the library splits the call per slot itself: it works, but not atomically */
  | 'split'
  /** nothing: the library routes each command on its own */
  | 'none';

export interface Requirement {
  need: Need;
  /** half a sentence on why, for messages ("ioredis sends a pipeline to one node"); '' when it is the plain server rule */
  why: string;
  /** the deployment's proxy splits the call (whatever client sends it), not the library's cluster client */
  byProxy?: boolean;
}

interface Split {
  library: Library;
  commands: RegExp;
  /** first version that splits; null when every version with cluster support does */
  since: number[] | null;
  /** the library's name for its own package, in messages */
  label: string;
}

const SPLITS: Split[] = [
  { library: 'redis-py', commands: /^(del|exists|touch|unlink)$/, since: null, label: 'redis-py' },
  { library: 'node-redis', commands: /^(del|unlink|exists|touch|mget|mset)$/, since: [6, 2], label: 'node-redis' },
  { library: 'go-redis', commands: /^(mget|mset|del|exists|touch|unlink)$/, since: [9, 18], label: 'go-redis' },
  { library: 'jedis', commands: /^(del|exists|mget|mset|touch|unlink|msetex)$/, since: [8, 0], label: 'Jedis' },
  // glide-core splits multi-slot commands per slot and aggregates the replies (valkey-glide docs, "Multi-Slot Command Handling")
  { library: 'valkey-glide', commands: /^(mget|mset|del|unlink|exists|touch|watch)$/, since: null, label: 'Valkey GLIDE' },
  { library: 'lettuce', commands: /^(del|exists|mget|mset|msetnx|touch|unlink)$/, since: null, label: 'Lettuce' },
  // its cluster connection runs these per slot, or emulates them (RENAME as DUMP + RESTORE + DEL), when the keys' slots differ
  { library: 'spring-data-redis', commands: /^(del|unlink|exists|touch|mget|mset|msetnx|rename|renamenx|rpoplpush|brpoplpush|blpop|brpop|sdiff|sdiffstore|sinter|sintercard|sinterstore|sunion|sunionstore|smove|sort)$/, since: null, label: 'Spring Data Redis' },
];

function vtext(v: number[]): string {
  return v.join('.');
}

/** Does the library (at the declared version, or its current release when none is declared) split this command per slot? */
export function splitsCommand(library: Library, command: string, declared: DeclaredVersion | null): { split: boolean; why: string } | null {
  const s = SPLITS.find((x) => x.library === library && x.commands.test(command));
  if (!s) return null;
  if (!s.since) return { split: true, why: `${s.label} splits ${command.toUpperCase()} per slot` };
  if (declared?.lower && compareVersions(declared.lower, s.since) < 0)
    return { split: false, why: `${s.label} ${declared.spec} (${declared.manifest}) sends ${command.toUpperCase()} as one command; only ${vtext(s.since)}+ splits it per slot` };
  const which = declared?.lower ? `${s.label} ${declared.spec}` : `${s.label} ${vtext(s.since)}+ (no version declared; assumed current)`;
  return { split: true, why: `${which} splits ${command.toUpperCase()} per slot` };
}

/** Deployments behind one endpoint whose proxy runs some multi-key commands across slots itself (client-libraries.md, "Deployments"). */
const PROXIES: Partial<Record<Target, { commands: RegExp; label: string }>> = {
  'enterprise-proxy': { commands: /^(del|mset|mget|exists|unlink|touch)$/, label: "Redis Enterprise's proxy" },
  'azure-enterprise': { commands: /^(del|mset|mget|exists|unlink|touch)$/, label: "Azure Managed Redis's Enterprise clustering policy" },
  'azure-active-active': { commands: /^(mget|exists|touch)$/, label: 'Azure Managed Redis active-active' },
};

/**
 * The requirement for a group. `parent` is the pipeline or transaction a command sits in:
 * inside one, libraries do not split multi-key commands (redis-py, go-redis reject them).
 * `target`: the deployment (a standalone server holds every slot; a proxy runs some commands across slots).
 */
export function requirementOf(g: Group, parent: Group | undefined, declared: DeclaredVersion | null, target: Target = 'oss-cluster'): Requirement {
  if (target === 'standalone') return { need: 'none', why: 'the deployment target is one standalone server, which holds every slot' };
  const proxy = PROXIES[target];
  if (proxy && g.kind === 'pipeline') return { need: 'none', why: `${proxy.label} takes a pipeline on one endpoint` };
  // behind a proxy the client is a standalone one: the proxy, not the library, decides
  if (proxy && g.kind === 'command' && g.command && g.library !== 'lua') {
    if (!parent && proxy.commands.test(g.command)) return { need: 'split', why: `${proxy.label} runs ${g.command.toUpperCase()} across slots itself, one shard at a time`, byProxy: true };
    return { need: 'slot', why: `${proxy.label} runs only ${proxy.commands.source.replace(/^\^\(|\)\$$/g, '').toUpperCase().split('|').join(', ')} across slots` };
  }
  const lib = g.library;
  switch (g.kind) {
    case 'command': {
      if (lib === 'lua') return { need: 'none', why: 'inside a script, keys are checked against KEYS at the call site' };
      if (g.splitByClient) return { need: 'split', why: `redis-py's ${g.command}_nonatomic splits the keys per slot` };
      if (!parent && g.command) {
        const s = splitsCommand(lib, g.command, declared);
        if (s?.split) return { need: 'split', why: s.why };
        if (s) return { need: 'slot', why: s.why };
      }
      return { need: 'slot', why: '' };
    }
    case 'script':
    case 'watch':
      return { need: 'slot', why: '' };
    case 'transaction':
      if (lib === 'go-redis' && declared?.lower && compareVersions(declared.lower, [9, 11]) < 0)
        return { need: 'split', why: `go-redis ${declared.spec} (${declared.manifest}) silently runs a TxPipeline as one MULTI per slot (go-redis#3019); 9.11+ returns ErrCrossSlot instead` };
      return { need: 'slot', why: transactionWhy(lib) };
    case 'framework':
      // judged by rules/framework.ts, which knows what the framework does with its keys
      return { need: 'none', why: '' };
    case 'pipeline':
      if (lib === 'ioredis') return { need: 'node', why: 'ioredis sends a whole pipeline to one node and rejects keys of other nodes' };
      if (lib === 'node-redis') return { need: 'node', why: 'node-redis sends execAsPipeline() to the node of the first key' };
      return { need: 'none', why: `${lib} splits pipelines per node` };
  }
}

function transactionWhy(lib: Library): string {
  switch (lib) {
    case 'redis-py':
      return 'redis-py raises CrossSlotTransactionError for a transaction over several slots, and pipeline() on Redis is a transaction unless transaction=False';
    case 'ioredis':
      return 'ioredis multi() is one MULTI/EXEC on one node, and EXEC refuses keys of several slots';
    case 'node-redis':
      return 'node-redis multi().exec() goes to the node of the first key, and EXEC refuses keys of several slots';
    case 'go-redis':
      return 'go-redis TxPipeline must be in one slot (ErrCrossSlot)';
    case 'spring-data-redis':
      return "Spring Data Redis's cluster connection refuses multi() outright, and on one shard EXEC still needs every key in one slot";
    default:
      return 'MULTI/EXEC must have all its keys in one slot';
  }
}
