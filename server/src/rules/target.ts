import type { Target } from '../protocol';
import type { Finding } from './finding';
import type { GroupVerdict } from './groups';

/*
 * script-without-keys: a deployment's own rule. ElastiCache Serverless runs on a cluster behind one
 * endpoint and refuses a Lua script that declares no keys ("ERR Lua scripts without any input keys
 * are not supported"): it cannot route it. Elsewhere such a script runs on some node.
 */
export function targetRule(verdicts: Map<string, GroupVerdict>, target: Target): Finding[] {
  if (target !== 'elasticache-serverless') return [];
  const out: Finding[] = [];
  for (const v of verdicts.values()) {
    const g = v.group;
    if (g.kind !== 'script' || v.members.length) continue;
    out.push({
      code: 'script-without-keys',
      severity: 'error',
      file: g.file,
      span: g.span,
      message: 'ElastiCache Serverless refuses a script that declares no keys ("ERR Lua scripts without any input keys are not supported"): pass the keys the script reads and writes in KEYS.',
      related: [],
      group: g.id,
    });
  }
  return out;
}
