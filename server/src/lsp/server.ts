import * as fs from 'fs';
import * as path from 'path';
import { fileURLToPath, pathToFileURL } from 'url';
import {
  CodeAction,
  CodeActionKind,
  Connection,
  Diagnostic,
  DiagnosticSeverity,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  InitializeResult,
  Location,
  Position,
  Range,
  ResponseError,
  SymbolKind,
  TextDocumentSyncKind,
  WorkspaceEdit,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { collectYoungGarbage } from '../index/gc';
import { FolderIndex } from '../index/folder';
import { listFiles, readSource } from '../index/files';
import { languageOfPath } from '../extract/parser';
import { cacheRoot } from '../index/factcache';
import { declaresVersions, VERSION_FILES_GLOB } from '../index/manifests';
import { CONFIG_FILE, readConfig, topologyOf } from '../index/config';
import { namespaceOf } from '../model/entity';
import type { KeyUse } from '../model/keyuse';
import { patternShape, patternText, Span, tagSpanInText } from '../model/pattern';
import { CLUSTER_PASSWORD_METHOD,
  DEFAULT_SETTINGS,
  KEY_AT_METHOD,
  KEY_MAP_METHOD,
  KeyAtParams,
  KeyAtResult,
  KeyMapResult,
  KeyslotSettings,
  parseSettings,
  MIGRATION_NOTE,
  KEYSLOT_VERSION,
  TAG_FIX_TITLE,
  TAG_REFACTOR_TITLE,
  WIDEN_FIX_TITLE,
  REINDEX_METHOD,
  SEMANTIC_TOKEN_TYPES,
  SETTINGS_SECTION,
  SLOT_OF_METHOD,
  SlotOfParams,
  SlotOfResult,
  STATUS_METHOD,
  StatusParams,
} from '../protocol';
import { hashInfoOfString, isHashTags } from '../model/hashtag';
import { keySlot } from '../model/slot';
import { ownerOf } from '../model/topology';
import { hashTagTokens } from './semantic';
import { docsUrl, Finding } from '../rules';
import { clientMarkdown, definitionHover, hoverMarkdown } from './hover';
import { suppressComment, TextEdit, widenTagEdits } from './keyedit';
import { liveSlotKeys, liveTopology } from '../live/live';
import { clusterTarget } from '../live/connection';
import { findingOwners } from './keymap';
import { TextShift } from './textshift';
import { editorBuffers } from './buffer';
import { entityChoices, hotAfter, Rename, tagFixFor } from '../fix/tagfix';

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;
const MIGRATIONS_FILE = 'keyslot.migrations.json';
/** an open file analysed with no findings: one list, so an unchanged file is not sent again */
const NO_FINDINGS: Finding[] = [];

/**
 * The keyslot language server: indexes every workspace folder, keeps it current from editor
 * buffers and watched files, and answers hover, diagnostics, code actions, references,
 * highlights, symbols, rename and `keyslot/keyMap`. Transport-agnostic: main.ts picks stdio or IPC.
 */
export function startServer(connection: Connection): void {
  const documents = editorBuffers();
  const folders: FolderIndex[] = [];
  let canConfigure = false;
  let canProgress = false;
  let canWatch = false;
  let canFolders = false;
  let canCreateFiles = false;
  let canShowDisabled = false;
  let findingsInHover = true;
  let canRefreshTokens = false;
  let factsCache: string | undefined;
  /** what each file's diagnostics were when last sent: unchanged files are not sent again */
  let published = new Map<string, { findings: Finding[]; json: string }>();
  let ready: Promise<void> = Promise.resolve();

  /** file URIs by folder and path: every publish names every file with findings */
  const uris = new Map<string, string>();
  const uriOf = (f: FolderIndex, rel: string) => {
    const k = `${f.root}\0${rel}`;
    let u = uris.get(k);
    if (u === undefined) {
      if (uris.size > 100_000) uris.clear();
      uris.set(k, (u = pathToFileURL(path.join(f.root, rel)).href));
    }
    return u;
  };
  const locate = (uri: string): { folder: FolderIndex; rel: string } | undefined => {
    if (!uri.startsWith('file:')) return undefined;
    const abs = fileURLToPath(uri);
    let best: FolderIndex | undefined;
    for (const f of folders) if (f.relOf(abs) !== undefined && (!best || f.root.length > best.root.length)) best = f;
    return best ? { folder: best, rel: best.relOf(abs)! } : undefined;
  };
  /**
   * A text document for offset ↔ position in the text the index analysed: the open buffer when it
   * is that text, else the indexed text (a buffer edited since the last analysis has moved on).
   */
  const docCache = new Map<string, { text: string; version: number | undefined; doc: TextDocument }>();
  const docOf = (f: FolderIndex, rel: string): TextDocument => {
    const uri = uriOf(f, rel);
    const open = documents.get(uri);
    const text = f.texts.get(rel) ?? '';
    const c = docCache.get(uri);
    if (c && c.version === open?.version && c.text === text) return c.doc;
    const doc = open && open.getText() === text ? open : TextDocument.create(uri, 'plaintext', 0, text);
    if (docCache.size > 1000) docCache.clear();
    docCache.set(uri, { text, version: open?.version, doc });
    return doc;
  };
  /** How an open buffer differs from the text its folder analysed (undefined: it does not), made once per version. */
  const shifts = new Map<string, { version: number; text: string; shift: TextShift | undefined }>();
  const shiftOf = (f: FolderIndex, rel: string): TextShift | undefined => {
    const uri = uriOf(f, rel);
    const open = documents.get(uri);
    const text = f.texts.get(rel);
    if (!open || text === undefined) return undefined;
    const c = shifts.get(uri);
    if (c && c.version === open.version && c.text === text) return c.shift;
    const shift = open.getText() === text ? undefined : new TextShift(text, open.getText());
    if (shifts.size > 100) shifts.clear();
    shifts.set(uri, { version: open.version, text, shift });
    return shift;
  };
  const rangeOf = (f: FolderIndex, rel: string, span: { start: number; end: number }): Range => {
    const d = docOf(f, rel);
    return { start: d.positionAt(span.start), end: d.positionAt(span.end) };
  };

  /** per folder: the settings that were not applied, for the status bar (the messages can be missed) */
  const settingsProblems = new Map<FolderIndex, string[]>();

  async function settingsFor(f: FolderIndex): Promise<KeyslotSettings> {
    // the config file first, then editor settings on top (they are the user's latest word)
    // the good settings apply; the bad ones are shown and left at their defaults
    const config = readConfig(f.root);
    // where keyslot connects is the user's choice (an editor setting), never a repository's file
    if (config.settings.cluster) config.errors.push(`"cluster" is read from the editor's settings only (keyslot.cluster): a repository does not choose where keyslot connects`);
    const base = { ...config.settings, cluster: '' };
    settingsProblems.set(f, [...config.errors]);
    if (config.errors.length) sent(() => connection.window.showErrorMessage(`keyslot: ${CONFIG_FILE} in ${f.root}: ${config.errors.join('; ')}`));
    if (!canConfigure) return base;
    const uri = pathToFileURL(f.root).href;
    // a client that fails the request (eglot with some settings) leaves the config file's settings
    const answer = await connection.workspace.getConfiguration([{ scopeUri: uri, section: SETTINGS_SECTION }, { scopeUri: uri, section: 'files' }]).catch(() => [null, null]);
    const [mine, files] = answer as [unknown, { exclude?: Record<string, boolean> } | null];
    f.editorExcludes = Object.entries((files?.exclude ?? {}) as Record<string, boolean>)
      .filter(([, on]) => on)
      .map(([g]) => g);
    if (!mine || typeof mine !== 'object') return base;
    // editors send every declared setting, defaults included: only keys that parse count
    const { settings, errors } = parseSettings({ ...stripEmpty(mine as Record<string, unknown>) }, 'keyslot settings');
    if (errors.length) sent(() => connection.window.showWarningMessage(errors.join('\n')));
    settingsProblems.get(f)?.push(...errors);
    return { ...base, ...pickSet(settings, mine as Record<string, unknown>) };
  }

  async function indexAll(): Promise<void> {
    const started = performance.now();
    const progress = canProgress ? await connection.window.createWorkDoneProgress().catch(() => undefined) : undefined;
    progress?.begin('keyslot: indexing Redis keys', 0, '', false);
    sendStatus('indexing');
    const overlay = (f: FolderIndex) => new Map(documents.all().flatMap((d) => (locate(d.uri)?.folder === f ? [[locate(d.uri)!.rel, d.getText()] as [string, string]] : [])));
    const failed = new Set<FolderIndex>();
    const cannotIndex = (f: FolderIndex, e: unknown) => {
      // one folder that cannot be indexed (it does not exist, it cannot be read) leaves the others working
      failed.add(f);
      sent(() => connection.window.showErrorMessage(`keyslot: cannot index ${f.root}: ${(e as Error).message}`));
    };
    // every folder's open files first, then each whole folder
    for (const f of folders) {
      f.settings = await settingsFor(f);
      // a folder inside another is indexed once, by the innermost, with its own settings
      f.innerRoots = folders.filter((o) => o !== f && o.root.startsWith(f.root + path.sep)).map((o) => o.root);
      await f.start(overlay(f), () => publish(f)).catch((e) => cannotIndex(f, e));
    }
    for (const f of folders) {
      if (failed.has(f)) continue;
      try {
        await f.indexAll(
          (done, total) => {
            if (done % 50 === 0 || done === total) progress?.report(Math.round((100 * done) / Math.max(1, total)), `${done}/${total} files`);
          },
          overlay(f),
          () => publish(f),
        );
      } catch (e) {
        cannotIndex(f, e);
      }
    }
    const keys = folders.reduce((n, f) => n + f.state.uses.length, 0);
    progress?.done();
    // once per index: what ran, on what, and how long it took (the first thing to read in a report)
    const took = ((performance.now() - started) / 1000).toFixed(1);
    const cached = folders.reduce((n, f) => n + (f.cacheHits?.facts ?? 0), 0);
    const fromCache = factsCache ? `; ${cached} of them as the last index left them (${factsCache})` : '';
    connection.console.info(`keyslot ${KEYSLOT_VERSION}: indexed ${folders.map((f) => f.root).join(', ')}: ${folders.reduce((n, f) => n + f.texts.size, 0)} files, ${keys} key uses, in ${took} s${fromCache}`);
    publish();
    void readLiveTopologies();
  }

  /** the cluster's password from the editor's secret storage; never in settings (KEYSLOT_REDIS_PASSWORD otherwise) */
  let clusterPassword: string | undefined;

  /** How long reading a cluster's topology may take before keyslot gives up on it (a firewalled address never answers). */
  const LIVE_TIMEOUT_MS = 5000;
  /**
   * The cluster is read again while keyslot runs: every `every` ms while reads succeed (slots move,
   * nodes fail over), and after a failure first `retry` ms later, doubling up to `maxRetry`.
   * initializationOptions.liveRefresh sets them (tests).
   */
  const liveRefresh = { every: 60_000, retry: 5_000, maxRetry: 300_000 };
  let liveTimer: NodeJS.Timeout | undefined;
  let liveBackoff = liveRefresh.retry;
  let liveReading = false;
  /** asked to read while a read was under way (a new address, a new password): read again after it */
  let liveAgain = false;

  function scheduleLiveRead(ok: boolean): void {
    clearTimeout(liveTimer);
    liveTimer = undefined;
    if (!folders.some((f) => f.settings.cluster)) return;
    const delay = ok ? liveRefresh.every : liveBackoff;
    liveBackoff = ok ? liveRefresh.retry : Math.min(liveBackoff * 2, liveRefresh.maxRetry);
    liveTimer = setTimeout(() => void readLiveTopologies(true), delay);
    liveTimer.unref();
  }

  /**
   * The real slot owners of the cluster each folder's `keyslot.cluster` names: read outside the
   * queue (edits never wait for a cluster), each within LIVE_TIMEOUT_MS, then applied in order.
   * An address that cannot be read leaves the configured topology, and the output says why.
   */
  async function readLiveTopologies(periodic = false): Promise<void> {
    if (!folders.some((f) => f.settings.cluster || f.liveTopology)) return scheduleLiveRead(true);
    // one read at a time: the one under way reads again when asked meanwhile, then schedules the next
    if (liveReading) {
      liveAgain = true;
      return;
    }
    liveReading = true;
    let failed = false;
    try {
      await readLiveOnce(periodic, () => (failed = true));
    } finally {
      liveReading = false;
    }
    if (liveAgain) {
      liveAgain = false;
      return readLiveTopologies();
    }
    scheduleLiveRead(!failed);
  }

  async function readLiveOnce(periodic: boolean, onFailure: () => void): Promise<void> {
    const read = await Promise.all(
      folders.map(async (f) => {
        const seed = f.settings.cluster;
        if (!seed) return { f, topology: undefined, keys: undefined };
        try {
          // the password: the editor's secret (initializationOptions, CLUSTER_PASSWORD_METHOD), or the environment's
          const target = clusterTarget(seed, process.env, clusterPassword);
          const topology = await liveTopology(target.seed, LIVE_TIMEOUT_MS, target.auth);
          // and how many keys the slots of the code's fixed-slot keys hold there
          const slots = f.state.uses.flatMap((u) => (u.hash.slot === null ? [] : [u.hash.slot]));
          const keys = await liveSlotKeys(topology, slots, LIVE_TIMEOUT_MS, target.auth);
          connection.console.info(`keyslot: slot owners read from the cluster at ${seed}: ${new Set(topology.ranges.map((r) => r.node)).size} primaries; keys counted in ${keys.size} slots`);
          return { f, topology, keys };
        } catch (e) {
          connection.console.warn(`keyslot: cannot read the cluster at ${seed} (${(e as Error).message}); keyslot.topology stands, and the cluster is tried again in ${Math.round(liveBackoff / 1000)} s`);
          onFailure();
          return { f, topology: undefined, keys: undefined };
        }
      }),
    );
    await enqueue(async () => {
      let changed = false;
      for (const { f, topology, keys } of read) {
        f.liveSlotKeys = keys;
        if (JSON.stringify(topology?.ranges ?? null) === JSON.stringify(f.liveTopology?.ranges ?? null)) continue;
        f.liveTopology = topology;
        await f.reanalyze();
        changed = true;
      }
      // a status either way (but not every minute for nothing): the views know the owners they show are settled
      if (changed) publish();
      else if (!periodic) sendStatus('ready');
    });
  }

  /** Runs after everything queued before it: edits, file events and settings apply in order. */
  function enqueue(work: () => Promise<void>, changes = true): Promise<void> {
    ready = ready.then(changes ? () => changeIndex(work) : work).catch((e) => sent(() => connection.console.error(`keyslot: ${(e as Error).stack ?? e}`)));
    return ready;
  }

  /**
   * The index being changed (files extracted, the folder analysed, diagnostics sent). Hover and
   * code actions wait for this only: they answer from the last analysis, not after the edits still
   * queued behind it (issue "The editor on real repositories").
   */
  let changing: Promise<void> = Promise.resolve();
  function changeIndex(work: () => Promise<void>): Promise<void> {
    const p = work();
    changing = p.catch(() => undefined);
    return p;
  }

  /**
   * Sends the diagnostics that changed since the last publish. An open file is always published
   * once analysed, with an empty list when it has no findings, so its editor knows it was checked.
   * `openIn`: that folder's open files are analysed and the rest of it is still being analysed
   * (start-up): only their diagnostics go out, and the index is not ready yet.
   */
  function publish(openIn?: FolderIndex): void {
    const openOnly = !!openIn;
    const next = openOnly ? new Map(published) : new Map<string, { findings: Finding[]; json: string }>();
    const send: { uri: string; diagnostics: Diagnostic[] }[] = [];
    for (const f of openIn ? [openIn] : folders) {
      const notes = f.notes();
      const found = f.findingsByFile();
      const clean = documents.all().flatMap((d) => {
        const at = locate(d.uri);
        return at?.folder === f && !found.has(at.rel) && !notes.has(at.rel) && languageOfPath(at.rel) ? [[at.rel, NO_FINDINGS] as [string, Finding[]]] : [];
      });
      const files = notes.size || clean.length ? new Map([...[...notes.keys()].map((rel): [string, Finding[]] => [rel, []]), ...clean, ...found]) : found;
      for (const [rel, findings] of files) {
        const uri = uriOf(f, rel);
        if (openOnly && !documents.get(uri)) continue;
        const was = published.get(uri);
        const note = notes.get(rel);
        // the index replaces a file's list whenever its findings may have changed: the same list, the same diagnostics
        if (was?.findings === findings && !note) {
          next.set(uri, was);
          continue;
        }
        const diags = findings.map((x) => toDiagnostic(f, x));
        // why the file is analysed in part or not at all, at its top
        if (note) diags.unshift({ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: DiagnosticSeverity.Information, source: 'keyslot', message: note });
        const json = JSON.stringify(diags);
        next.set(uri, { findings, json });
        if (was?.json !== json) send.push({ uri, diagnostics: diags });
      }
    }
    if (!openOnly) for (const uri of published.keys()) if (!next.has(uri) && published.get(uri)!.json !== '[]') send.push({ uri, diagnostics: [] });
    // open files first: that is where someone is typing
    for (const open of [true, false]) for (const d of send) if (!!documents.get(d.uri) === open) sent(() => connection.sendDiagnostics(d));
    published = next;
    if (openOnly) return;
    sendStatus('ready');
    if (canRefreshTokens) sent(() => connection.languages.semanticTokens.refresh());
    scheduleIdleScavenge();
  }

  /*
   * Empties the young generation once the diagnostics are out, while the editor waits for the
   * next keystroke: the next edit then rarely stops for a scavenge half-way. In the bench, whose
   * edits come back to back, edit p99 went from 30.0 to 27.3 ms (median of 8 runs) and p50 from
   * 16.4 to 18.6 ms, since there the scavenge runs just before the next edit.
   */
  let scavengePending = false;
  function scheduleIdleScavenge(): void {
    if (scavengePending) return;
    scavengePending = true;
    setImmediate(() => {
      scavengePending = false;
      collectYoungGarbage();
    });
  }

  /** Tells the client the index changed (its status bar and views refresh from this). */
  function sendStatus(state: StatusParams['state']): void {
    const findings = { error: 0, warning: 0, info: 0 };
    let keyUses = 0;
    let files = 0;
    let patterns = 0;
    for (const f of folders) {
      const c = f.counts();
      for (const k of ['error', 'warning', 'info'] as const) findings[k] += c.findings[k];
      keyUses += c.uses;
      files += f.scanned;
      patterns += f.patternCount();
    }
    const problems = folders.flatMap((f) => settingsProblems.get(f) ?? []);
    sent(() => connection.sendNotification(STATUS_METHOD, { state, files, keyUses, patterns, findings, ...(problems.length ? { settingsProblems: problems } : {}) } satisfies StatusParams));
  }

  function toDiagnostic(f: FolderIndex, x: Finding): Diagnostic {
    return {
      range: rangeOf(f, x.file, x.span),
      severity: SEVERITY[x.severity],
      code: x.code,
      codeDescription: { href: docsUrl(x.code) },
      source: 'keyslot',
      message: x.message,
      relatedInformation: x.related.map((r) => ({ location: { uri: uriOf(f, r.file), range: rangeOf(f, r.file, r.span) }, message: r.message })),
    };
  }

  connection.onInitialize((params): InitializeResult => {
    const caps = params.capabilities;
    canConfigure = !!caps.workspace?.configuration;
    canProgress = !!caps.window?.workDoneProgress;
    canWatch = !!caps.workspace?.didChangeWatchedFiles?.dynamicRegistration;
    canFolders = !!caps.workspace?.workspaceFolders;
    canRefreshTokens = !!caps.workspace?.semanticTokens?.refreshSupport;
    // no capability says whether an editor shows diagnostics in its hovers: the client says so (VS Code does)
    findingsInHover = (params.initializationOptions as { diagnosticsInHover?: unknown } | undefined)?.diagnosticsInHover !== true;
    const refresh = (params.initializationOptions as { liveRefresh?: Partial<typeof liveRefresh> } | undefined)?.liveRefresh;
    for (const k of ['every', 'retry', 'maxRetry'] as const) if (typeof refresh?.[k] === 'number' && refresh[k]! > 0) liveRefresh[k] = refresh[k]!;
    liveBackoff = liveRefresh.retry;
    // (tests: an edit left unanalysed while they ask about it)
    const debounce = (params.initializationOptions as { editDebounceMs?: unknown } | undefined)?.editDebounceMs;
    if (typeof debounce === 'number' && debounce >= 0) editDebounceMs = debounce;
    // where the index of each folder is kept between starts (the editor's workspace storage; null: nowhere)
    const cacheDir = (params.initializationOptions as { cacheDir?: unknown } | undefined)?.cacheDir;
    factsCache = cacheRoot(typeof cacheDir === 'string' || cacheDir === null ? cacheDir : undefined);
    const secret = (params.initializationOptions as { clusterPassword?: unknown } | undefined)?.clusterPassword;
    if (typeof secret === 'string' && secret) clusterPassword = secret;
    canCreateFiles = !!caps.workspace?.workspaceEdit?.resourceOperations?.includes('create');
    canShowDisabled = !!caps.textDocument?.codeAction?.disabledSupport;
    const roots = params.workspaceFolders?.map((w) => w.uri) ?? (params.rootUri ? [params.rootUri] : params.rootPath ? [pathToFileURL(params.rootPath).href] : []);
    for (const uri of roots) if (uri.startsWith('file:')) folders.push(new FolderIndex(fileURLToPath(uri), undefined, undefined, undefined, factsCache));
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.RefactorRewrite] },
        referencesProvider: true,
        documentHighlightProvider: true,
        workspaceSymbolProvider: true,
        renameProvider: { prepareProvider: true },
        semanticTokensProvider: { legend: { tokenTypes: [...SEMANTIC_TOKEN_TYPES], tokenModifiers: [] }, full: true },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'keyslot', version: KEYSLOT_VERSION },
    };
  });

  // the index kept for the next start is finished before the editor stops the server
  connection.onShutdown(async () => {
    await Promise.all(folders.map((f) => f.saving));
  });

  connection.onInitialized(() => {
    // a client that refuses the registration (eglot 1.9 answers some globs with an error) just sends no file events
    if (canWatch) sent(() => connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*.{py,js,mjs,cjs,jsx,ts,mts,cts,tsx,go,java,lua,redis}' }, { globPattern: `**/{${CONFIG_FILE},${VERSION_FILES_GLOB}}` }] }));
    if (canFolders) connection.workspace.onDidChangeWorkspaceFolders((e) => {
      void enqueue(async () => {
        for (const r of e.removed) {
          const i = folders.findIndex((f) => pathToFileURL(f.root).href === r.uri);
          if (i >= 0) folders.splice(i, 1);
        }
        for (const a of e.added) if (a.uri.startsWith('file:')) folders.push(new FolderIndex(fileURLToPath(a.uri), undefined, undefined, undefined, factsCache));
        await indexAll();
      });
    });
    void enqueue(indexAll);
  });

  // VS Code sends this once at start-up too: the workspace is indexed again only when a setting that
  // shapes the index actually changed (it used to be indexed twice at every start)
  connection.onDidChangeConfiguration(() =>
    void enqueue(async () => {
      let changed = false;
      for (const f of folders) {
        const excludes = JSON.stringify(f.editorExcludes);
        const next = await settingsFor(f);
        if (JSON.stringify(next) !== JSON.stringify(f.settings) || JSON.stringify(f.editorExcludes) !== excludes) changed = true;
      }
      if (changed) await indexAll();
      else sendStatus('ready');
    }),
  );

  documents.onDidChangeContent((e) => {
    arrivals++;
    const at = locate(e.document.uri);
    if (!at) return;
    const { uri, version } = e.document;
    void enqueue(async () => {
      if (documents.get(uri)?.version !== version) return; // a newer edit is queued
      await takeInPendingEdits();
      const doc = documents.get(uri);
      if (doc?.version !== version) return; // a newer edit is queued
      const text = doc.getText();
      await changeIndex(async () => {
        await at.folder.offer(at.rel, text, true);
        await at.folder.reanalyze();
        publish();
      });
    }, false);
  });

  /**
   * Typing sends edits back to back, and the connection reads them one per turn of the event loop:
   * let the ones already sent arrive before analysing, so a burst is analysed once, at its end,
   * rather than edit by edit (60 edits: 60 analyses one after another before). A hover or a code
   * action sent among them does not end the wait: it is answered from the last analysis at once,
   * rather than waiting for one that the edits behind it make stale. One turn when nothing arrives.
   */
  async function takeInPendingEdits(): Promise<void> {
    for (let seen = arrivals, first = true; ; seen = arrivals, first = false) {
      await new Promise((resolve) => (first ? setTimeout(resolve, editDebounceMs) : setImmediate(resolve)));
      if (arrivals === seen) return;
    }
  }
  /**
   * How long an edit waits for the next before it is analysed: keystrokes that arrive together
   * (an editor catching up, a paste in parts) are analysed once, and a hover sent among them is
   * answered before the analysis starts rather than after it.
   */
  let editDebounceMs = 10;
  /** edits, hovers and code actions received: takeInPendingEdits waits while they keep coming */
  let arrivals = 0;

  // closed without saving: the disk is the truth again (and what changed on disk while it was open)
  documents.onDidClose((e) => {
    const at = locate(e.document.uri);
    if (!at) return;
    void enqueue(async () => {
      if (documents.get(e.document.uri)) return; // opened again meanwhile
      await fromDisk(at.folder, at.rel);
      await at.folder.reanalyze();
      publish();
    });
  });

  /** A file as the disk has it now, through the scan's limits; gone or unreadable, it leaves the index. */
  async function fromDisk(folder: FolderIndex, rel: string): Promise<void> {
    const language = languageOfPath(rel);
    const r = language ? readSource({ abs: path.join(folder.root, rel), rel, language }) : undefined;
    if (r?.text !== undefined) await folder.offer(rel, r.text, false);
    else folder.remove(rel);
  }

  connection.onDidChangeWatchedFiles((e) => {
    void enqueue(async () => {
      let settingsChanged = false;
      let changed = false;
      for (const c of e.changes) {
        const at = locate(c.uri);
        if (!at) continue;
        const base = path.basename(at.rel);
        if (base === CONFIG_FILE || declaresVersions(base)) settingsChanged = true;
        if (documents.get(c.uri)) continue; // the open buffer is the truth (the disk is read again on close)
        const abs = fileURLToPath(c.uri);
        if (c.type === FileChangeType.Deleted) {
          // a deleted or renamed folder is one event: its files go with it
          const gone = [at.rel, ...at.folder.filesUnder(at.rel)].filter((rel) => at.folder.has(rel) || at.folder.notes().has(rel));
          for (const rel of gone) at.folder.remove(rel);
          changed ||= gone.length > 0;
        } else if (fs.statSync(abs, { throwIfNoEntry: false })?.isDirectory()) {
          // a folder created or moved in: its files, by the scan's rules
          for (const f of listFiles(at.folder.root, [abs], [], [])) if (!documents.get(pathToFileURL(f.abs).href)) await fromDisk(at.folder, f.rel);
          changed = true;
        } else if (languageOfPath(at.rel)) {
          // (a file keyslot does not read - keyslot.migrations.json, a README - changes nothing)
          await fromDisk(at.folder, at.rel);
          changed = true;
        }
      }
      if (settingsChanged) return indexAll();
      if (!changed) return;
      for (const f of folders) await f.reanalyze();
      publish();
    });
  });

  /**
   * Where a request's position is in the analysed text of its file, and back: the editor's buffer
   * may be an analysis ahead (see TextShift). A place inside the text typed since has no answer.
   */
  function requestPlace(uri: string, position: Position): { folder: FolderIndex; rel: string; offset: number; range: (span: Span) => Range | undefined } | undefined {
    const at = locate(uri);
    if (!at) return undefined;
    const { folder: f, rel } = at;
    const shift = shiftOf(f, rel);
    if (!shift) return { folder: f, rel, offset: docOf(f, rel).offsetAt(position), range: (span) => rangeOf(f, rel, span) };
    const buffer = documents.get(uri)!;
    const offset = shift.toAnalysed(buffer.offsetAt(position));
    if (offset === undefined) return undefined;
    const range = (span: Span) => {
      const moved = shift.spanToCurrent(span);
      return moved && { start: buffer.positionAt(moved.start), end: buffer.positionAt(moved.end) };
    };
    return { folder: f, rel, offset, range };
  }

  connection.onHover(async (p, token) => {
    arrivals++;
    await changing;
    // asked while typing, then given up (the cursor moved on): no answer is waited for
    if (token.isCancellationRequested) return null;
    const at = requestPlace(p.textDocument.uri, p.position);
    if (!at) return null;
    const { folder: f, rel, offset } = at;
    const u = f.useAt(rel, offset);
    if (u) return { contents: { kind: 'markdown', value: hoverMarkdown(u, f, f.topology, { findings: findingsInHover }) }, range: at.range(u.span) };
    // on text keys are built from (a prefix constant, a builder's template): the keys it is part of
    const built = definitionHover(f, rel, offset);
    if (built) return { contents: { kind: 'markdown', value: built.markdown }, range: at.range(built.span) };
    // on a client variable: where its reads go
    const text = f.texts.get(rel) ?? '';
    let a = offset;
    let b = offset;
    while (a > 0 && /[\w$]/.test(text[a - 1])) a--;
    while (b < text.length && /[\w$]/.test(text[b])) b++;
    const word = text.slice(a, b);
    if (!word) return null;
    const client = f.usesIn(rel).find((x) => x.client === word || x.client.endsWith('.' + word));
    if (!client) return null;
    return { contents: { kind: 'markdown', value: clientMarkdown(client, f) }, range: at.range({ start: a, end: b }) };
  });

  connection.onCodeAction(async (p, token) => {
    arrivals++;
    await changing;
    if (token.isCancellationRequested) return null;
    const uri = p.textDocument.uri;
    const at = locate(uri);
    if (!at) return [];
    const { folder: f, rel } = at;
    // the request's ranges are in the editor's text, which may be an analysis ahead of the index
    const shift = shiftOf(f, rel);
    const buffer = documents.get(uri) ?? docOf(f, rel);
    const analysed = (position: Position) => (shift ? shift.toAnalysed(buffer.offsetAt(position)) : buffer.offsetAt(position));
    const actions: CodeAction[] = [];
    const cursor = analysed(p.range.start);
    if (cursor !== undefined && (!p.context.only || p.context.only.some((k) => CodeActionKind.RefactorRewrite.startsWith(k))))
      for (const a of tagRefactors(f, rel, cursor)) if ((a.edit = editInBuffers(a.edit!))) actions.push(a);
    const findings = f.findingsByFile().get(rel) ?? [];
    for (const d of p.context.diagnostics) {
      if (d.source !== 'keyslot' || typeof d.code !== 'string') continue;
      const start = analysed(d.range.start);
      const finding = findings.find((x) => x.code === d.code && x.span.start === start);
      if (!finding) continue;
      const fix =
        finding.code === 'bare-tag'
          ? widenFix(f, finding)
          : finding.code === 'replica-read-after-write'
            ? primaryReadFix(f, finding, uri)
            : /^(crossslot|crossslot-possible|pipeline-cross-node)$/.test(finding.code)
              ? tagFix(f, finding)
              : finding.code === 'framework-cluster'
                ? prefixQuickFix(f, finding, uri)
                : null;
      // a fix is made on the analysed texts: its edits are moved to the texts they will be applied to
      const edit = fix?.edit && editInBuffers(fix.edit);
      if (fix && (edit || !fix.edit)) actions.push({ ...fix, ...(edit ? { edit } : {}), diagnostics: [d], kind: CodeActionKind.QuickFix, isPreferred: true });
      // suppress: a comment line above, indented like the line (the diagnostic's range is in the editor's text already)
      const line = buffer.getText({ start: { line: d.range.start.line, character: 0 }, end: { line: d.range.start.line + 1, character: 0 } });
      const indent = /^\s*/.exec(line)![0];
      const lang = f.usesIn(rel)[0]?.language ?? 'python';
      actions.push({
        title: `Suppress ${finding.code} on this line (keyslot-ignore)`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [d],
        edit: { changes: { [uri]: [{ range: { start: { line: d.range.start.line, character: 0 }, end: { line: d.range.start.line, character: 0 } }, newText: `${indent}${suppressComment(lang, finding.code)}\n` }] } },
      });
    }
    return actions;
  });

  /**
   * A workspace edit made on the analysed texts, moved to the open buffers that have changed since
   * (see TextShift); undefined when one of its edits is in text typed since the analysis.
   */
  function editInBuffers(edit: WorkspaceEdit): WorkspaceEdit | undefined {
    const move = <E extends { range: Range }>(uri: string, edits: E[]): E[] | undefined => {
      const at = locate(uri);
      const shift = at && shiftOf(at.folder, at.rel);
      if (!at || !shift) return edits;
      const analysed = docOf(at.folder, at.rel);
      const buffer = documents.get(uri)!;
      const out: E[] = [];
      for (const e of edits) {
        const span = shift.spanToCurrent({ start: analysed.offsetAt(e.range.start), end: analysed.offsetAt(e.range.end) });
        if (!span) return undefined;
        out.push({ ...e, range: { start: buffer.positionAt(span.start), end: buffer.positionAt(span.end) } });
      }
      return out;
    };
    const changes: NonNullable<WorkspaceEdit['changes']> = {};
    for (const [uri, edits] of Object.entries(edit.changes ?? {})) {
      const moved = move(uri, edits);
      if (!moved) return undefined;
      changes[uri] = moved;
    }
    const documentChanges: NonNullable<WorkspaceEdit['documentChanges']> = [];
    for (const c of edit.documentChanges ?? []) {
      if (!('textDocument' in c)) {
        documentChanges.push(c);
        continue;
      }
      const moved = move(c.textDocument.uri, c.edits);
      if (!moved) return undefined;
      documentChanges.push({ ...c, edits: moved });
    }
    return { ...edit, ...(edit.changes ? { changes } : {}), ...(edit.documentChanges ? { documentChanges } : {}) };
  }

  /**
   * The entity-tag fix for a group, made where its keys are defined (fix/tagfix.ts); when there is
   * none, a disabled action that says why (for clients that show them).
   */
  function tagFix(f: FolderIndex, finding: Finding): Omit<CodeAction, 'kind'> | null {
    const v = finding.group ? f.state.verdicts.get(finding.group) : undefined;
    if (!v) return null;
    const r = tagFixFor(v.members, f);
    if ('reason' in r) return canShowDisabled ? { title: `${TAG_FIX_TITLE}an entity hash tag`, disabled: { reason: `No tag fix: ${r.reason}.` } } : null;
    const { fix } = r;
    const hot = hotAfter(fix, (tag) => f.usesTagged(tag), f.settings.hotTag.threshold);
    const action = workspaceEdit(f, fix.edits, `${TAG_FIX_TITLE}{${fix.tag}}`, fix.places, hot ? ` (a fixed tag: ${hot} key patterns on one slot)` : '');
    recordMigrations(f, action, fix.renames);
    return action;
  }

  /**
   * "Add entity hash tag" on any untagged key, not only on a finding: one action per candidate
   * entity (`{order:${id}}`, `{order:${id}:items}`), made where the key is defined.
   */
  function tagRefactors(f: FolderIndex, rel: string, offset: number): CodeAction[] {
    const u = f.useAt(rel, offset);
    if (!u || u.hash.kind !== 'whole') return [];
    return entityChoices(u).flatMap((parts) => {
      const r = tagFixFor([u], f, parts);
      if (!('fix' in r)) return [];
      const action = workspaceEdit(f, r.fix.edits, `${TAG_REFACTOR_TITLE}{${r.fix.tag}}`, r.fix.places);
      recordMigrations(f, action, r.fix.renames);
      return [{ ...action, kind: CodeActionKind.RefactorRewrite }];
    });
  }

  /** Adds the renames to keyslot.migrations.json in the same workspace edit (created when missing), under the same confirmation. */
  function recordMigrations(f: FolderIndex, action: Omit<CodeAction, 'kind'>, renames: Rename[]): void {
    if (!renames.length) return;
    // the renames travel with the action too: an editor's confirmation can list them
    action.data = { renames };
    const edit = action.edit!;
    const file = path.join(f.root, MIGRATIONS_FILE);
    const uri = pathToFileURL(file).href;
    let plan: { version: 1; migrations: { from: string; to: string }[] } = { version: 1, migrations: [] };
    let old: string | undefined;
    try {
      old = fs.readFileSync(file, 'utf8');
      const parsed = JSON.parse(old);
      if (parsed?.version === 1 && Array.isArray(parsed.migrations)) plan = parsed;
      else return; // a file keyslot does not understand is not overwritten
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return;
      if (!canCreateFiles) return;
      edit.documentChanges!.push({ kind: 'create', uri, options: { ignoreIfExists: true }, annotationId: 'migration' });
    }
    for (const r of renames) if (!plan.migrations.some((m) => m.from === r.from)) plan.migrations.push({ from: r.from, to: r.to });
    const lines = old === undefined ? 0 : old.split('\n').length;
    edit.documentChanges!.push({
      textDocument: { uri, version: documents.get(uri)?.version ?? null },
      edits: [{ range: { start: { line: 0, character: 0 }, end: { line: lines, character: 0 } }, newText: JSON.stringify(plan, null, 2) + '\n', annotationId: 'migration' }],
    });
  }

  /** Reads the key through a primary-reading client of the same library used in the same file instead. */
  function primaryReadFix(f: FolderIndex, finding: Finding, uri: string): Omit<CodeAction, 'kind'> | null {
    const u = f.useAt(finding.file, finding.span.start);
    if (!u) return null;
    const primary = f.usesIn(u.file).find((x) => x.library === u.library && x.routing.reads === 'primary' && /^[\w$.]+$/.test(x.client) && x.client !== u.client);
    if (!primary) return null;
    const text = f.texts.get(u.file) ?? '';
    const lineStart = text.lastIndexOf('\n', u.span.start) + 1;
    const at = text.lastIndexOf(u.client + '.', u.span.start);
    if (at < lineStart) return null;
    return { title: `Read through \`${primary.client}\`, which reads from primaries`, edit: { changes: { [uri]: [{ range: rangeOf(f, u.file, { start: at, end: at + u.client.length }), newText: primary.client }] } } };
  }

  /** BullMQ's queue without a tagged prefix: the prefix wrapped in braces, or `prefix: "{bull}"` added. */
  function prefixQuickFix(f: FolderIndex, finding: Finding, uri: string): Omit<CodeAction, 'kind'> | null {
    const fix = f.state.groups.find((g) => g.id === finding.group)?.framework?.prefixFix;
    if (!fix) return null;
    return {
      title: `Give the queue the hash-tagged prefix {${fix.tag}} (its keys are renamed: drain the old queue first)`,
      edit: { changes: { [uri]: [{ range: rangeOf(f, finding.file, fix.span), newText: fix.text }] } },
    };
  }

  function widenFix(f: FolderIndex, finding: Finding): Omit<CodeAction, 'kind'> | null {
    const u = f.useAt(finding.file, finding.span.start);
    // (it moves `{…}` braces: Dragonfly's lock tags are read between other characters)
    if (!u || !isHashTags(f.tagRule)) return null;
    const edits: TextEdit[] = [];
    const same = f.sameText(u);
    for (const x of same) {
      const e = widenTagEdits(x, f.texts.get(x.file) ?? '');
      if (!e) return null;
      edits.push(...e);
    }
    const ns = patternText(u.pattern).replace(/\{.*$/, '');
    const tag = u.hash.tag ? patternText(u.hash.tag) : '';
    const action = workspaceEdit(f, edits, `${WIDEN_FIX_TITLE}{${ns}${tag}}`);
    // `purchase:{1001}` → `{purchase:1001}`: the key's name changes, so its data moves too
    const from = patternText(u.pattern);
    if (from.startsWith(`${ns}{${tag}}`)) recordMigrations(f, action, [{ from, to: `{${ns}${tag}}${from.slice(ns.length + tag.length + 2)}`, uses: same.length, files: new Set(same.map((x) => x.file)).size }]);
    return action;
  }

  /** One confirmed change; `places`: how many pieces of source text it touches (by default, a pair of edits per key). */
  function workspaceEdit(f: FolderIndex, edits: TextEdit[], what: string, places?: number, warning = ''): Omit<CodeAction, 'kind'> {
    const unique = [...new Map(edits.map((e) => [`${e.file}@${e.start}@${e.text}`, e])).values()];
    const files = new Set(unique.map((e) => e.file));
    const n = places ?? Math.ceil(new Set(unique.map((e) => `${e.file}@${e.start}`)).size / 2);
    const title = `${what}: ${n} place${n > 1 ? 's' : ''} in ${files.size} file${files.size > 1 ? 's' : ''}${warning}`;
    const edit: WorkspaceEdit = { documentChanges: [], changeAnnotations: { migration: { label: title, needsConfirmation: true, description: MIGRATION_NOTE } } };
    for (const file of files) {
      const uri = uriOf(f, file);
      edit.documentChanges!.push({
        textDocument: { uri, version: documents.get(uri)?.version ?? null },
        edits: unique.filter((e) => e.file === file).map((e) => ({ range: rangeOf(f, file, e), newText: e.text, annotationId: 'migration' })),
      });
    }
    return { title, edit };
  }

  const sameKey = (f: FolderIndex, u: KeyUse) => f.sameText(u);

  connection.onReferences(async (p) => {
    await ready;
    const at = locate(p.textDocument.uri);
    const u = at && at.folder.useAt(at.rel, docOf(at.folder, at.rel).offsetAt(p.position));
    if (!at || !u) return [];
    return sameKey(at.folder, u).map((x): Location => ({ uri: uriOf(at.folder, x.file), range: rangeOf(at.folder, x.file, x.span) }));
  });

  connection.onDocumentHighlight(async (p) => {
    await ready;
    const at = locate(p.textDocument.uri);
    const u = at && at.folder.useAt(at.rel, docOf(at.folder, at.rel).offsetAt(p.position));
    if (!at || !u) return [];
    return sameKey(at.folder, u)
      .filter((x) => x.file === at.rel)
      .map((x) => ({ range: rangeOf(at.folder, x.file, x.span), kind: x.access === 'read' ? 2 : x.access === 'unknown' ? 1 : 3 }));
  });

  connection.onWorkspaceSymbol(async (p) => {
    await ready;
    const q = p.query.toLowerCase();
    const out = [];
    for (const f of folders) {
      const seen = new Set<string>();
      for (const u of f.state.uses) {
        const t = patternText(u.pattern);
        if (seen.has(t) || !t.toLowerCase().includes(q)) continue;
        seen.add(t);
        out.push({ name: t, kind: SymbolKind.Key, location: { uri: uriOf(f, u.file), range: rangeOf(f, u.file, u.span) }, containerName: u.hash.slot !== null ? `slot ${u.hash.slot}` : 'slot varies' });
        if (out.length >= 500) return out;
      }
    }
    return out;
  });

  connection.onPrepareRename(async (p) => {
    await ready;
    const at = locate(p.textDocument.uri);
    const u = at && at.folder.useAt(at.rel, docOf(at.folder, at.rel).offsetAt(p.position));
    if (!at || !u) return null;
    return { range: rangeOf(at.folder, u.file, u.span), placeholder: patternText(u.pattern) };
  });

  connection.onRenameRequest(async (p) => {
    await ready;
    const at = locate(p.textDocument.uri);
    const u = at && at.folder.useAt(at.rel, docOf(at.folder, at.rel).offsetAt(p.position));
    if (!at || !u) return null;
    if (u.pattern.segments.some((s) => s.kind === 'hole') || /[${}]/.test(p.newName)) throw new ResponseError(1, 'keyslot renames keys written as one literal; this key is built from runtime values, so use the tag quick fix or edit its key builder');
    const edits: TextEdit[] = [];
    for (const x of sameKey(at.folder, u)) {
      const text = at.folder.texts.get(x.file) ?? '';
      const src = text.slice(x.span.start, x.span.end);
      const inner = /^(["'`]?)(.*)\1$/s.exec(src);
      if (!inner || inner[2] !== patternText(u.pattern)) throw new ResponseError(1, `cannot rename: \`${patternText(u.pattern)}\` at ${x.file} is not written as one literal`);
      const q = inner[1].length;
      edits.push({ file: x.file, start: x.span.start + q, end: x.span.end - q, text: p.newName });
    }
    const action = workspaceEdit(at.folder, edits, `Rename ${patternText(u.pattern)} to ${p.newName}`);
    return action.edit!;
  });

  connection.onRequest(KEY_MAP_METHOD, async (): Promise<KeyMapResult> => {
    await ready;
    return {
      folders: folders.map((f) => {
        const owners = findingOwners(f.state.uses, f.state.groups, f.state.findings);
        const byPattern = new Map<string, KeyMapResult['folders'][number]['patterns'][number]>();
        for (const u of f.state.uses) {
          const t = patternText(u.pattern);
          let e = byPattern.get(t);
          if (!e)
            byPattern.set(
              t,
              (e = {
                pattern: t,
                tag: u.hash.tag ? patternText(u.hash.tag) : null,
                tagShape: u.hash.tag ? patternShape(u.hash.tag) : null,
                tagSpan: u.hash.kind === 'tag' ? tagSpanInText(u.pattern.segments, f.tagRule) : null,
                tagUnknown: u.hash.kind === 'whole' && u.pattern.segments[0]?.kind === 'hole',
                slot: u.hash.slot,
                namespace: namespaceOf(u.pattern.segments),
                reads: 0,
                writes: 0,
                findings: 0,
                uses: [],
              }),
            );
          if (u.access === 'read') e.reads++;
          else if (u.access === 'write' || u.access === 'delete') e.writes++;
          const doc = docOf(f, u.file);
          const pos = doc.positionAt(u.span.start);
          const preview = doc.getText({ start: { line: pos.line, character: 0 }, end: { line: pos.line + 1, character: 0 } }).trim().slice(0, 160);
          const findings = owners.get(u) ?? 0;
          e.uses.push({ uri: uriOf(f, u.file), line: pos.line, character: pos.character, command: u.command.toUpperCase(), access: u.access, preview, findings });
          e.findings += findings;
        }
        return { uri: pathToFileURL(f.root).href, files: f.texts.size, patterns: [...byPattern.values()], findings: f.state.findings.length, topology: f.topology.ranges, liveKeys: f.liveSlotKeys ? Object.fromEntries(f.liveSlotKeys) : undefined };
      }),
    };
  });

  connection.languages.semanticTokens.on(async (p) => {
    await ready;
    const at = locate(p.textDocument.uri);
    if (!at) return { data: [] };
    return { data: hashTagTokens(at.folder.usesIn(at.rel), docOf(at.folder, at.rel)) };
  });

  connection.onRequest(KEY_AT_METHOD, async (p: KeyAtParams): Promise<KeyAtResult | null> => {
    await ready;
    const at = locate(p.uri);
    if (!at) return null;
    const u = at.folder.useAt(at.rel, docOf(at.folder, at.rel).offsetAt({ line: p.line, character: p.character }));
    if (!u) return null;
    return { pattern: patternText(u.pattern), hashed: patternText(u.hash.hashed), tag: u.hash.tag ? patternText(u.hash.tag) : null, slot: u.hash.slot };
  });

  connection.onRequest(REINDEX_METHOD, () => enqueue(indexAll));

  // the cluster's password changed in the editor's secret storage: read the cluster again with it
  connection.onNotification(CLUSTER_PASSWORD_METHOD, (p: { password?: string | null }) => {
    clusterPassword = typeof p?.password === 'string' && p.password ? p.password : undefined;
    void readLiveTopologies();
  });

  connection.onRequest(SLOT_OF_METHOD, async (p: SlotOfParams): Promise<SlotOfResult> => {
    if (typeof p?.key !== 'string') throw new ResponseError(-32602, 'keyslot/slotOf needs { key: string }');
    const slot = keySlot(p.key);
    const topology = folders[0]?.topology ?? topologyOf(DEFAULT_SETTINGS.topology);
    return { key: p.key, hashed: hashInfoOfString(p.key).hashed, slot, owner: ownerOf(topology, slot) };
  });

  documents.listen(connection);
  connection.listen();
}

/** Editors send `null`/empty for unset settings; those must not override the config file. */
function stripEmpty(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([k, v]) => v !== null && v !== undefined && k !== 'trace'));
}

function pickSet(s: KeyslotSettings, raw: Record<string, unknown>): Partial<KeyslotSettings> {
  return Object.fromEntries(Object.keys(stripEmpty(raw)).filter((k) => k in s).map((k) => [k, s[k as keyof KeyslotSettings]]));
}

/** A message to the client whose delivery nothing waits on: once the editor has closed the connection, its failure is no error. */
function sent(send: () => Promise<unknown> | void): void {
  try {
    const p = send();
    if (p) p.catch(() => undefined);
  } catch {
    // the connection is closed: nobody is left to tell
  }
}
