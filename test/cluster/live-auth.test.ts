import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LiveReport } from '../../server/src/live/live';
import { removeWorkspaces, run, workspace } from '../helpers/cli';
import { startTestServer, type TestClient } from '../helpers/lsp';
import { freePortPair, startClusterNode, waitFor, type RedisNode } from '../helpers/redis';

/*
 * keyslot reading a cluster that asks for credentials and speaks TLS: a real cluster-mode node
 * holding every slot, with an ACL user and requirepass set, listening on a plain port and on a TLS
 * port whose certificate is signed by a CA made here with openssl. The password comes from
 * KEYSLOT_REDIS_PASSWORD (CLI) or the editor's secret (initializationOptions, then the
 * keyslot/clusterPassword notification), never from the address.
 */
after(removeWorkspaces);

let node: RedisNode;
let tlsPort: number;
let certs: string;
const PASSWORD = 's3cret-for-tests';

before(async () => {
  certs = fs.mkdtempSync(path.join(os.tmpdir(), 'keyslot-tls-'));
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: certs, stdio: 'ignore' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=keyslot test CA');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'node.key', '-out', 'node.csr', '-subj', '/CN=127.0.0.1');
  fs.writeFileSync(path.join(certs, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  ssl('x509', '-req', '-in', 'node.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'node.crt', '-days', '1', '-extfile', 'san.ext');
  tlsPort = await freePortPair();
  const file = (f: string) => path.join(certs, f);
  node = await startClusterNode({ args: ['--tls-port', String(tlsPort), '--tls-cert-file', file('node.crt'), '--tls-key-file', file('node.key'), '--tls-ca-cert-file', file('ca.crt'), '--tls-auth-clients', 'no', '--tls-cluster', 'yes'] });
  await node.send(['CLUSTER', 'ADDSLOTSRANGE', 0, 16383]);
  await waitFor('the one-node cluster to be up', async () => /cluster_state:ok/.test(String(await node.send(['CLUSTER', 'INFO']))));
  assert.equal(await node.send(['SET', 'user:7:profile', 'x']), 'OK');
  await node.send(['ACL', 'SETUSER', 'reader', 'on', `>${PASSWORD}`, '~*', '&*', '+@all']);
  // from here on a new connection must authenticate (the helper's own connection already is)
  await node.send(['CONFIG', 'SET', 'requirepass', PASSWORD]);
});

after(async () => {
  await node?.stop();
  if (certs) fs.rmSync(certs, { recursive: true, force: true });
});

const APP = `from redis.cluster import RedisCluster
rc = RedisCluster(host="h", port=1)


def profile(uid):
    return rc.get(f"user:{uid}:profile")
`;

/** `keyslot live` with these environment variables set for the run (restored after). */
async function liveWith(env: Record<string, string>, cluster: string) {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await run('live', workspace({ 'app.py': APP }), '--cluster', cluster, '--format', 'json');
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

test('keyslot live: a cluster that asks for a password says how to give it; the password from KEYSLOT_REDIS_PASSWORD, the user from the address', async () => {
  const plain = `127.0.0.1:${node.port}`;
  const none = await liveWith({}, plain);
  assert.equal(none.code, 2);
  assert.match(none.err, /asks for a password: set KEYSLOT_REDIS_PASSWORD .* \(NOAUTH/);

  const wrong = await liveWith({ KEYSLOT_REDIS_PASSWORD: 'nope' }, `redis://reader@${plain}`);
  assert.equal(wrong.code, 2);
  assert.match(wrong.err, /authentication failed for reader: WRONGPASS/);

  const ok = await liveWith({ KEYSLOT_REDIS_PASSWORD: PASSWORD }, `redis://reader@${plain}`);
  assert.equal(ok.code, 0, ok.err);
  const report = JSON.parse(ok.out) as LiveReport;
  assert.deepEqual(report.nodes.map((n) => n.address), [plain]);
  assert.equal(report.patterns.find((p) => p.pattern === 'user:${uid}:profile')?.sampled, 1);

  // a password in the address is refused before anything is sent
  const inline = await liveWith({}, `redis://reader:${PASSWORD}@${plain}`);
  assert.equal(inline.code, 2);
  assert.match(inline.err, /carries a password: keep it out of settings and command lines/);
});

test('keyslot live over TLS: the nodes at their TLS ports, the CA from KEYSLOT_REDIS_CA; without it the certificate is refused', async () => {
  const address = `rediss://reader@127.0.0.1:${tlsPort}`;
  const ok = await liveWith({ KEYSLOT_REDIS_PASSWORD: PASSWORD, KEYSLOT_REDIS_CA: path.join(certs, 'ca.crt') }, address);
  assert.equal(ok.code, 0, ok.err);
  const report = JSON.parse(ok.out) as LiveReport;
  assert.deepEqual(report.nodes.map((n) => n.address), [`127.0.0.1:${tlsPort}`]);
  assert.equal(report.patterns.find((p) => p.pattern === 'user:${uid}:profile')?.sampled, 1);

  const untrusted = await liveWith({ KEYSLOT_REDIS_PASSWORD: PASSWORD }, address);
  assert.equal(untrusted.code, 2);
  assert.match(untrusted.err, /cannot connect to 127\.0\.0\.1:\d+ over TLS: .*certificate/);
});

/** Waits until the server's output has a line matching `re` after its first `from` lines. */
function logged(c: TestClient, re: RegExp, from = 0): Promise<string> {
  return waitFor(`a log line matching ${re}`, async () => c.logs.slice(from).find((m) => re.test(m.message))?.message);
}

test('the editor reads the cluster with the password its secret storage hands over, and again when it changes', async () => {
  const dir = workspace({ 'app.py': APP });
  const plain = `127.0.0.1:${node.port}`;
  const c = await startTestServer(dir, { cluster: `redis://reader@${plain}` }, [], [], { diagnosticsInHover: true, clusterPassword: PASSWORD });
  try {
    await c.ready();
    assert.match(await logged(c, /slot owners read from the cluster/), /1 primaries/);
    const mark = c.logs.length;
    await c.conn.sendNotification('keyslot/clusterPassword', { password: 'nope' });
    assert.match(await logged(c, /cannot read the cluster/, mark), /authentication failed for reader: WRONGPASS.*keyslot\.topology stands/);
  } finally {
    c.close();
  }
});
