import * as vscode from 'vscode';
import type { StatusParams } from '../../server/src/protocol';

/** The status bar item: keys and findings of the workspace; a click opens the key map. */
export class StatusBar implements vscode.Disposable {
  readonly item = vscode.window.createStatusBarItem('keyslot.status', vscode.StatusBarAlignment.Left, 0);
  last: StatusParams | undefined;

  constructor() {
    this.item.name = 'keyslot';
    this.item.command = 'keyslot.showKeyMap';
  }

  starting(): void {
    this.item.text = '$(sync~spin) keyslot';
    this.item.tooltip = 'keyslot: starting the language server';
    this.item.backgroundColor = undefined;
    this.item.show();
  }

  show(s: StatusParams): void {
    this.last = s;
    this.item.command = 'keyslot.showKeyMap';
    if (s.state === 'indexing') {
      this.item.text = '$(sync~spin) keyslot';
      this.item.tooltip = 'keyslot: indexing the Redis keys of the workspace';
      return this.item.show();
    }
    const { error, warning, info } = s.findings;
    this.item.text = `$(key) ${s.patterns}  $(error) ${error}  $(warning) ${warning}`;
    this.item.accessibilityInformation = { label: `keyslot: ${s.patterns} key patterns, ${error} errors, ${warning} warnings` };
    this.item.tooltip = new vscode.MarkdownString(
      `**keyslot**: ${s.patterns} key patterns in ${s.keyUses} uses, ${s.files} files scanned  \n${error} errors, ${warning} warnings, ${info} info  \nClick to open the key map.`,
    );
    this.item.backgroundColor = error > 0 ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.show();
  }

  stopped(): void {
    this.item.text = '$(circle-slash) keyslot';
    this.item.tooltip = 'keyslot: the language server is stopped. Run "keyslot: Re-index Workspace" to start it.';
    this.item.command = 'keyslot.reindex';
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
