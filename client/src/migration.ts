import * as vscode from 'vscode';
import type { Middleware } from 'vscode-languageclient/node';
import type { Rename } from '../../server/src/fix/tagfix';
import { MIGRATION_NOTE, TAG_FIX_TITLE, TAG_REFACTOR_TITLE, WIDEN_FIX_TITLE } from '../../server/src/protocol';

/*
 * The tag fix changes key names, so stored data needs moving: the server marks its edits as
 * needing confirmation. VS Code shows such an edit in the refactor preview with every change
 * unticked, where Apply does nothing (or half a fix, when one file is ticked). Here the fix
 * becomes one modal question instead - the migration note and Apply - and the whole edit is
 * applied or none of it.
 */

export const APPLY_WITH_MIGRATION = 'keyslot.applyWithMigration';
/** renames listed in the confirmation (the rest are counted) */
const RENAMES_SHOWN = 12;

/** Code actions whose edit needs confirmation run APPLY_WITH_MIGRATION instead of carrying the edit. */
export const confirmMigrations: Middleware['provideCodeActions'] = async (document, range, context, token, next) => {
  const actions = await next(document, range, context, token);
  return actions?.map((a) => {
    // (the converted edit does not expose its annotations: the fix is known by its title)
    if (!(a instanceof vscode.CodeAction) || !a.edit || ![TAG_FIX_TITLE, TAG_REFACTOR_TITLE, WIDEN_FIX_TITLE].some((t) => a.title.startsWith(t))) return a;
    // the keys the change renames, from the server's data on the action (the migration is about them)
    const renames = ((a as { data?: { renames?: Rename[] } }).data?.renames ?? []).slice(0, RENAMES_SHOWN);
    const more = ((a as { data?: { renames?: unknown[] } }).data?.renames?.length ?? 0) - renames.length;
    const note = renames.length ? `${MIGRATION_NOTE}\n\nKeys renamed:\n${renames.map(renameLine).join('\n')}${more > 0 ? `\nand ${more} more` : ''}` : MIGRATION_NOTE;
    const action = new vscode.CodeAction(a.title, a.kind);
    action.diagnostics = a.diagnostics;
    action.isPreferred = a.isPreferred;
    action.command = { title: a.title, command: APPLY_WITH_MIGRATION, arguments: [a.edit, a.title, note] };
    return action;
  });
};

/** `cart:${id}:coupon → {cart:${id}}:coupon (3 uses in 2 files)`: what the rename reaches in the code. */
function renameLine(r: Rename): string {
  const uses = ` (${r.uses} use${r.uses === 1 ? '' : 's'}${r.files > 1 ? ` in ${r.files} files` : ''})`;
  return `${r.from} → ${r.to}${uses}`;
}

/**
 * Asks once (modal: the migration note, Apply or not), then applies the whole edit without the
 * confirmation marks. `answer` stands for the person's click, for tests. Resolves whether it applied.
 */
export async function applyWithMigration(edit: vscode.WorkspaceEdit, title: string, note: string, answer?: 'Apply' | 'Cancel'): Promise<boolean> {
  const choice = answer ?? (await vscode.window.showWarningMessage(title, { modal: true, detail: note }, 'Apply'));
  if (choice !== 'Apply') return false;
  const plain = new vscode.WorkspaceEdit();
  for (const [uri, edits] of edit.entries()) {
    // a file the edit brings into being (keyslot.migrations.json, the first time)
    const exists = await vscode.workspace.fs.stat(uri).then(
      () => true,
      () => false,
    );
    if (!exists) plain.createFile(uri, { ignoreIfExists: true });
    for (const e of edits) plain.replace(uri, e.range, e.newText);
  }
  return vscode.workspace.applyEdit(plain);
}
