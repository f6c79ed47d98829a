import type { Library } from '../clients/profiles';
import type { Target, TestLevel } from '../protocol';
import type { ScriptInfo } from '../index/analyze';
import type { DeclaredVersion } from '../index/manifests';
import type { FlowCall, Group, KeyUse, WaitCall } from '../model/keyuse';
import type { Topology } from '../model/topology';
import { isHashTags, TagRule } from '../model/hashtag';
import { crossslotRule } from './crossslot';
import { frameworkRule } from './framework';
import { targetRule } from './target';
import { CODES, Code, docsUrl, Finding, mergeRepeats, Severity } from './finding';
import { GroupVerdict, judgeGroups, repeatsIn } from './groups';
import { pipelineRule } from './pipeline';
import { replicaRule } from './replica';
import { scriptRule } from './script';
import { LineCache, unsuppressed } from './suppress';
import { bareTagRule, emptyTagRule, hotTagRule } from './tags';

export interface RuleOptions {
  topology: Topology;
  versionOf: (file: string, library: Library) => DeclaredVersion | null;
  hotTagThreshold: number;
  /** the deployment (default oss-cluster): which groups must share a slot */
  target?: Target;
  /** how it finds the hashed part of a key (Dragonfly's lock tags); default Redis's `{…}` */
  tagRule?: TagRule;
  /** per-code severity overrides; 'off' drops the code */
  severity?: Partial<Record<Code, Severity | 'off'>>;
  /** WAIT calls and calls between functions (replica-read-after-write) */
  waits?: WaitCall[];
  flowCalls?: FlowCall[];
  /** Lua scripts whose source was read (shebang flags) */
  scripts?: Map<string, ScriptInfo>;
  /** file text, for suppression comments */
  textOf: (file: string) => string | undefined;
  /** test code: whether a file is a test, and what its findings become (keyslot.tests) */
  tests?: { level: TestLevel; isTest: (file: string) => boolean };
}

export interface RuleResult {
  findings: Finding[];
  verdicts: Map<string, GroupVerdict>;
}

/** Runs every rule over an analysed workspace; findings come sorted by file and position. */
export function runRules(uses: KeyUse[], groups: Group[], opts: RuleOptions): RuleResult {
  const verdicts = judgeGroups({ uses, groups, topology: opts.topology, versionOf: opts.versionOf, hotTagThreshold: opts.hotTagThreshold, target: opts.target ?? 'oss-cluster' });
  const repeats = repeatsIn(verdicts);
  const hashTags = !opts.tagRule || isHashTags(opts.tagRule);
  const all = [
    ...crossslotRule(verdicts, repeats, opts.tagRule),
    ...frameworkRule(verdicts, opts.target ?? 'oss-cluster'),
    ...targetRule(verdicts, opts.target ?? 'oss-cluster'),
    ...pipelineRule(verdicts, opts.topology, repeats),
    ...scriptRule(uses, verdicts, opts.scripts ?? new Map(), opts.topology, opts.tagRule),
    // (both are about `{…}` hash tags; Dragonfly's lock tags are written another way)
    ...(hashTags ? emptyTagRule(uses) : []),
    ...(hashTags ? bareTagRule(uses) : []),
    ...hotTagRule(uses, opts.hotTagThreshold, opts.tests?.isTest),
    ...replicaRule(uses, groups, opts.waits ?? [], opts.flowCalls ?? []),
  ];
  const findings = finalize(all, opts);
  findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.span.start - b.span.start || a.code.localeCompare(b.code) || a.span.end - b.span.end));
  return { findings: mergeRepeats(findings), verdicts };
}

/** Drops suppressed findings and codes set to 'off', and applies severity overrides and the test-code level. */
export function finalize(all: Finding[], opts: Pick<RuleOptions, 'severity' | 'textOf' | 'tests'>, lines?: LineCache): Finding[] {
  const findings: Finding[] = [];
  for (const f of unsuppressed(all, opts.textOf, lines)) {
    const s = opts.severity?.[f.code];
    if (s === 'off') continue;
    if (opts.tests && opts.tests.level !== 'report' && opts.tests.isTest(f.file)) {
      if (opts.tests.level === 'info') findings.push({ ...f, severity: 'info' });
      continue;
    }
    // an override replaces the default; a rule's own finer choice (script error vs warning) stays when none is set
    findings.push(s ? { ...f, severity: s } : f);
  }
  return findings;
}

export { CODES, docsUrl };
export type { Code, Finding, Severity };
