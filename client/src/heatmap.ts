import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { KeyMapView } from './keymap';
import type { FromWebview } from './webview/messages';
import { heatmapData, SLOTS } from './webview/data';


/** The slot heatmap: a webview with the 16,384 slots as a 128×128 grid, coloured by what lands in each. */
export class Heatmap implements vscode.Disposable {
  panel: vscode.WebviewPanel | undefined;
  private readonly renderedEmitter = new vscode.EventEmitter<{ slotsWithKeys: number }>();
  /** fires when the webview has drawn the data it was sent (its script runs under the CSP) */
  readonly onDidRender = this.renderedEmitter.event;
  private readonly disposables: vscode.Disposable[] = [this.renderedEmitter];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly client: LanguageClient,
    private readonly keyMap: KeyMapView,
  ) {
    // the key map view fetches on every index change; the heatmap redraws from what it loaded
    this.disposables.push(keyMap.onDidLoad(() => this.post()));
  }

  async show(): Promise<void> {
    if (this.panel) return this.panel.reveal();
    const media = vscode.Uri.joinPath(this.extensionUri, 'dist');
    const panel = vscode.window.createWebviewPanel('keyslot.heatmap', 'Redis slot heatmap', vscode.ViewColumn.Beside, {
      enableScripts: true,
      localResourceRoots: [media],
      retainContextWhenHidden: false,
    });
    this.panel = panel;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'images', 'icon.png');
    panel.webview.html = page(panel.webview, panel.webview.asWebviewUri(vscode.Uri.joinPath(media, 'heatmap.js')));
    panel.onDidDispose(() => (this.panel = undefined), null, this.disposables);
    panel.webview.onDidReceiveMessage((m: FromWebview) => this.receive(m), null, this.disposables);
    if (this.keyMap.keyMap.folders.length === 0) await this.keyMap.refresh();
  }

  private receive(m: FromWebview): void {
    if (m.type === 'ready') this.post();
    else if (m.type === 'rendered') this.renderedEmitter.fire({ slotsWithKeys: m.slotsWithKeys });
    else if (m.type === 'select' && Number.isInteger(m.slot) && m.slot >= 0 && m.slot < SLOTS) this.keyMap.showSlot(m.slot);
  }

  private post(): void {
    if (!this.panel) return;
    void this.panel.webview.postMessage(heatmapData(this.keyMap.keyMap));
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

function page(webview: vscode.Webview, script: vscode.Uri): string {
  const nonce = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}' ${webview.cspSource};">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Redis slot heatmap</title>
<style nonce="${nonce}">
  body { color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); padding: 8px 16px; }
  h1 { font-size: 1.2em; font-weight: 600; margin: 0.4em 0; }
  #controls { display: flex; gap: 1em; align-items: center; margin: 0.5em 0; flex-wrap: wrap; }
  /* small enough that the legend and the tables stay beside it, in view, in an editor beside the code */
  #grid { image-rendering: pixelated; border: 1px solid var(--vscode-panel-border, transparent); outline: none; cursor: crosshair; width: 100%; height: auto; }
  #gridbox { width: min(640px, 52vw, 68vh); flex: none; }
  #grid:focus-visible { outline: 2px solid var(--vscode-focusBorder); outline-offset: 2px; }
  #detail { min-height: 4.5em; margin-top: 0.5em; white-space: pre-line; }
  #legend { display: flex; gap: 1.2em; flex-wrap: wrap; margin-top: 0.5em; }
  #layout { display: flex; gap: 1.5em; align-items: flex-start; flex-wrap: wrap; }
  #side { flex: 1; min-width: 18em; }
  table { border-collapse: collapse; margin: 0.3em 0 1em; }
  caption { text-align: left; font-weight: 600; padding-bottom: 0.3em; }
  th, td { text-align: left; padding: 0.15em 0.8em 0.15em 0; vertical-align: top; }
  th { font-weight: 600; border-bottom: 1px solid var(--vscode-panel-border, currentColor); }
  .swatch { display: inline-block; width: 0.9em; height: 0.9em; vertical-align: middle; margin-right: 0.3em; border: 1px solid var(--vscode-panel-border, transparent); }
  code { font-family: var(--vscode-editor-font-family); }
</style>
</head>
<body>
<h1>Redis Cluster slots</h1>
<p id="summary" role="status">Waiting for the key map…</p>
<div id="controls">
  <label>Colour by
    <select id="measure" aria-label="Colour cells by">
      <option value="patterns">key patterns per slot</option>
      <option value="uses">key uses per slot</option>
    </select>
  </label>
  <span>Arrow keys move, Enter lists the slot's keys in the Redis Keys view.</span>
</div>
<div id="layout">
  <div id="gridbox">
    <canvas id="grid" width="640" height="640" tabindex="0" role="img" aria-label="Heatmap of the 16384 Redis Cluster slots, 128 by 128; the tables beside it say the same"></canvas>
    <div id="detail" aria-live="polite"></div>
  </div>
  <div id="side">
    <div id="legend"></div>
    <table id="primaries"></table>
    <table id="hottest"></table>
  </div>
</div>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
}
