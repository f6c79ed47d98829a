import * as path from 'path';
import { link, unlink } from '../model/collections';
import type { Library } from '../clients/profiles';
import { FileFacts, newFacts } from '../extract/ir';
import { Extractor } from '../extract/base';
import { languageOfPath } from '../extract/parser';
import type { KeyUse } from '../model/keyuse';
import { patternId } from '../model/pattern';
import { DEFAULT_SETTINGS, KeyslotSettings, tagRuleOf } from '../protocol';
import { CallInterpreter } from '../clients/calls';
import type { Finding, RuleResult } from '../rules';
import { idOf, textOf } from '../rules/groups';
import { LiveRules, PerFileIndex } from '../rules/incremental';
import { WorkspaceFacts } from '../resolve/workspace';
import { Analysis, analyzeFile, contained, extractFile, FileAnalysis, PlacedLua, prepareFile, ScriptInfo } from './analyze';
import { EditCache, LastEdit } from './reparse';
import { keepUnchanged, SAME_IDS, siteReuse } from './reuse';
import { testsOf, topologyOf } from './config';
import type { Topology } from '../model/topology';
import { listFiles, normalizeLineBreaks, PathFilter, readSource, Skipped, skipReason, SourceFile, textSkip } from './files';
import { openNeighbourhood } from './openfirst';
import { Manifests } from './manifests';
import { WrittenIn } from './written';
import type { FixContext } from '../fix/tagfix';
import { FactCache } from './factcache';
import { extractFiles } from './scan';
import type { TagRule } from '../model/hashtag';
import { trace } from './trace';

export interface FolderState extends Analysis, RuleResult {}

/** Rounds of edits made and undone when a file is opened (see setText): one left its first real edits slow. */
const WARM_UP_EDITS = 2;

/** See FolderIndex.openFirstAbove: below this, the whole folder's index is quick enough. */
const OPEN_FIRST_MIN_FILES = 1000;

/**
 * One workspace folder, kept current: facts per file (re-extracted only for files that change),
 * then resolve + rules. The language server owns one per workspace folder. After the first
 * analysis an edit costs what it can affect: the changed files are interpreted again, and so are
 * the files whose results read them (a key builder, a constant) or read a name whose definitions
 * they changed; the rules re-run only for the groups, tags and flows those results touch. The
 * result is the same as analysing everything afresh (test/unit/incremental.test.ts checks that).
 */
export class FolderIndex implements FixContext {
  private facts = new Map<string, FileFacts>();
  readonly texts = new Map<string, string>();
  private manifests: Manifests;
  /** the slot owners of the cluster `settings.cluster` names, while it answers (the language server reads them) */
  liveTopology: Topology | undefined;
  /** keys per slot in that cluster, for the slots the code's fixed-slot keys are in */
  liveSlotKeys: Map<number, number> | undefined;

  /** who owns which slot: the live cluster's owners when there are some, else the configured layout */
  get topology(): Topology {
    return this.liveTopology ?? topologyOf(this.settings.topology);
  }

  state: FolderState = { uses: [], groups: [], scripts: new Map(), waits: [], flowCalls: [], findings: [], verdicts: new Map() };
  /** uses by file, and by pattern identity: hover and references answer from these */
  private usesByFile = new Map<string, KeyUse[]>();
  private written = new WrittenIn((file) => this.ws.ordinal(file));
  private usesByPattern!: PerFileIndex<KeyUse>;
  private usesByText!: PerFileIndex<KeyUse>;
  /** uses by literal slot, and by tag identity: a hover's neighbours without a walk over every use */
  private usesBySlot!: PerFileIndex<KeyUse>;
  private usesByTag!: PerFileIndex<KeyUse>;
  private ws = new WorkspaceFacts([]);
  /** syntax trees and per-statement facts of files being edited */
  private edits = new EditCache();
  private placed: PlacedLua = new Map();
  private interp?: CallInterpreter;
  private live?: LiveRules;
  /** the settings the analysis was made with: another value means starting over */
  private liveKey = '';
  /** files whose facts changed (or went) since the last analysis */
  private pending = new Set<string>();
  /** for pending files: how their re-extraction renamed the scopes of the facts analysed last ('none': nothing reused) */
  private renames = new Map<string, LastEdit | 'none'>();
  /** who read a file's facts, or looked up a name (see Reads) */
  private readersOfFile = new Map<string, Set<string>>();
  private readersOfName = new Map<string, Set<string>>();
  skipped: Skipped[] = [];
  /** readable supported files in the folder (parsed or not) */
  scanned = 0;

