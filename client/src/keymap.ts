import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { KEY_AT_METHOD, KEY_MAP_METHOD, KeyAtResult, KeyMapPattern, KeyMapResult, KeyMapUse } from '../../server/src/protocol';

export type Grouping = 'tag' | 'slot' | 'namespace' | 'file';

const GROUPINGS: { id: Grouping; label: string; detail: string }[] = [
  { id: 'tag', label: 'Hash tag', detail: 'keys that share a {tag} share a slot' },
  { id: 'slot', label: 'Slot', detail: 'which keys land in the same slot' },
  { id: 'namespace', label: 'Namespace', detail: 'the prefix before the first ":"' },
  { id: 'file', label: 'File', detail: 'where the keys are used' },
];

export interface GroupNode {
  kind: 'group';
  id: string;
  label: string;
  patterns: PatternNode[];
}

export interface PatternNode {
  kind: 'pattern';
  id: string;
  pattern: KeyMapPattern;
  /** the uses shown under it (by file: only that file's) */
  uses: KeyMapUse[];
  parent: GroupNode;
}

export interface UseNode {
  kind: 'use';
  id: string;
  use: KeyMapUse;
  parent: PatternNode;
}

export type Node = GroupNode | PatternNode | UseNode;

/** The "Redis Keys" tree: the workspace's key patterns from `keyslot/keyMap`, grouped four ways. */
export class KeyMapView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<Node>;
  private map: KeyMapResult = { folders: [] };
  private groups: GroupNode[] = [];
  grouping: Grouping = 'tag';
  problemsOnly = false;
  /** set by the heatmap: show one slot only */
  slotFilter: number | null = null;
  private fetching: Promise<void> | undefined;
  private stale = false;
  private readonly loadedEmitter = new vscode.EventEmitter<KeyMapResult>();
  /** fires after each key map the view has rendered */
  readonly onDidLoad = this.loadedEmitter.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly client: LanguageClient) {
    this.view = vscode.window.createTreeView('keyslot.keyMap', { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(
      this.view,
      this.changed,
      this.loadedEmitter,
      vscode.commands.registerCommand('keyslot.keyMap.groupBy', () => this.pickGrouping()),
      vscode.commands.registerCommand('keyslot.keyMap.problemsOnly', () => this.setProblemsOnly(true)),
      vscode.commands.registerCommand('keyslot.keyMap.allKeys', () => this.setProblemsOnly(false)),
      vscode.commands.registerCommand('keyslot.keyMap.clearSlotFilter', () => this.showSlot(null)),
      vscode.commands.registerCommand('keyslot.keyMap.revealCurrent', () => this.revealCurrent()),
    );
    void vscode.commands.executeCommand('setContext', 'keyslot.problemsOnly', false);
    void vscode.commands.executeCommand('setContext', 'keyslot.slotFilter', false);
  }

  /** Fetches the key map again; calls that arrive while one is running coalesce into one more fetch. */
  refresh(): Promise<void> {
    if (this.fetching) {
      this.stale = true;
      return this.fetching;
    }
    this.fetching = (async () => {
      do {
        this.stale = false;
        this.map = await this.client.sendRequest<KeyMapResult>(KEY_MAP_METHOD);
      } while (this.stale);
      this.rebuild();
      this.loadedEmitter.fire(this.map);
    })().finally(() => (this.fetching = undefined));
    return this.fetching;
  }

  get keyMap(): KeyMapResult {
    return this.map;
  }

  focus(): Thenable<unknown> {
    return vscode.commands.executeCommand('keyslot.keyMap.focus');
  }

  setGrouping(g: Grouping): void {
    this.grouping = g;
    this.rebuild();
  }

  setProblemsOnly(on: boolean): void {
    this.problemsOnly = on;
    void vscode.commands.executeCommand('setContext', 'keyslot.problemsOnly', on);
    this.rebuild();
  }

  /** Shows only the patterns in one slot (from a heatmap click), or all again. */
  showSlot(slot: number | null): void {
    this.slotFilter = slot;
    if (slot !== null) this.grouping = 'slot';
    void vscode.commands.executeCommand('setContext', 'keyslot.slotFilter', slot !== null);
    this.rebuild();
    if (slot !== null && this.groups[0]) void this.focus().then(() => this.view.reveal(this.groups[0], { expand: true, focus: true, select: true }));
  }

  private async pickGrouping(): Promise<void> {
    const pick = await vscode.window.showQuickPick(
      GROUPINGS.map((g) => ({ ...g, description: g.id === this.grouping ? '(current)' : undefined })),
      { title: 'Group Redis keys by' },
    );
    if (pick) this.setGrouping(pick.id);
  }

  private async revealCurrent(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return;
    const p = editor.selection.active;
    const key = await this.client.sendRequest<KeyAtResult | null>(KEY_AT_METHOD, { uri: editor.document.uri.toString(), line: p.line, character: p.character });
    if (!key) return void vscode.window.showInformationMessage('keyslot: there is no Redis key under the cursor.');
    const uri = editor.document.uri.toString();
    const node = this.groups.flatMap((g) => g.patterns).find((n) => n.pattern.pattern === key.pattern && n.uses.some((u) => u.uri === uri));
    if (!node) return void vscode.window.showInformationMessage(`keyslot: \`${key.pattern}\` is hidden by the key map's filter.`);
    await this.focus();
    await this.view.reveal(node, { select: true, focus: true, expand: true });
  }

  private rebuild(): void {
    const groups = new Map<string, GroupNode>();
    const group = (id: string, label: string): GroupNode => {
      let g = groups.get(id);
      if (!g) groups.set(id, (g = { kind: 'group', id: `${this.grouping}:${id}`, label, patterns: [] }));
      return g;
    };
    const multiRoot = this.map.folders.length > 1;
    for (const folder of this.map.folders) {
      const folderName = decodeURIComponent(folder.uri.split('/').pop() ?? '');
      for (const p of folder.patterns) {
        if (this.problemsOnly && p.findings === 0) continue;
        if (this.slotFilter !== null && p.slot !== this.slotFilter) continue;
        const keys = this.keysOf(p, folder.uri);
        for (const { id, label, uses } of keys) {
          const g = group(multiRoot ? `${folder.uri}|${id}` : id, multiRoot ? `${folderName}: ${label}` : label);
          g.patterns.push({ kind: 'pattern', id: `${g.id}|${p.pattern}`, pattern: p, uses, parent: g });
        }
      }
    }
    this.groups = [...groups.values()].sort((a, b) => order(a.label, b.label));
    for (const g of this.groups) g.patterns.sort((a, b) => b.pattern.findings - a.pattern.findings || a.pattern.pattern.localeCompare(b.pattern.pattern));
    const patterns = this.map.folders.reduce((n, f) => n + f.patterns.length, 0);
    const withProblems = this.map.folders.reduce((n, f) => n + f.patterns.filter((p) => p.findings > 0).length, 0);
    this.view.badge = withProblems ? { value: withProblems, tooltip: `${withProblems} key pattern${withProblems === 1 ? '' : 's'} with problems` } : undefined;
    this.view.description = `by ${GROUPINGS.find((g) => g.id === this.grouping)!.label.toLowerCase()}${this.problemsOnly ? ', problems only' : ''}`;
    this.view.message =
      this.slotFilter !== null
        ? `Slot ${this.slotFilter} only (from the heatmap).`
        : patterns > 0 && this.groups.length === 0
          ? 'No key pattern has a problem.'
          : undefined;
    void vscode.commands.executeCommand('setContext', 'keyslot.hasKeys', patterns > 0);
    this.changed.fire(undefined);
  }

  /** Where a pattern goes under the current grouping (by file: once per file). */
  private keysOf(p: KeyMapPattern, folderUri: string): { id: string; label: string; uses: KeyMapUse[] }[] {
    switch (this.grouping) {
      case 'tag':
        // one entity whatever its variable is called; a key that starts with a runtime value may carry a tag in it
        if (p.tagShape !== null) return [{ id: p.tagShape, label: `{${p.tagShape}}`, uses: p.uses }];
        return [p.tagUnknown ? { id: '?', label: 'tag unknown (the key starts with a runtime value)', uses: p.uses } : { id: '', label: 'no hash tag (whole key hashed)', uses: p.uses }];
      case 'slot':
        return [p.slot === null ? { id: 'varies', label: 'slot varies (runtime values)', uses: p.uses } : { id: String(p.slot), label: `slot ${p.slot}`, uses: p.uses }];
      case 'namespace':
        return [{ id: p.namespace, label: p.namespace || 'no namespace', uses: p.uses }];
      case 'file': {
        const byFile = new Map<string, KeyMapUse[]>();
        for (const u of p.uses) byFile.set(u.uri, [...(byFile.get(u.uri) ?? []), u]);
        return [...byFile].map(([uri, uses]) => ({ id: uri, label: relative(folderUri, uri), uses }));
      }
    }
  }

  getChildren(node?: Node): Node[] {
    if (!node) return this.groups;
    if (node.kind === 'group') return node.patterns;
    if (node.kind === 'pattern') return node.uses.map((use, i) => ({ kind: 'use', id: `${node.id}|${i}`, use, parent: node }));
    return [];
  }

  getParent(node: Node): Node | undefined {
    return node.kind === 'group' ? undefined : node.parent;
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'group') {
      const problems = node.patterns.reduce((n, p) => n + problemsOf(p), 0);
      const item = new vscode.TreeItem(node.label, this.slotFilter !== null ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
      item.id = node.id;
      item.description = `${node.patterns.length} pattern${node.patterns.length === 1 ? '' : 's'}${problems ? `, ${problems} problem${problems === 1 ? '' : 's'}` : ''}`;
      item.iconPath = new vscode.ThemeIcon(this.grouping === 'file' ? 'file' : this.grouping === 'slot' ? 'symbol-number' : this.grouping === 'tag' ? 'tag' : 'symbol-namespace');
      item.contextValue = 'group';
      return item;
    }
    if (node.kind === 'pattern') {
      const p = node.pattern;
      const reads = node.uses.filter((u) => u.access === 'read').length;
      const writes = node.uses.filter((u) => u.access === 'write' || u.access === 'delete').length;
      const item = new vscode.TreeItem({ label: p.pattern, highlights: p.tagSpan ? [p.tagSpan] : [] }, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = node.id;
      const slot = p.slot === null ? 'slot varies' : `slot ${p.slot}`;
      const problems = problemsOf(node);
      item.description = `${slot} · ${reads}R ${writes}W${problems ? ` · ${problems} problem${problems === 1 ? '' : 's'}` : ''}`;
      item.tooltip = new vscode.MarkdownString(
        `\`${p.pattern}\`  \n${p.tag === null ? 'no hash tag: the whole key is hashed' : `hash tag \`{${p.tag}}\``}, ${slot}  \n${reads} reads, ${writes} writes in ${new Set(node.uses.map((u) => u.uri)).size} file(s)${p.findings ? `  \n${p.findings} problem(s): see the Problems panel` : ''}`,
      );
      item.iconPath = p.findings ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')) : new vscode.ThemeIcon('key');
      item.contextValue = p.findings ? 'pattern-problem' : 'pattern';
      item.accessibilityInformation = { label: `${p.pattern}, ${slot}, ${reads} reads, ${writes} writes${p.findings ? `, ${p.findings} problems` : ''}` };
      return item;
    }
    const u = node.use;
    const uri = vscode.Uri.parse(u.uri);
    // the line of code, as the References view shows it; no resourceUri, so the file's problem colour stays off the row
    const item = new vscode.TreeItem(u.preview || `${vscode.workspace.asRelativePath(uri)}:${u.line + 1}`, vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    item.iconPath = new vscode.ThemeIcon(u.access === 'read' ? 'eye' : u.access === 'unknown' ? 'circle-small' : 'edit');
    item.description = `${vscode.workspace.asRelativePath(uri)}:${u.line + 1} · ${u.command} ${u.access}`;
    item.tooltip = `${u.command} (${u.access}) at ${vscode.workspace.asRelativePath(uri)}:${u.line + 1}`;
    const at = new vscode.Range(u.line, u.character, u.line, u.character);
    item.command = { command: 'vscode.open', title: 'Open', arguments: [uri, { selection: at } satisfies vscode.TextDocumentShowOptions] };
    item.contextValue = 'use';
    return item;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

function relative(folderUri: string, uri: string): string {
  return uri.startsWith(folderUri + '/') ? decodeURIComponent(uri.slice(folderUri.length + 1)) : vscode.workspace.asRelativePath(vscode.Uri.parse(uri));
}

/** `slot 9` before `slot 10`; the catch-all groups last. */
function order(a: string, b: string): number {
  const last = (s: string) => /^(no |tag unknown|slot varies)/.test(s);
  if (last(a) !== last(b)) return last(a) ? 1 : -1;
  return a.localeCompare(b, undefined, { numeric: true });
}

/**
 * A pattern's problems under its group: the diagnostics counted on the uses it shows (by file: that
 * file's), so the groups add up to the Problems panel, each diagnostic once.
 */
function problemsOf(node: { uses: KeyMapUse[] }): number {
  return node.uses.reduce((n, u) => n + u.findings, 0);
}
