import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { State } from 'vscode-languageclient/node';
import type { KeyslotApi } from '../../../client/src/extension';
import type { StatusParams } from '../../../server/src/protocol';
import { keyslot, next } from './helpers';

/*
 * A crashing server: the client restarts it four times within three minutes, then leaves it
 * stopped (the status bar says so) until "Re-index Workspace" starts it again. The crash is real:
 * the server process, a child of this extension host, is killed with SIGKILL.
 */
function serverPid(): number | undefined {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1]);
      if (ppid === process.pid && cmdline.includes('dist/server.js')) return Number(entry);
    } catch {
      // the process ended while we looked
    }
  }
  return undefined;
}

/** Resolves with the first `ready` status of the next server instance (statuses of the old one do not count). */
function nextServerReady(api: KeyslotApi): Promise<StatusParams> {
  return new Promise((resolve) => {
    const sub = api.client.onDidChangeState((e) => {
      if (e.newState !== State.Running) return;
      sub.dispose();
      resolve(api.nextStatus('ready'));
    });
  });
}

async function crash(api: KeyslotApi): Promise<void> {
  const pid = serverPid();
  assert.ok(pid, 'the server runs as a child of the extension host');
  const stopped = next(api.client.onDidChangeState, 'the client to notice the crash');
  process.kill(pid, 'SIGKILL');
  await stopped;
}

describe('server crashes', () => {
  it('restarts a crashed server four times, then stops and says how to start it again', async () => {
    const api = await keyslot();
    const pids = new Set<number>([serverPid()!]);
    for (let i = 1; i <= 4; i++) {
      const indexed = nextServerReady(api);
      await crash(api);
      await indexed;
      assert.equal(api.client.state, State.Running, `running again after crash ${i}`);
      pids.add(serverPid()!);
    }
    assert.equal(pids.size, 5, 'each restart is a new process');
    const stopped = new Promise<void>((resolve) => {
      const sub = api.client.onDidChangeState((e) => e.newState === State.Stopped && (sub.dispose(), resolve()));
    });
    await crash(api);
    await stopped;
    assert.equal(serverPid(), undefined, 'no fifth restart');
    assert.match(api.statusBar.item.text, /circle-slash/);
    assert.equal(api.statusBar.item.command, 'keyslot.reindex');

    const indexed = nextServerReady(api);
    await vscode.commands.executeCommand('keyslot.reindex');
    await indexed;
    assert.equal(api.client.state, State.Running);
    assert.ok(serverPid(), 'Re-index started the server again');
    assert.match(api.statusBar.item.text, /\$\(key\)/);
  });
});