  constructor(
    readonly root: string,
    public settings: KeyslotSettings = DEFAULT_SETTINGS,
    /** extra exclude globs from the editor (files.exclude) */
    public editorExcludes: string[] = [],
    /** workspace folders inside this one: they index their own files */
    public innerRoots: string[] = [],
    /** where what an index learned is kept for the next start (see FactCache); undefined: nowhere */
    private readonly cacheDir?: string,
  ) {
    this.manifests = new Manifests(root);
  }

  /**
   * An index's first part: lists the folder and, in a large one, analyses the files in `overlay`
   * (open in an editor) first with what they import, and calls `onOpenAnalysed` (see
   * openFirstAbove). indexAll goes on from here; the language server starts every folder so
   * before indexing any whole, so an open file in the second folder does not wait for the first.
   */
  async start(overlay?: Map<string, string>, onOpenAnalysed?: () => void): Promise<void> {
    this.skipped = [];
    this.pathFilter = undefined;
    const files = listFiles(this.root, [this.root], this.excludes(), this.skipped);
    const turn = new EventLoopTurns();
    // a file open in an editor but not on disk (yet) is still a file of the folder
    for (const rel of overlay?.keys() ?? []) {
      const language = languageOfPath(rel);
      if (language && !files.some((f) => f.rel === rel) && this.admits(rel)) files.push({ abs: path.join(this.root, rel), rel, language });
    }
    const cache = this.cacheDir ? new FactCache(this.root, this.cacheDir) : undefined;
    // a first analysis that fails costs its speed, nothing else: the whole index follows
    const first = overlay?.size && onOpenAnalysed && files.length >= this.openFirstAbove && (await this.analyseOpenFirst(files, overlay, onOpenAnalysed, cache, turn).catch(() => false));
    // what the open files' first analysis parsed is not parsed again
    const made = new Map(first ? [...this.facts].map(([rel, facts]) => [rel, { facts, text: this.texts.get(rel) }]) : []);
    this.started = { files, cache, turn, made };
  }

  /** what start() found, for the indexAll that follows it */
  private started?: { files: SourceFile[]; cache?: FactCache; turn: EventLoopTurns; made: Map<string, { facts: FileFacts; text?: string }> };

  /**
   * Reads and extracts every supported file; `progress` is told after each file. The files in
   * `overlay` (open in an editor) are analysed first, and `onOpenAnalysed` is called then (see
   * reanalyze); in a large folder also before the rest is read (see start(), which this calls
   * unless it was called just before).
   */
  async indexAll(progress?: (done: number, total: number) => void, overlay?: Map<string, string>, onOpenAnalysed?: () => void): Promise<void> {
    if (!this.started) await this.start(overlay, onOpenAnalysed);
    const { files, cache, turn, made } = this.started!;
    this.started = undefined;
    this.facts.clear();
    this.texts.clear();
    this.live = undefined;
    // on this thread: on 2 cores, workers made conductor's first diagnostics later, not sooner
    // (1.72-2.15 s against 1.64-1.80 s, four runs each), as the editor's server shares the cores
    const x = await extractFiles(files, { workers: 0, overlay, progress, turn: () => turn.maybe(), cache, made: (rel, text) => (made.get(rel)?.text === text ? made.get(rel)!.facts : undefined) });
    for (const s of x.gathered.skipped) {
      // a file keyslot cannot analyse: the others go on, and the editor says why this one has nothing
      if (s.reason !== 'failed') this.skipped.push(s);
      else {
        this.fileNotes.set(s.rel, `keyslot could not analyse this file (internal error: ${s.detail}); the rest of the workspace is analysed. Please report it.`);
        this.facts.set(s.rel, newFacts(s.rel, languageOfPath(s.rel)!));
        this.pending.add(s.rel);
        this.renames.set(s.rel, 'none');
      }
    }
    for (const facts of x.facts) {
      this.texts.set(facts.file, x.texts.get(facts.file)!);
      this.facts.set(facts.file, facts);
      this.pending.add(facts.file);
      this.renames.set(facts.file, 'none');
      this.fileNotes.delete(facts.file);
      if (facts.tooDeep) this.fileNotes.set(facts.file, `This file nests deeper than ${Extractor.MAX_NESTING} levels: keyslot analysed it down to there.`);
    }
    this.scanned = x.gathered.scanned.length;
    trace('extracted');
    this.manifests = new Manifests(this.root);
    await this.reanalyze(overlay && new Set(overlay.keys()), onOpenAnalysed);
    this.cacheHits = cache?.hits;
    // written while the editor is in use: the next start reads it
    if (cache) this.saving = cache.save(() => turn.maybe());
  }

