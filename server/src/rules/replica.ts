import type { Group, KeyUse, WaitCall } from '../model/keyuse';
import { patternId } from '../model/pattern';
import type { Finding } from './finding';
import { keyText } from './groups';

/*
 * replica-read-after-write: in one flow of code (a function with its nested closures), a write of
 * a key followed by a read of the same key - same text, same runtime values - through a client
 * that reads from replicas. Replication is asynchronous, so the read can return the old value.
 * A `WAIT numreplicas` on the writing client between the two makes the write visible first.
 */
export function replicaRule(uses: KeyUse[], groups: Group[], waits: WaitCall[]): Finding[] {
  // a transaction or pipeline runs on one node: the primary, as soon as it holds a write
  const batched = new Set(groups.filter((g) => g.kind === 'transaction' || g.kind === 'pipeline').map((g) => g.id));
  for (const g of groups) if (g.parent && batched.has(g.parent)) batched.add(g.id);
  const byFlow = new Map<string, KeyUse[]>();
  for (const u of uses) {
    if (u.library === 'lua') continue; // scripts run on the primary
    byFlow.set(u.flow, [...(byFlow.get(u.flow) ?? []), u]);
  }
  const waitsByFlow = new Map<string, WaitCall[]>();
  for (const w of waits) waitsByFlow.set(w.flow, [...(waitsByFlow.get(w.flow) ?? []), w]);
  const out: Finding[] = [];
  for (const [flow, list] of byFlow) {
    list.sort((a, b) => a.span.start - b.span.start);
    const lastWrite = new Map<string, KeyUse>();
    for (const u of list) {
      const id = patternId(u.pattern.segments);
      if (u.access === 'write' || u.access === 'delete') {
        lastWrite.set(id, u);
        continue;
      }
      if (u.access !== 'read' || u.routing.reads === 'primary' || (u.group && batched.has(u.group))) continue;
      const w = lastWrite.get(id);
      if (!w) continue;
      // WAIT counts only on the writer's own connection: a standalone or Sentinel client; cluster clients send it to some node
      const waited = (waitsByFlow.get(flow) ?? []).some((x) => x.offset > w.span.start && x.offset < u.span.start && x.client === w.client && (x.mode === 'standalone' || x.mode === 'sentinel'));
      if (waited) continue;
      const may = u.routing.reads === 'replica' ? 'reads from a replica' : 'may read from a replica';
      const what = w.access === 'delete' ? 'deleted' : 'written';
      out.push({
        code: 'replica-read-after-write',
        severity: 'warning',
        file: u.file,
        span: u.span,
        message: `${u.command.toUpperCase()} of ${keyText(u)} through \`${u.client}\` ${may} (${u.routing.why}) right after the key was ${what} by ${w.command.toUpperCase()}: replication is asynchronous, so it can see the old value; read it through a primary client, or WAIT for the replicas after the write.`,
        related: [{ file: w.file, span: w.span, message: `${keyText(w)} is ${what} here by ${w.command.toUpperCase()} through \`${w.client}\`` }],
      });
    }
  }
  return out;
}
