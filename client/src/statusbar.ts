import * as vscode from 'vscode';
import type { StatusParams } from '../../server/src/protocol';

/** The status bar item: keys and findings of the workspace; a click opens the key map. */
export class StatusBar implements vscode.Disposable {
  readonly item = vscode.window.createStatusBarItem('keyslot.status', vscode.StatusBarAlignment.Left, 0);
  last: StatusParams | undefined;
  /** whether the item is shown (hidden in folders where keyslot found no keys) */
  visible = false;

  constructor() {
    this.item.name = 'keyslot';
    this.item.command = 'keyslot.showKeyMap';
  }

  starting(): void {
    this.visible = true;
    this.item.text = '$(sync~spin) keyslot';
    this.item.tooltip = 'keyslot: starting the language server';
    this.item.backgroundColor = undefined;
    this.item.show();
  }

  show(s: StatusParams): void {
    this.last = s;
    this.item.command = 'keyslot.showKeyMap';
    if (s.state === 'indexing') {
      this.visible = true;
      this.item.text = '$(sync~spin) keyslot';
      this.item.tooltip = 'keyslot: indexing the Redis keys of the workspace';
      return this.item.show();
    }
    const { error, warning, info } = s.findings;
    const problems = s.settingsProblems ?? [];
    // a folder without Redis keys gets no status item (a settings problem still shows)
    this.visible = s.patterns > 0 || problems.length > 0;
    if (!this.visible) return this.item.hide();
    // a setting that was not applied stays visible here, after its message is gone
    this.item.text = `$(key) ${s.patterns}  $(error) ${error}  $(warning) ${warning}${problems.length ? '  $(gear) settings' : ''}`;
    this.item.accessibilityInformation = { label: `keyslot: ${s.patterns} key patterns, ${error} errors, ${warning} warnings${problems.length ? `, ${problems.length} settings not applied` : ''}` };
    this.item.tooltip = new vscode.MarkdownString(
      `**keyslot**: ${s.patterns} key patterns in ${s.keyUses} uses, ${s.files} files scanned  \n${error} errors, ${warning} warnings, ${info} info  \n` +
        (problems.length ? `Settings not applied (the defaults stand):  \n${problems.map((p) => `- ${p.replace(/[\\`*_[\]]/g, '\\$&')}`).join('\n')}\n\n` : '') +
        'Click to open the key map.',
    );
    // like the built-in problems counter: the icons say it, the bar keeps its colour (a setting not applied is the exception)
    this.item.backgroundColor = problems.length ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  stopped(): void {
    this.visible = true;
    this.item.text = '$(circle-slash) keyslot';
    this.item.tooltip = 'keyslot: the language server is stopped. Run "keyslot: Re-index Workspace" to start it.';
    this.item.command = 'keyslot.reindex';
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
