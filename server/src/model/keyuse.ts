import type { Language } from '../extract/ir';
import type { ClientMode, Library, Step } from '../clients/profiles';
import type { KeyPattern, PatternHash, Segment, Span } from './pattern';
import type { Routing } from '../clients/routing';

export type Access = 'read' | 'write' | 'delete' | 'unknown';

/** One place in code where a Redis key is used. */
export interface KeyUse {
  file: string;
  span: Span;
  language: Language;
  /** canonical lower-case command ('mget', 'object|encoding'), or a library method for Redisson objects */
  command: string;
  access: Access;
  pattern: KeyPattern;
  hash: PatternHash;
  /** the receiver as written (`rc`, `self.redis`, `pipe`) */
  client: string;
  library: Library;
  mode: ClientMode;
  /** the group this key must share a slot or node with, if any */
  group: string | null;
  /** the key came from a list of unknown length (`*keys`, `...keys`) */
  spread?: boolean;
  /** the use is a project function's (a wrapper's) use, repeated where it is called with the caller's arguments */
  wrapped?: boolean;
  /** the key is built from the parameters of a helper that queues it on its caller's pipeline: each call of the helper may add another */
  perCall?: boolean;
  /** for keys used inside a Lua script: which script (see Group.script) */
  script?: string;
  /** the outermost function around the use (`file#scope`): one flow of code, nested closures included */
  flow: string;
  /** where the client sends this read (routing.ts) */
  routing: Routing;
  /** how the value analysis knows the receiver is Redis: the chain of places, shared by the uses of one receiver */
  via?: Step[];
  /** medium: only Redis-only methods called on it; low: only its name. Absent: a constructor or type, followed through the code */
  confidence?: 'medium' | 'low';
}

/** A call from one flow into a workspace function: its key uses happen there, in order, with the arguments bound. */
export interface FlowCall {
  file: string;
  flow: string;
  span: Span;
  /** the callee's flow id (`file#scope`) */
  callee: string;
  /** the callee's name, for messages */
  name: string;
  /** parameter name → the argument's key segments at the call */
  args: Map<string, Segment[]>;
}

/** A `WAIT numreplicas` call: reads after it on the same client see the writes before it. */
export interface WaitCall {
  file: string;
  flow: string;
  offset: number;
  client: string;
  /** WAIT only covers the writes of its own connection: a cluster client sends it to some other node */
  mode: ClientMode;
}

export type GroupKind = 'command' | 'transaction' | 'pipeline' | 'script' | 'watch' | 'framework';

/** Keys that must share a slot (or a node): one multi-key command, a transaction, a pipeline, a script call, a WATCH. */
export interface Group {
  id: string;
  kind: GroupKind;
  file: string;
  span: Span;
  library: Library;
  mode: ClientMode;
  /** the command for 'command' and 'script' groups */
  command?: string;
  /** a command group inside a pipeline / transaction */
  parent?: string;
  /** the code asked the library to split the keys per slot (redis-py mget_nonatomic …) */
  splitByClient?: boolean;
  /** for a call that runs a Lua script: the script's id (`file@offset` of its source), to link KEYS to the keys inside */
  script?: string;
  /** for a call of a project function: the group in that function's body this call repeats with its arguments */
  repeats?: string;
  /** a 'framework' group: the framework whose constructor keeps these keys (frameworks/frameworks.ts), and the constructor */
  framework?: {
    name: import('../frameworks/frameworks').Framework;
    what: string;
    queue?: string;
    /** BullMQ: the edit that gives the queue a hash-tagged prefix (replace `span`'s text, or insert at its start when empty) */
    prefixFix?: { span: Span; text: string; tag: string };
    /** a framework configured by settings (Celery, django-redis): what says it is on a cluster */
    evidence?: import('../frameworks/frameworks').Evidence;
  };
}

/**
 * The ids a call's group may repeat, nearest first: a call's group id is `call>body-group`, and a
 * helper that only passes its parameters on to another makes no group of its own, so the body's
 * group can sit further in (`a>b>c`: b>c, then c).
 */
export function repeatedIds(repeats: string | undefined): string[] {
  const out: string[] = [];
  for (let id = repeats; id; id = id.includes('>') ? id.slice(id.indexOf('>') + 1) : undefined) out.push(id);
  return out;
}
