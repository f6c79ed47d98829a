import type { KeyUse } from '../model/keyuse';
import { isHashTags } from '../model/hashtag';
import { originOffset, patternText, Segment, type Span } from '../model/pattern';
import { slotOfHashedBytes } from '../model/slot';
import { ownerOf, Topology } from '../model/topology';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { FolderIndex } from '../index/folder';
import { LineMap } from '../index/scan';

const EXAMPLE = '1001';

function lineOf(index: FolderIndex, u: KeyUse): number {
  return new LineMap(index.texts.get(u.file) ?? '').position(u.span.start).line;
}

/** A link an editor opens at the use (`file:///…/cache.py#L12`, the form VS Code hovers follow). */
function linkTo(index: FolderIndex, u: KeyUse): string {
  return `${pathToFileURL(path.join(index.root, u.file)).href}#L${lineOf(index, u)}`;
}

function holes(segs: Segment[]): string[] {
  return [...new Set(segs.filter((s) => s.kind === 'hole').map((s) => (s as { expr: string }).expr))];
}

export interface HoverOptions {
  /** the findings at the key too: for editors that do not show diagnostics in the hover themselves */
  findings: boolean;
}

/**
 * Hover for a key use, short and in the order it is read: the key; its slot and what decides it
 * (the tag, or the whole key; for a template, the values it depends on); the primary that owns
 * the slot; how often the key is used and where; where its reads go when not only to primaries;
 * the other keys in its slot or tag. Findings only when the editor does not show them already.
 */
export function hoverMarkdown(u: KeyUse, index: FolderIndex, topology: Topology, opts: HoverOptions = { findings: true }): string {
  const keysArg = scriptArgument(u);
  if (keysArg !== null) return scriptKeyMarkdown(u, keysArg, index, topology);
  const lines: string[] = [`**Redis key** \`${patternText(u.pattern)}\``, ''];
  const tag = u.hash.tag ? (isHashTags(index.tagRule) ? `hash tag \`{${patternText(u.hash.tag)}}\`` : `tag \`${patternText(u.hash.tag)}\``) : u.hash.kind === 'whole' ? 'no hash tag: the whole key is hashed' : u.hash.kind === 'empty-tag' ? 'an empty `{}` first: the whole key is hashed' : u.hash.kind === 'unmatched' ? 'no rule of the hashing policy matches it: the database refuses the key' : 'an unclosed `{`: the whole key is hashed';
  if (u.hash.kind === 'unmatched') lines.push(`no slot: ${tag}  `);
  else if (u.hash.slot !== null) {
    const owner = ownerOf(topology, u.hash.slot);
    const range = topology.ranges.find((r) => r.node === owner)!;
    const live = index.liveSlotKeys?.get(u.hash.slot);
    lines.push(`slot **${u.hash.slot}** (${tag}), on ${owner} (${range.start}-${range.end}, ${topology.source})${live !== undefined ? `; ${live} key${live === 1 ? '' : 's'} in this slot there` : ''}  `);
  } else {
    const deps = holes(u.hash.hashed);
    // the hashed part with the sample value in it is what is hashed: no tag rule applies again
    const example = slotOfHashedBytes(Buffer.from(u.hash.hashed.map((s) => (s.kind === 'hole' ? EXAMPLE : s.text)).join(''), 'utf8'));
    lines.push(`slot decided by ${deps.map((d) => `\`${d}\``).join(', ')} (${tag}); for ${deps.map((d) => `${d} = ${EXAMPLE}`).join(', ')}: slot **${example}**, on ${ownerOf(topology, example)}  `);
  }
  // how often, where and how: the count the references and the key map show
  const uses = index.sameText(u);
  const byCommand = new Map<string, { n: number; access: string }>();
  for (const x of uses) {
    const e = byCommand.get(x.command.toUpperCase()) ?? { n: 0, access: x.access };
    e.n++;
    byCommand.set(x.command.toUpperCase(), e);
  }
  const files = new Set(uses.map((x) => x.file)).size;
  lines.push(`used ${uses.length}× in ${files} file${files === 1 ? '' : 's'}: ${[...byCommand].map(([c, e]) => `${c} ×${e.n} (${e.access})`).join(', ')}  `);
  if (u.routing.reads !== 'primary') lines.push(`reads through \`${u.client}\` may go to replicas: ${u.routing.why}  `);
  // neighbours: other patterns in the same slot or with the same tag
  const others = new Map<string, KeyUse>();
  for (const x of index.neighbours(u)) if (patternText(x.pattern) !== patternText(u.pattern)) others.set(patternText(x.pattern), x);
  if (others.size) {
    const shown = [...others.values()].slice(0, 3).map((x) => `[\`${patternText(x.pattern)}\`](${linkTo(index, x)})`);
    lines.push(`also in this ${u.hash.slot !== null ? 'slot' : 'tag'}: ${shown.join(', ')}${others.size > 3 ? ` and ${others.size - 3} more` : ''}`);
  }
  if (opts.findings) {
    const findings = (index.findingsByFile().get(u.file) ?? []).filter((f) => f.span.start <= u.span.end && u.span.start <= f.span.end);
    if (findings.length) lines.push('', ...findings.map((f) => `**${f.code}** (${f.severity}): ${f.message}`));
  }
  return lines.join('\n');
}

