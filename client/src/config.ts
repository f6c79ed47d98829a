import * as vscode from 'vscode';
import type { ConfigurationParams } from 'vscode-languageclient';
import type { ConfigurationMiddleware } from 'vscode-languageclient/node';
import { EDITOR_SETTING_KEYS, SETTINGS_SECTION } from '../../server/src/protocol';

/**
 * Answers the server's `workspace/configuration` for `keyslot` with only the settings the user
 * set (user, workspace or folder). VS Code would fill in every default, and a default must not
 * override the project's keyslot.config.json.
 */
export const editorSettings: ConfigurationMiddleware['configuration'] = async (params: ConfigurationParams, token, next) => {
  const answers = await next(params, token);
  if (!Array.isArray(answers)) return answers;
  return params.items.map((item, i) => {
    if (item.section !== SETTINGS_SECTION) return answers[i];
    const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined;
    return userSet(vscode.workspace.getConfiguration(SETTINGS_SECTION, scope));
  });
};

function userSet(config: vscode.WorkspaceConfiguration): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of EDITOR_SETTING_KEYS) {
    const i = config.inspect(key);
    const value = i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
    if (value === undefined) continue;
    const path = key.split('.');
    let at = out;
    for (const p of path.slice(0, -1)) at = (at[p] ??= {}) as Record<string, unknown>;
    at[path[path.length - 1]] = value;
  }
  return out;
}
