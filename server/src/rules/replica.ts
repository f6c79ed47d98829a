import type { FlowCall, Group, KeyUse, WaitCall } from '../model/keyuse';
import { normalizeSegments, patternId, Segment } from '../model/pattern';
import type { Finding } from './finding';
import { idOf, keyText } from './groups';
import { groupBy } from '../model/collections';

/*
 * replica-read-after-write: in one flow of code (a function with its nested closures, and the
 * workspace functions it calls, in order) a write of a key followed by a read of the same key -
 * same text, same runtime values - through a client that reads from replicas. Replication is
 * asynchronous, so the read can return the old value. A `WAIT numreplicas` on the writer's own
 * connection between the two makes the write visible first.
 */
interface Event {
  at: number;
  use: KeyUse;
  /** the key's identity in this flow (callee parameters replaced by the caller's arguments) */
  id: string;
  /** the call it happens inside, when it is in a called function */
  via?: FlowCall;
}

/** What the rule reads of the workspace, by flow. */
export interface FlowSource {
  /** the flow's key uses, Lua left out (scripts run on the primary) */
  uses(flow: string): KeyUse[] | undefined;
  calls(flow: string): FlowCall[] | undefined;
  waits(flow: string): WaitCall[] | undefined;
  /** the group is a transaction or pipeline, or a command inside one: it runs on the primary */
  batched(group: string): boolean;
}

export function replicaRule(uses: KeyUse[], groups: Group[], waits: WaitCall[], flowCalls: FlowCall[] = []): Finding[] {
  // a transaction or pipeline runs on one node: the primary, as soon as it holds a write
  const batched = new Set(groups.filter((g) => g.kind === 'transaction' || g.kind === 'pipeline').map((g) => g.id));
  for (const g of groups) if (g.parent && batched.has(g.parent)) batched.add(g.id);
  const byFlow = groupBy(uses.filter((u) => u.library !== 'lua'), (u) => u.flow); // scripts run on the primary
  const waitsByFlow = groupBy(waits, (w) => w.flow);
  const callsByFlow = groupBy(flowCalls, (c) => c.flow);
  const src: FlowSource = { uses: (f) => byFlow.get(f), calls: (f) => callsByFlow.get(f), waits: (f) => waitsByFlow.get(f), batched: (g) => batched.has(g) };
  return replicaFindings(new Set([...byFlow.keys(), ...callsByFlow.keys()]), src);
}

/** The rule for some flows of the workspace. */
export function replicaFindings(flows: Iterable<string>, src: FlowSource): Finding[] {
  const out: Finding[] = [];
  for (const flow of flows) {
    // a wrapper's uses at its call sites are already the callee events below (flow calls)
    const events: Event[] = (src.uses(flow) ?? []).filter((u) => !u.wrapped).map((u) => ({ at: u.span.start, use: u, id: idOf(u.pattern.segments) }));
    for (const c of src.calls(flow) ?? []) {
      if (c.callee === flow) continue;
      for (const u of src.uses(c.callee) ?? []) events.push({ at: c.span.start, use: u, id: patternId(normalizeSegments(bind(u.pattern.segments, c))), via: c });
    }
    // callee events keep their own order inside the call
    events.sort((a, b) => a.at - b.at || (a.via && b.via ? a.use.span.start - b.use.span.start : 0));
    const lastWrite = new Map<string, Event>();
    for (const e of events) {
      const u = e.use;
      if (u.access === 'write' || u.access === 'delete') {
        lastWrite.set(e.id, e);
        continue;
      }
      if (u.access !== 'read' || u.routing.reads === 'primary' || (u.group && src.batched(u.group))) continue;
      const w = lastWrite.get(e.id);
      if (!w) continue;
      if (e.via && w.via === e.via) continue; // both inside one call: the callee's own flow reports it
      // WAIT counts only on the writer's own connection: a standalone or Sentinel client; cluster clients send it to some node
      const waited = (src.waits(flow) ?? []).some((x) => x.offset > w.at && x.offset < e.at && x.client === w.use.client && (x.mode === 'standalone' || x.mode === 'sentinel'));
      if (waited) continue;
      const may = u.routing.reads === 'replica' ? 'reads from a replica' : 'may read from a replica';
      const what = w.use.access === 'delete' ? 'deleted' : 'written';
      const inCall = e.via ? ` inside \`${e.via.name}()\`` : '';
      out.push({
        code: 'replica-read-after-write',
        severity: 'warning',
        file: e.via ? e.via.file : u.file,
        span: e.via ? e.via.span : u.span,
        message: `${u.command.toUpperCase()} of ${keyText(u)}${inCall} through \`${u.client}\` ${may} (${u.routing.why}) right after the key was ${what} by ${w.use.command.toUpperCase()}${w.via ? ` in \`${w.via.name}()\`` : ''}: replication is asynchronous, so it can see the old value; read it through a primary client, or WAIT for the replicas after the write.`,
        related: [
          { file: w.use.file, span: w.use.span, message: `${keyText(w.use)} is ${what} here by ${w.use.command.toUpperCase()} through \`${w.use.client}\`` },
          ...(e.via ? [{ file: u.file, span: u.span, message: `the read inside \`${e.via.name}()\`` }] : []),
        ],
      });
    }
  }
  return out;
}

/** A callee's key with its parameters replaced by the arguments of one call. */
function bind(segs: Segment[], c: FlowCall): Segment[] {
  return segs.flatMap((s) => (s.kind === 'hole' && s.scope === c.callee && c.args.has(s.expr) ? c.args.get(s.expr)! : [s]));
}