  /**
   * Folders of at least this many files have their open files analysed first with only the files
   * those reach through imports (openNeighbourhood), and `onOpenAnalysed` told, before the whole
   * folder is read: the editor shows their findings in a fraction of the time. The whole folder's
   * index then corrects and completes them (what callers elsewhere add).
   */
  openFirstAbove = OPEN_FIRST_MIN_FILES;

  /** The open files' first analysis (see openFirstAbove); `files` is the folder's file list. False: not worth it (nothing to leave out). */
  async analyseOpenFirst(files: SourceFile[], overlay: Map<string, string>, onOpenAnalysed: () => void, cache?: FactCache, turn = new EventLoopTurns()): Promise<boolean> {
    const open = files.filter((f) => overlay.has(f.rel));
    const near = openNeighbourhood(open, files, (f) => overlay.get(f.rel) ?? readSource(f).text);
    if (!open.length || near.length >= files.length) return false;
    this.facts.clear();
    this.texts.clear();
    this.live = undefined;
    const x = await extractFiles(near, { workers: 0, overlay, turn: () => turn.maybe(), cache });
    for (const facts of x.facts) {
      this.texts.set(facts.file, x.texts.get(facts.file)!);
      this.facts.set(facts.file, facts);
    }
    this.manifests = new Manifests(this.root);
    await this.reanalyze(new Set(open.map((f) => f.rel)), onOpenAnalysed, true);
    return true;
  }

  /** the cache being written, if it is (the server waits for it at shutdown) */
  saving?: Promise<void>;

  /** how many files' summaries and facts the last index took from the cache */
  cacheHits?: { summaries: number; facts: number };

  private excludes(): string[] {
    const inner = this.innerRoots.map((r) => path.relative(this.root, r).split(path.sep).join('/') + '/**');
    return [...this.settings.exclude, ...this.editorExcludes, ...inner];
  }

  private pathFilter: PathFilter | undefined;
  /** The scan's path rules (excludes, .gitignore), for files that arrive one at a time. */
  admits(rel: string): boolean {
    this.pathFilter ??= new PathFilter(this.root, this.excludes());
    return this.pathFilter.admits(rel);
  }

  /**
   * A file's text from an editor or a file event, through the same rules as the scan: a path the
   * scan would pass over is not indexed; a text over its limits is dropped from the index, and
   * an open file says why at its top.
   */
  async offer(rel: string, text: string, open: boolean): Promise<void> {
    if (!this.admits(rel)) {
      if (this.facts.has(rel)) this.remove(rel);
      return;
    }
    const language = languageOfPath(rel);
    const skip = language && textSkip({ rel, language }, text);
    if (skip) {
      this.remove(rel);
      if (open) this.fileNotes.set(rel, `keyslot does not analyse this file: ${skipReason(skip)}.`);
      return;
    }
    await this.setText(rel, normalizeLineBreaks(text));
  }

  /** Every indexed file under a folder (a deleted or renamed directory arrives as one event). */
  filesUnder(dir: string): string[] {
    const prefix = dir.endsWith('/') ? dir : dir + '/';
    return [...new Set([...this.texts.keys(), ...this.facts.keys(), ...this.fileNotes.keys()])].filter((r) => r.startsWith(prefix));
  }

