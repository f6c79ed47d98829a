import { patternText } from '../model/pattern';
import type { Finding } from './finding';
import { GroupVerdict, keyText, listKeys } from './groups';

/*
 * framework-cluster: a framework whose own keys break on a cluster, judged where its constructor
 * is given a cluster connection (frameworks/frameworks.ts records the group).
 *   - BullMQ: every job script takes several keys of the queue; without a hash tag in the prefix
 *     they are in different slots and every call fails with CROSSSLOT (bullmq#906). The fix is a
 *     tagged prefix, `prefix: '{bull}'`.
 *   - Bull, BullMQ's predecessor, the same when `createClient` gives it cluster connections (its
 *     README, "Cluster support").
 *   - rq: does not support Redis Cluster at all (its pipelines take the queue and job keys together).
 */
export function frameworkRule(verdicts: Map<string, GroupVerdict>): Finding[] {
  const out: Finding[] = [];
  for (const v of verdicts.values()) {
    const g = v.group;
    if (g.kind !== 'framework' || !g.framework) continue;
    const queue = g.framework.queue ? ` ${g.framework.queue}` : '';
    if (g.framework.name === 'bullmq' || g.framework.name === 'bull') {
      const who = g.framework.name === 'bullmq' ? `BullMQ's ${g.framework.what}` : `Bull's ${g.framework.what}`;
      if (v.sameSlot === 'yes' || v.members.length < 2) continue;
      const prefix = v.members[0] ? patternText(v.members[0].pattern).split(':')[0] || 'bull' : 'bull';
      out.push({
        code: 'framework-cluster',
        severity: 'error',
        file: g.file,
        span: g.span,
        message: `${who}${queue} is given a cluster connection, and its Lua scripts take several keys of the queue together: ${listKeys(v.members, keyText)} are in different slots, so every call fails with CROSSSLOT. Give the queue a hash-tagged prefix: \`prefix: '{${prefix.replace(/[{}]/g, '')}}'\` (one tag puts the queues that share it on one node).`,
        related: v.members.map((m) => ({ file: m.file, span: m.span, message: `${keyText(m)}${m.hash.slot !== null ? ` (slot ${m.hash.slot})` : ''}` })),
        group: g.id,
      });
    } else {
      out.push({
        code: 'framework-cluster',
        severity: 'error',
        file: g.file,
        span: g.span,
        message: `rq does not support Redis Cluster: its ${g.framework.what}${queue} is given a cluster connection, and rq's pipelines take a queue's keys and its jobs' keys together, in different slots. Give rq a standalone Redis (or a Sentinel-managed primary).`,
        related: [],
        group: g.id,
      });
    }
  }
  return out;
}
