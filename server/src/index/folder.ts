import * as path from 'path';
import type { Library } from '../clients/profiles';
import type { FileFacts } from '../extract/ir';
import { languageOfPath } from '../extract/parser';
import type { KeyUse } from '../model/keyuse';
import { patternId, patternText } from '../model/pattern';
import { DEFAULT_SETTINGS, KeyslotSettings } from '../protocol';
import { runRules, RuleResult } from '../rules';
import { analyze, Analysis, extractFile } from './analyze';
import { topologyOf } from './config';
import { listFiles, readSource, Skipped } from './files';
import { Manifests } from './manifests';
import { selectFiles, summarize, Summary } from './prefilter';
import { pushTo } from '../model/collections';

export interface FolderState extends Analysis, RuleResult {}

/**
 * One workspace folder, kept current: facts per file (re-extracted only for files that change),
 * then resolve + rules over all facts. The language server owns one per workspace folder.
 */
export class FolderIndex {
  private facts = new Map<string, FileFacts>();
  readonly texts = new Map<string, string>();
  private manifests: Manifests;
  state: FolderState = { uses: [], groups: [], scripts: new Map(), waits: [], flowCalls: [], findings: [], verdicts: new Map() };
  /** uses by file, and by pattern identity: hover and references answer from these */
  private usesByFile = new Map<string, KeyUse[]>();
  private usesByPattern = new Map<string, KeyUse[]>();
  private usesByText = new Map<string, KeyUse[]>();
  skipped: Skipped[] = [];
  /** readable supported files in the folder (parsed or not) */
  scanned = 0;

  constructor(
    readonly root: string,
    public settings: KeyslotSettings = DEFAULT_SETTINGS,
    /** extra exclude globs from the editor (files.exclude) */
    public editorExcludes: string[] = [],
  ) {
    this.manifests = new Manifests(root);
  }

  /** Reads and extracts every supported file; `progress` is told after each file. */
  async indexAll(progress?: (done: number, total: number) => void, overlay?: Map<string, string>): Promise<void> {
    this.skipped = [];
    const files = listFiles(this.root, [this.root], [...this.settings.exclude, ...this.editorExcludes], this.skipped);
    this.facts.clear();
    this.texts.clear();
    const summaries: Summary[] = [];
    for (const f of files) {
      const open = overlay?.get(f.rel);
      const r = open !== undefined ? { text: open } : readSource(f);
      if ('skip' in r && r.skip) this.skipped.push(r.skip);
      else if (r.text !== undefined) summaries.push(summarize({ rel: f.rel, language: f.language, text: r.text }));
    }
    // parse only what can hold Redis keys; progress counts the parsed files
    const chosen = selectFiles(summaries);
    let done = 0;
    for (const c of chosen) {
      const text = c.text ?? overlay?.get(c.rel) ?? readSource({ abs: path.join(this.root, c.rel), rel: c.rel, language: c.language }).text;
      if (text !== undefined) await this.extract(c.rel, text);
      progress?.(++done, chosen.length);
    }
    this.scanned = summaries.length;
    this.manifests = new Manifests(this.root);
    await this.reanalyze();
  }

  /** A file's new text (an open editor's buffer, or a changed file on disk). */
  async setText(rel: string, text: string): Promise<void> {
    if (this.texts.get(rel) === text) return;
    await this.extract(rel, text);
  }

  remove(rel: string): boolean {
    this.texts.delete(rel);
    return this.facts.delete(rel);
  }

  has(rel: string): boolean {
    return this.facts.has(rel);
  }

  private async extract(rel: string, text: string): Promise<void> {
    const language = languageOfPath(rel);
    if (!language) return;
    this.texts.set(rel, text);
    this.facts.set(rel, await extractFile(rel, text, language));
  }

  /** Resolves across files and runs the rules: a change to a key builder reaches every file that uses it. */
  async reanalyze(): Promise<void> {
    const a = await analyze([...this.facts.values()], { extraClientNames: this.settings.clients.extraNames, replicaClients: this.settings.replicaClients });
    const r = runRules(a.uses, a.groups, {
      topology: topologyOf(this.settings.topology),
      versionOf: (file: string, library: Library) => this.manifests.versionOf(file, library),
      hotTagThreshold: this.settings.hotTag.threshold,
      severity: this.settings.severity,
      scripts: a.scripts,
      waits: a.waits,
      flowCalls: a.flowCalls,
      textOf: (file) => this.texts.get(file),
    });
    this.state = { ...a, ...r };
    this.usesByFile.clear();
    this.usesByPattern.clear();
    this.usesByText.clear();
    for (const u of a.uses) {
      pushTo(this.usesByText, patternText(u.pattern), u);
      pushTo(this.usesByFile, u.file, u);
      const id = patternId(u.pattern.segments);
      pushTo(this.usesByPattern, id, u);
    }
  }

  /** The key use whose expression contains the offset (the innermost one). */
  useAt(rel: string, offset: number): KeyUse | undefined {
    let best: KeyUse | undefined;
    for (const u of this.usesByFile.get(rel) ?? []) {
      if (u.span.start <= offset && offset <= u.span.end && (!best || u.span.end - u.span.start < best.span.end - best.span.start)) best = u;
    }
    return best;
  }

  usesIn(rel: string): KeyUse[] {
    return this.usesByFile.get(rel) ?? [];
  }

  /** Every use of the same key: same text, same runtime values. */
  samePattern(u: KeyUse): KeyUse[] {
    return this.usesByPattern.get(patternId(u.pattern.segments)) ?? [u];
  }

  /** Every use of the same key text, whatever scope its holes come from (for workspace-wide fixes and renames). */
  sameText(u: KeyUse): KeyUse[] {
    return this.usesByText.get(patternText(u.pattern)) ?? [u];
  }

  relOf(absPath: string): string | undefined {
    const rel = path.relative(this.root, absPath);
    if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
    return rel.split(path.sep).join('/');
  }
}
