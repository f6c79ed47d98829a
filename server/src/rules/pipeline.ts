import type { KeyUse } from '../model/keyuse';
import { ownerOf, Topology } from '../model/topology';
import type { Finding } from './finding';
import { capital, describeGroup, GroupVerdict, keyText, listKeys, Repeats, reportedElsewhere } from './groups';
import { pushTo } from '../model/collections';

/**
 * pipeline-cross-node: a pipeline the library sends to one node (ioredis, node-redis
 * execAsPipeline) holds keys owned by different primaries under the topology.
 */
export function pipelineRule(verdicts: Map<string, GroupVerdict>, topology: Topology, repeats?: Repeats): Finding[] {
  const out: Finding[] = [];
  for (const v of verdicts.values()) {
    if (v.requirement.need !== 'node' || reportedElsewhere(v, repeats)) continue;
    const known = v.members.filter((m) => m.hash.slot !== null);
    const byNode = new Map<string, KeyUse[]>();
    for (const m of known) {
      const node = ownerOf(topology, m.hash.slot!);
      pushTo(byNode, node, m);
    }
    const what = describeGroup(v);
    if (byNode.size > 1) {
      const at = [...byNode.values()][1][0];
      const where = [...byNode.entries()].map(([node, ms]) => `${listKeys(ms, (u) => `${keyText(u)} (slot ${u.hash.slot})`)} on ${node}`).join('; ');
      out.push({
        code: 'pipeline-cross-node',
        severity: 'error',
        file: at.file,
        span: at.span,
        anchor: v.group.span,
        message: `${capital(what)} fails on a cluster: ${v.requirement.why}, but under ${topology.source} ${where}; tag the keys used together with one entity tag, or split the pipeline per node.`,
        related: v.members.filter((m) => m !== at).map((m) => ({ file: m.file, span: m.span, message: `${keyText(m)}${m.hash.slot !== null ? ` (slot ${m.hash.slot}, ${ownerOf(topology, m.hash.slot)})` : ''}` })),
        group: v.group.id,
      });
    } else if (v.sameSlot !== 'yes' && known.length < v.members.length) {
      const at = v.members.find((m) => m.hash.slot === null) ?? v.members[0];
      out.push({
        code: 'crossslot-possible',
        severity: 'warning',
        file: at.file,
        span: at.span,
        anchor: v.group.span,
        message: `${capital(what)} may fail on a cluster: ${v.requirement.why}, and ${v.reason}.`,
        related: v.members.filter((m) => m !== at).map((m) => ({ file: m.file, span: m.span, message: keyText(m) })),
        group: v.group.id,
      });
    }
  }
  return out;
}