  /** A file's new text (an open editor's buffer, or a changed file on disk). */
  async setText(rel: string, text: string): Promise<void> {
    // an edit of a known file re-extracts what it touched (EditCache); a new file is read whole
    if (this.texts.get(rel) !== text) await this.extract(rel, text, this.texts.has(rel) ? this.edits : undefined);
    else if (this.facts.has(rel)) {
      // a file opened in an editor: parse it now, so its first edit re-parses only around the change,
      // and analyse it again at the next reanalyze() (same result) so that path is warm too
      // (the facts made now are the ones later edits move and reuse)
      const language = languageOfPath(rel);
      const facts = language && (await prepareFile(rel, text, language, this.edits));
      if (facts) {
        this.facts.set(rel, facts);
        this.pending.add(rel);
        this.renames.set(rel, 'none');
        // then edits, made and undone, a few times - a line at the top (every statement moves), one at
        // the end (nothing moves, every call's results are kept) - so the first edits someone makes
        // find that code compiled; the analysis ends as it was (the caller's reanalyze() has nothing to do)
        await this.reanalyze();
        // and a character typed into the first quoted key (that statement is extracted again, its rules re-run)
        const quoted = this.usesIn(rel).find((u) => /^["'`]/.test(text.slice(u.span.start, u.span.start + 1)) && u.span.end - u.span.start > 2);
        const at = quoted ? quoted.span.start + 1 : -1;
        const edits = ['\n' + text, text + '\n', ...(at > 0 ? [text.slice(0, at) + '_' + text.slice(at)] : [])];
        for (let i = 0; i < WARM_UP_EDITS; i++) {
          for (const edited of edits) {
            await this.extract(rel, edited, this.edits);
            await this.reanalyze();
            await this.extract(rel, text, this.edits);
            await this.reanalyze();
          }
        }
      }
    }
  }

  /** Why a file is analysed only in part or not at all, one sentence per file, for the editor to show. */
  private fileNotes = new Map<string, string>();
  /** the same for files whose analysis (not extraction) failed: kept apart, as each reanalysis decides it again */
  private analysisNotes = new Map<string, string>();
  notes(): ReadonlyMap<string, string> {
    return this.analysisNotes.size ? new Map([...this.fileNotes, ...this.analysisNotes]) : this.fileNotes;
  }

  remove(rel: string): boolean {
    this.fileNotes.delete(rel);
    this.analysisNotes.delete(rel);
    this.edits.drop(rel);
    this.texts.delete(rel);
    this.pending.add(rel);
    this.renames.set(rel, 'none');
    return this.facts.delete(rel);
  }

  has(rel: string): boolean {
    return this.facts.has(rel);
  }

  private async extract(rel: string, text: string, edits?: EditCache): Promise<void> {
    const language = languageOfPath(rel);
    if (!language) return;
    this.texts.set(rel, text);
    let facts: FileFacts;
    this.fileNotes.delete(rel);
    try {
      facts = await extractFile(rel, text, language, 'module', edits);
    } catch (e) {
      // one file keyslot cannot analyse: the others go on, and the editor says why this one has nothing
      edits?.drop(rel);
      facts = newFacts(rel, language);
      this.fileNotes.set(rel, `keyslot could not analyse this file (internal error: ${(e as Error).message?.split('\n')[0]}); the rest of the workspace is analysed. Please report it.`);
    }
    if (facts.tooDeep) this.fileNotes.set(rel, `This file nests deeper than ${Extractor.MAX_NESTING} levels: keyslot analysed it down to there.`);
    this.facts.set(rel, facts);
    this.pending.add(rel);
    // twice before an analysis: the renames do not compose, so nothing is reused
    const r = edits?.lastEdit(rel);
    this.renames.set(rel, r && !this.renames.has(rel) ? r : 'none');
  }

  /**
   * Resolves across files and runs the rules: a change to a key builder reaches every file that uses it.
   * `first` (the files open in an editor) are analysed before the others, and `onFirst` is called
   * once they are: their findings can be shown while the rest of a large folder is analysed. Those
   * findings are complete but for the ones other files' calls add (a hot tag, a group continued in
   * another file), which come with the rest. `firstOnly`: analyse just those files and the helpers
   * they call (the open files' first analysis at start-up, which the whole folder's index replaces).
   */
  async reanalyze(first?: ReadonlySet<string>, onFirst?: () => void, firstOnly = false): Promise<void> {
    const opts = { extraClientNames: this.settings.clients.extraNames, replicaClients: this.settings.replicaClients, tagRule: this.tagRule };
    const key = JSON.stringify([opts, this.topology, this.settings.hotTag.threshold, this.settings.severity, this.settings.tests]);
    if (!this.live || key !== this.liveKey) this.restart(opts, key);
    const live = this.live!;
    const pending = this.pending;
    this.pending = new Set();
    const renames = this.renames;
    this.renames = new Map();
    // what the changes can affect: the files themselves, and whoever read them or a name they define
    const affected = new Set<string>();
    let namesChanged = 0;
    for (const rel of pending) {
      const facts = this.facts.get(rel);
      const names = facts ? this.ws.set(facts) : this.ws.remove(rel);
      // a name nobody looked up (most `k:` call names) changes no other analysis
      for (const n of names) if (this.readersOfName.has(n) || !n.startsWith('k:')) namesChanged++;
      affected.add(rel);
      for (const r of this.readersOfFile.get(rel) ?? []) affected.add(r);
      for (const n of names) for (const r of this.readersOfName.get(n) ?? []) affected.add(r);
    }
    if (!affected.size) return;
    let changes = new Map<string, FileAnalysis | undefined>();
    const turn = new EventLoopTurns();
    const analyse = async (rel: string) => {
      await turn.maybe();
      const before = live.analysisOf(rel);
      if (before) this.unlinkReads(before);
      const facts = this.facts.get(rel);
      const edit = renames.get(rel);
      // the only change is this file's own edit, and it kept what other statements read: their calls' results can be appended again
      const reuse = edit && edit !== 'none' && edit.stable && pending.size === 1 && !namesChanged && before?.sites ? siteReuse(before.sites, rel, edit, opts.tagRule) : undefined;
      const result = facts ? await contained(facts, () => analyzeFile(this.ws, this.interp!, facts, true, this.placed, { reuse, record: this.edits.has(rel) })) : undefined;
      // a file whose analysis fails adds nothing, says why at its top, and the others go on
      const after = result && 'message' in result ? undefined : result;
      if (result && 'message' in result) this.analysisNotes.set(rel, `keyslot could not analyse this file (internal error: ${result.message}); the rest of the workspace is analysed. Please report it.`);
      else this.analysisNotes.delete(rel);
      if (!facts) this.placed.delete(rel);
      // what did not change stays the same objects, so the rules re-run only where something did
      if (before && after && edit !== 'none') keepUnchanged(before, after, edit?.renames ?? SAME_IDS);
      if (after) this.linkReads(after);
      changes.set(rel, after);
      const a = after && ([after.host.uses, after.lua.uses] as [KeyUse[], KeyUse[]]);
      this.usesByPattern.replace(rel, a, new Set());
      this.usesByText.replace(rel, a, new Set());
      this.usesBySlot.replace(rel, a, new Set());
      this.usesByTag.replace(rel, a, new Set());
      if (after) this.usesByFile.set(rel, [...after.host.uses, ...after.lua.uses]);
      else this.usesByFile.delete(rel);
      this.written.replace(rel, a);
    };
    const done = new Set<string>();
    if (first?.size) {
      // the open files, then the helpers their calls go through: a finding of a helper's keys is given
      // once, in the helper or at the calls, as the rules decide from both (reportedElsewhere)
      const early = [...affected].filter((rel) => first.has(rel));
      for (const rel of early) await analyse(rel);
      const helpers = new Set<string>();
      for (const rel of early) for (const u of changes.get(rel)?.host.uses ?? []) if (u.wrapped && u.via?.[0]?.file && affected.has(u.via[0].file) && !first.has(u.via[0].file)) helpers.add(u.via[0].file);
      for (const rel of helpers) await analyse(rel);
      for (const rel of [...early, ...helpers]) done.add(rel);
      if (onFirst) {
        live.update(changes);
        changes = new Map();
        this.state = this.assemble(live);
        trace('open files analysed');
        onFirst();
      }
      if (firstOnly) return;
    }
    for (const rel of affected) if (!done.has(rel)) await analyse(rel);
    live.update(changes);
    this.state = this.assemble(live);
  }

  /** Starts the analysis over (first run, other settings): every file is new. */
  private restart(opts: ConstructorParameters<typeof CallInterpreter>[1], key: string): void {
    this.ws = new WorkspaceFacts([]);
    this.interp = new CallInterpreter(this.ws, opts);
    const topology = this.topology;
    this.live = new LiveRules(
      {
        topology,
        versionOf: (file: string, library: Library) => this.manifests.versionOf(file, library),
        hotTagThreshold: this.settings.hotTag.threshold,
        target: this.settings.target,
        tagRule: this.tagRule,
        severity: this.settings.severity,
        tests: testsOf(this.settings),
        textOf: (file) => this.texts.get(file),
      },
      (file) => this.ws.ordinal(file),
    );
    this.liveKey = key;
    this.readersOfFile.clear();
    this.readersOfName.clear();
    this.placed.clear();
    this.usesByFile.clear();
    this.written.clear();
    this.usesByPattern = new PerFileIndex((file) => this.ws.ordinal(file), (u) => idOf(u.pattern.segments));
    this.usesByText = new PerFileIndex((file) => this.ws.ordinal(file), (u) => textOf(u.pattern));
    this.usesBySlot = new PerFileIndex((file) => this.ws.ordinal(file), (u) => (u.hash.slot === null ? undefined : String(u.hash.slot)));
    this.usesByTag = new PerFileIndex((file) => this.ws.ordinal(file), (u) => (u.hash.tag ? u.hash.hashId : undefined));
    this.pending = new Set(this.facts.keys());
  }

  private linkReads(a: FileAnalysis): void {
    for (const f of a.reads.files) link(this.readersOfFile, f, a.file);
    for (const n of a.reads.names) link(this.readersOfName, n, a.file);
  }

  private unlinkReads(a: FileAnalysis): void {
    for (const f of a.reads.files) unlink(this.readersOfFile, f, a.file);
    for (const n of a.reads.names) unlink(this.readersOfName, n, a.file);
  }

  /** The whole-folder view, in workspace order: every file's own calls, then the keys inside scripts (each part made when first read). */
  private assemble(live: LiveRules): FolderState {
    let files: FileAnalysis[] | undefined;
    const inOrder = () => (files ??= [...this.ws.files.keys()].flatMap((f) => live.analysisOf(f) ?? []));
    const both = <T>(pick: (o: FileAnalysis['host']) => T[]) => {
      const out: T[] = [];
      for (const a of inOrder()) for (const x of pick(a.host)) out.push(x);
      for (const a of inOrder()) for (const x of pick(a.lua)) out.push(x);
      return out;
    };
    let uses: KeyUse[] | undefined;
    let groups: FolderState['groups'] | undefined;
    let scripts: Map<string, ScriptInfo> | undefined;
    let waits: FolderState['waits'] | undefined;
    let flowCalls: FolderState['flowCalls'] | undefined;
    let findings: Finding[] | undefined;
    return {
      get uses() {
        return (uses ??= both((o) => o.uses));
      },
      get groups() {
        return (groups ??= [...live.groups.values()]);
      },
      get scripts() {
        if (!scripts) {
          scripts = new Map();
          for (const a of inOrder()) for (const [id, info] of a.scripts) scripts.set(id, info);
        }
        return scripts;
      },
      get waits() {
        return (waits ??= both((o) => o.waits));
      },
      get flowCalls() {
        return (flowCalls ??= both((o) => o.flowCalls));
      },
      get findings() {
        return (findings ??= live.findings());
      },
      verdicts: live.verdicts,
    };
  }

  /** The findings in each file; a file's list is a new array whenever its findings may have changed. */
  findingsByFile(): ReadonlyMap<string, Finding[]> {
    return this.live?.findingsByFile() ?? new Map();
  }

  /** The key use whose expression contains the offset (the innermost one). */
  useAt(rel: string, offset: number): KeyUse | undefined {
    let best: KeyUse | undefined;
    for (const u of this.usesByFile.get(rel) ?? []) {
      if (u.span.start <= offset && offset <= u.span.end && (!best || u.span.end - u.span.start < best.span.end - best.span.start)) best = u;
    }
    return best;
  }

  /** How many key uses and findings (by severity) the folder has, without listing them (the status bar asks after every edit). */
  counts(): { uses: number; findings: Record<Finding['severity'], number> } {
    let uses = 0;
    for (const l of this.usesByFile.values()) uses += l.length;
    const findings = { error: 0, warning: 0, info: 0 };
    for (const l of this.findingsByFile().values()) for (const x of l) findings[x.severity]++;
    return { uses, findings };
  }

  usesIn(rel: string): KeyUse[] {
    return this.usesByFile.get(rel) ?? [];
  }

  /** Distinct key texts in the folder. */
  patternCount(): number {
    return this.usesByText?.size ?? 0;
  }

  /** Every use of the same key: same text, same runtime values. */
  samePattern(u: KeyUse): KeyUse[] {
    const l = this.usesByPattern?.get(idOf(u.pattern.segments));
    return l?.length ? l : [u];
  }

  /** Every use of the same key text, whatever scope its holes come from (for workspace-wide fixes and renames). */
  sameText(u: KeyUse): KeyUse[] {
    const l = this.usesByText?.get(textOf(u.pattern));
    return l?.length ? l : [u];
  }

  /** The uses with a literal character or a runtime value's anchor written in `file` (FixContext). */
  writtenIn(file: string): KeyUse[] {
    return this.written.get(file);
  }

  /** How the folder's deployment finds the hashed part of a key (FixContext; Dragonfly's lock tags). */
  get tagRule(): TagRule {
    return tagRuleOf(this.settings);
  }

  /** The uses whose text an edit at one of `positions` in `file` changes (FixContext). */
  writtenAt(file: string, positions: number[]): KeyUse[] {
    return this.written.at(file, positions);
  }

  /** A file's indexed text (FixContext). */
  text(file: string): string | undefined {
    return this.texts.get(file);
  }

  /**
   * The keys of every group a use of `u`'s text is in (FixContext): each such use's own group and
   * the one around it, whose members include its nested commands' keys (see LiveRules).
   */
  groupsWith(u: KeyUse): KeyUse[][] {
    const verdicts = this.state.verdicts;
    const out = new Set<KeyUse[]>();
    for (const x of this.sameText(u)) {
      const own = x.group === null ? undefined : verdicts.get(x.group);
      if (!own) continue;
      out.add(own.members);
      const around = own.group.parent === undefined ? undefined : verdicts.get(own.group.parent);
      if (around) out.add(around.members);
    }
    return [...out];
  }

  /** The uses whose hash tag is this literal text (`coupon:1001` of `{coupon:1001}:…`). */
  usesTagged(tag: string): KeyUse[] {
    return this.usesByTag?.get(patternId([{ kind: 'lit', text: tag }])) ?? [];
  }

  /** Uses in the same slot as `u` (when it is known), and uses with the same tag (when it has one). */
  neighbours(u: KeyUse): KeyUse[] {
    const bySlot = u.hash.slot === null ? undefined : this.usesBySlot?.get(String(u.hash.slot));
    const byTag = u.hash.tag ? this.usesByTag?.get(u.hash.hashId) : undefined;
    return [...(bySlot ?? []), ...(byTag ?? [])];
  }

  relOf(absPath: string): string | undefined {
    const rel = path.relative(this.root, absPath);
    if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
    return rel.split(path.sep).join('/');
  }
}

/**
 * Gives the event loop a turn after every few milliseconds of indexing, so that requests that
 * need no index (slotOf, shutdown) are answered and progress reports go out while a large folder
 * is read, instead of all at once at the end.
 */
class EventLoopTurns {
  private last = performance.now();
  async maybe(): Promise<void> {
    if (performance.now() - this.last < 15) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.last = performance.now();
  }
}
