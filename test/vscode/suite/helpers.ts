import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { KeyslotApi } from '../../../client/src/extension';

/** Every wait is for an event; the timeout only turns a hang into a failure with a reason. */
const TIMEOUT_MS = 30_000;

export async function keyslot(): Promise<KeyslotApi> {
  const ext = vscode.extensions.getExtension<KeyslotApi>('keyslot.keyslot');
  assert.ok(ext, 'the extension keyslot.keyslot is installed');
  const api = await ext.activate();
  // the first index may have finished before this suite asked
  if (api.statusBar.last?.state !== 'ready') await api.nextStatus('ready');
  return api;
}

export function workspaceFile(rel: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  return vscode.Uri.joinPath(folder.uri, rel);
}

export async function open(rel: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(workspaceFile(rel));
  return vscode.window.showTextDocument(doc);
}

/** The position of the first occurrence of `text` in a document (inside it, `offset` characters in). */
export function positionOf(doc: vscode.TextDocument, text: string, offset = 1): vscode.Position {
  const at = doc.getText().indexOf(text);
  assert.ok(at >= 0, `${text} is in ${doc.uri.fsPath}`);
  return doc.positionAt(at + offset);
}

export function keyslotDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'keyslot');
}

export function codeOf(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' ? String(d.code.value) : String(d.code);
}

/** Resolves once the document's keyslot diagnostics satisfy `ok` (now, or after a change event). */
export function diagnosticsWhere(uri: vscode.Uri, ok: (ds: vscode.Diagnostic[]) => boolean, what: string): Promise<vscode.Diagnostic[]> {
  return until(
    (fire) => vscode.languages.onDidChangeDiagnostics((e) => e.uris.some((u) => u.toString() === uri.toString()) && fire()),
    () => (ok(keyslotDiagnostics(uri)) ? keyslotDiagnostics(uri) : undefined),
    () => `${what}; diagnostics of ${uri.fsPath}: ${JSON.stringify(keyslotDiagnostics(uri).map((d) => [codeOf(d), d.range.start.line, d.message]))}`,
  );
}

/** Checks `value` now and after each event until it returns something; fails after TIMEOUT_MS. */
export function until<T>(subscribe: (fire: () => void) => vscode.Disposable, value: () => T | undefined, why: () => string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const check = () => {
      const v = value();
      if (v === undefined) return false;
      done();
      resolve(v);
      return true;
    };
    const sub = subscribe(check);
    const timer = setTimeout(() => {
      done();
      reject(new Error(`timed out after ${TIMEOUT_MS} ms waiting: ${why()}`));
    }, TIMEOUT_MS);
    const done = () => {
      clearTimeout(timer);
      sub.dispose();
    };
    check();
  });
}

/** Resolves with the next event from `event`. */
export async function next<T>(event: vscode.Event<T>, what: string): Promise<T> {
  let got: { value: T } | undefined;
  const r = await until(
    (fire) =>
      event((value) => {
        got = { value };
        fire();
      }),
    () => got,
    () => what,
  );
  return r.value;
}
