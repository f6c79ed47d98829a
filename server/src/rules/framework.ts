import type { Evidence } from '../frameworks/frameworks';
import { patternText } from '../model/pattern';
import type { Target } from '../protocol';
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
 *   - Celery's Redis broker and result backend, and django-redis: configured by URL, they are judged
 *     where the settings show a cluster (a cluster client class, an AWS cluster endpoint) or the
 *     target is ElastiCache Serverless, which is always a cluster.
 */
export function frameworkRule(verdicts: Map<string, GroupVerdict>, target: Target = 'oss-cluster'): Finding[] {
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
    } else if (g.framework.name === 'celery' || g.framework.name === 'django-redis') {
      const e = g.framework.evidence;
      if (!e || (e.kind === 'redis-url' && target !== 'elasticache-serverless')) continue;
      out.push({ code: 'framework-cluster', severity: 'error', file: g.file, span: g.span, message: settingsMessage(g.framework.name, g.framework.what, e), related: [], group: g.id });
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

function settingsMessage(framework: 'celery' | 'django-redis', what: string, e: Evidence): string {
  const why = e.kind === 'cluster-client' ? `\`REDIS_CLIENT_CLASS\` is \`${e.text}\`` : e.kind === 'cluster-url' ? `\`${e.host}\` is an AWS cluster endpoint` : 'the target is ElastiCache Serverless, which is always a cluster';
  if (framework === 'django-redis')
    return `django-redis does not support Redis Cluster, and its ${what} is on one (${why}): its connection factory cannot make a cluster client, and a client of one node fails \`get_many\` and \`delete_many\` with CROSSSLOT and other nodes' keys with MOVED (jazzband/django-redis#606). Point the cache at a standalone Redis or a Sentinel-managed primary.`;
  const broker = what === 'broker' ? ", and the broker's pipelines and BRPOP over several queues fail with CROSSSLOT" : '';
  return `Celery's Redis ${what} does not support Redis Cluster, and this one is on a cluster (${why}): Celery connects to one node, so keys in other nodes' slots fail with MOVED${broker} (celery/celery#2852). Use a standalone Redis or a Sentinel-managed primary${what === 'broker' ? ', or another broker (RabbitMQ, SQS)' : ''}.`;
}
