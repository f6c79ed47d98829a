import * as fs from 'fs';

/*
 * How keyslot reaches a cluster to read it: the address (`HOST:PORT`, `redis://[user@]HOST:PORT`,
 * or `rediss://…` for TLS) and the credentials, which never travel in the address or on a command
 * line: the password comes from KEYSLOT_REDIS_PASSWORD (the CLI, any editor) or from VS Code's
 * secret storage, a CA file for TLS from KEYSLOT_REDIS_CA.
 */

export interface ClusterTarget {
  /** HOST:PORT of the node to start from */
  seed: string;
  auth: Auth;
}

export interface Auth {
  tls?: boolean;
  username?: string;
  password?: string;
  /** PEM text of the CA that signed the nodes' certificates (the system's CAs otherwise) */
  ca?: string;
}

export class AddressError extends Error {}

/** What `--cluster` / `keyslot.cluster` names, or why it cannot be used. */
export function parseClusterAddress(text: string): { seed: string; tls: boolean; username?: string } {
  const t = text.trim();
  const plain = /^([^\s:/@]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(t);
  if (plain) return { seed: `${plain[1]}:${plain[2]}`, tls: false };
  const url = /^(rediss?):\/\/(?:([^:@/\s]*)(:[^@/\s]*)?@)?([^\s:/@]+|\[[0-9a-fA-F:]+\]):(\d{1,5})\/?$/.exec(t);
  if (!url) throw new AddressError(`"${text}" is not HOST:PORT, redis://[USER@]HOST:PORT or rediss://[USER@]HOST:PORT`);
  if (url[3]) throw new AddressError(`the address carries a password: keep it out of settings and command lines (KEYSLOT_REDIS_PASSWORD, or "keyslot: Set Cluster Password" in VS Code)`);
  return { seed: `${url[4]}:${url[5]}`, tls: url[1] === 'rediss', username: url[2] ? decodeURIComponent(url[2]) : undefined };
}

/** The address and the credentials from the environment (and an editor's secret, which wins). */
export function clusterTarget(text: string, env: NodeJS.ProcessEnv, secret?: string, readFile: (p: string) => string = (p) => fs.readFileSync(p, 'utf8')): ClusterTarget {
  const a = parseClusterAddress(text);
  const password = secret || env.KEYSLOT_REDIS_PASSWORD || undefined;
  let ca: string | undefined;
  if (a.tls && env.KEYSLOT_REDIS_CA) {
    try {
      ca = readFile(env.KEYSLOT_REDIS_CA);
    } catch (e) {
      throw new AddressError(`KEYSLOT_REDIS_CA: cannot read ${env.KEYSLOT_REDIS_CA}: ${(e as Error).message}`);
    }
  }
  return { seed: a.seed, auth: { tls: a.tls || undefined, username: a.username, password, ca } };
}
