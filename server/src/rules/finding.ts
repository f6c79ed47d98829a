import type { Span } from '../model/pattern';

export type Severity = 'error' | 'warning' | 'info';

/** Every code keyslot reports, with its default severity and a one-line summary (README, SARIF rules). */
export const CODES = {
  crossslot: { severity: 'error', summary: 'Keys that must share a slot are in different slots: the cluster refuses the call (CROSSSLOT).' },
  'crossslot-possible': { severity: 'warning', summary: 'Keys that must share a slot may be in different slots, depending on runtime values.' },
  'pipeline-cross-node': { severity: 'error', summary: 'A pipeline the library sends to one node has keys owned by different primaries.' },
  'split-nonatomic': { severity: 'info', summary: 'The client library splits this multi-key call per slot: it works on a cluster, but not atomically.' },
  'script-undeclared-key': { severity: 'warning', summary: 'A Lua script touches a key that was not passed in KEYS.' },
  'empty-tag': { severity: 'warning', summary: 'The key has an empty `{}` or unclosed `{` tag, so the whole key is hashed.' },
  'bare-tag': { severity: 'warning', summary: 'The hash tag has no namespace (`{1001}`), so unrelated namespaces share its slot.' },
  'hot-tag': { severity: 'warning', summary: 'One hash tag holds many key patterns: a hotspot slot.' },
  'script-without-keys': { severity: 'error', summary: 'A script that declares no keys, on a deployment that refuses such scripts (ElastiCache Serverless).' },
  'framework-cluster': { severity: 'error', summary: "A framework's own keys fail on the cluster connection it is given (a BullMQ queue without a hash-tagged prefix, rq)." },
  'replica-read-after-write': { severity: 'warning', summary: 'A read through a replica-reading client follows a write of the same key: it may return stale data.' },
} as const satisfies Record<string, { severity: Severity; summary: string }>;

export type Code = keyof typeof CODES;

/** Each code's page (docs/codes/CODE.md): what, why, examples, the fix, how to silence it. */
export const DOCS_BASE = 'https://github.com/keyslot/keyslot/blob/main/docs/codes/';
export function docsUrl(code: Code): string {
  return `${DOCS_BASE}${code}.md`;
}

export function isCode(s: string): s is Code {
  return Object.prototype.hasOwnProperty.call(CODES, s);
}

export interface Related {
  file: string;
  span: Span;
  message: string;
}

/** One problem at one place, explained in a sentence, pointing at the other places involved. */
export interface Finding {
  code: Code;
  severity: Severity;
  file: string;
  span: Span;
  message: string;
  related: Related[];
  /** the group the finding is about, for quick fixes and the key map */
  group?: string;
  /** where a suppression comment also counts (the start of the whole call for a finding on one of its keys) */
  anchor?: Span;
}

/**
 * One diagnostic per range and code: findings about the same place (a helper that runs three
 * scripts, called once, makes three groups at that call) become the first, with what the others
 * said that it does not as related information. `sorted` is in file and position order.
 */
export function mergeRepeats(sorted: Finding[]): Finding[] {
  const out: Finding[] = [];
  for (const f of sorted) {
    const last = out[out.length - 1];
    if (!last || last.file !== f.file || last.code !== f.code || last.span.start !== f.span.start || last.span.end !== f.span.end) {
      out.push(f);
      continue;
    }
    if (f.message === last.message || last.related.some((r) => r.message === f.message)) continue;
    // (a copy: the first finding belongs to its rule's unit, which may be kept as it is)
    out[out.length - 1] = { ...last, related: [...last.related, { file: f.file, span: f.span, message: f.message }] };
  }
  return out;
}