/**
 * Hover on text that keys are built from - a prefix constant, a builder's template, a format
 * string - where no key is used: the keys it is part of (their slot or tag) and how often each is
 * used, so a definition says what it makes. Null when no key's text is written there.
 */
export function definitionHover(index: FolderIndex, file: string, offset: number): { markdown: string; span: Span } | null {
  const byPattern = new Map<string, { u: KeyUse; uses: number }>();
  let span: Span | undefined;
  for (const u of index.writtenIn(file)) {
    for (const s of u.pattern.segments) {
      if (s.kind !== 'lit') continue;
      const o = s.from?.find((x) => x.file === file && originOffset(x) <= offset && offset < originOffset(x) + x.length);
      if (!o) continue;
      span ??= { start: originOffset(o), end: originOffset(o) + o.length };
      const t = patternText(u.pattern);
      const e = byPattern.get(t) ?? { u, uses: 0 };
      e.uses++;
      byPattern.set(t, e);
      break;
    }
  }
  if (!span) return null;
  const list = [...byPattern.values()].sort((a, b) => b.uses - a.uses || patternText(a.u.pattern).localeCompare(patternText(b.u.pattern)));
  const lines = [`**Redis key text**: part of ${list.length} key pattern${list.length === 1 ? '' : 's'}`, ''];
  for (const { u, uses } of list.slice(0, 8)) {
    const where = u.hash.slot !== null ? `slot ${u.hash.slot}` : u.hash.tag ? `tag \`{${patternText(u.hash.tag)}}\`` : 'no hash tag';
    lines.push(`- \`${patternText(u.pattern)}\` (${where}), used ${uses}×`);
  }
  if (list.length > 8) lines.push(`- and ${list.length - 8} more`);
  return { markdown: lines.join('\n'), span };
}

/** `KEYS[n]` inside a script: its n (1-based), or null for any other key. */
function scriptArgument(u: KeyUse): number | null {
  const only = u.pattern.segments.length === 1 ? u.pattern.segments[0] : undefined;
  const m = u.script && only?.kind === 'hole' ? /^KEYS\[(\d+)\]$/.exec(only.expr) : null;
  return m ? Number(m[1]) : null;
}

/**
 * Hover on `KEYS[n]` in a Lua script: the keys the calls that run the script pass in that place,
 * with their slots - not a slot for a made-up value of `KEYS[n]`.
 */
function scriptKeyMarkdown(u: KeyUse, n: number, index: FolderIndex, topology: Topology): string {
  const lines = [`**Redis key** \`KEYS[${n}]\` of the script, as its calls pass it`, ''];
  const passed: KeyUse[] = [];
  for (const g of index.state.groups) {
    if (g.kind !== 'script' || g.script !== u.script) continue;
    const members = index.state.verdicts.get(g.id)?.members ?? [];
    if (members.length >= n && !members.some((m) => m.spread)) passed.push(members[n - 1]);
  }
  if (!passed.length) {
    lines.push('no call of this script in the workspace shows which key it passes here');
    return lines.join('\n');
  }
  for (const x of passed.slice(0, 5)) {
    const where = x.hash.slot !== null ? `slot **${x.hash.slot}**, on ${ownerOf(topology, x.hash.slot)}` : x.hash.tag ? `tag \`{${patternText(x.hash.tag)}}\`` : 'slot decided at run time';
    lines.push(`- \`${patternText(x.pattern)}\` (${where}) at [${x.file}:${lineOf(index, x)}](${linkTo(index, x)})`);
  }
  if (passed.length > 5) lines.push(`- and ${passed.length - 5} more calls`);
  return lines.join('\n');
}

/**
 * What the receiver is and how keyslot knows: "`self._c` is a redis-py cluster client: `self._c` = `RedisCluster(…)` at store.py:14";
 * a receiver known only by its methods or its name says so ("(medium confidence)", "(low confidence)").
 */
export function clientEvidence(u: KeyUse, index: FolderIndex): string {
  const mode = u.mode === 'unknown' ? '' : ` ${u.mode}`;
  const confidence = u.confidence ? ` (${u.confidence} confidence)` : '';
  const steps = (u.via ?? []).map((s) => {
    const text = s.file !== undefined ? index.texts.get(s.file) : undefined;
    const at = s.file !== undefined && s.span !== undefined && text !== undefined ? ` at ${s.file}:${new LineMap(text).position(s.span.start).line}` : s.file !== undefined ? ` in ${s.file}` : '';
    return `${s.what}${at}`;
  });
  return `\`${u.client}\` is a ${u.library}${mode} client${confidence}${steps.length ? `: ${steps.join(' ← ')}` : ''}.`;
}

/** Hover on a client variable: its library, mode and where its reads go. */
export function clientMarkdown(u: KeyUse, index: FolderIndex): string {
  const where = u.routing.reads === 'primary' ? 'primaries only' : u.routing.reads === 'replica' ? 'replicas' : 'primaries or replicas';
  const lines = [`**Redis client** \`${u.client}\` (${u.library}, ${u.mode === 'unknown' ? 'mode not known' : u.mode})`, '', clientEvidence(u, index), '', `reads go to ${where}: ${u.routing.why}; writes always go to primaries.`];
  if (u.routing.reads !== 'primary') lines.push('', 'Replication is asynchronous: a read right after a write of the same key can return the old value. `WAIT numreplicas timeout` on the writing connection waits until replicas have the write.');
  return lines.join('\n');
}
