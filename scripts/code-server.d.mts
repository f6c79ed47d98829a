// Types for scripts/code-server.mjs (plain JS so node scripts use it without a build step).
import type { ChildProcess } from 'node:child_process';

export declare const CODE_SERVER_VERSION: string;
export declare const VSCODE_VERSION: string;
export declare function cacheDir(): string;
export declare function codeServerDir(): string;
export declare function ensureCodeServer(): Promise<string>;
export declare function ensureChromium(): Promise<string>;
export declare function freePort(): Promise<number>;

export interface StartOptions {
  folder?: string;
  extensionsDir?: string;
  userDataDir?: string;
  port?: number;
  env?: Record<string, string>;
  startTimeoutMs?: number;
}
export interface CodeServer {
  url: string;
  port: number;
  userDataDir: string;
  extensionsDir: string;
  process: ChildProcess;
  /** The last 20 000 characters the server printed. */
  output(): string;
  stop(): Promise<void>;
}
export declare function startCodeServer(options?: StartOptions): Promise<CodeServer>;
export declare function installVsix(vsixPath: string, extensionsDir: string): Promise<string>;

export interface ExtensionTestOptions {
  extensionDevelopmentPath: string;
  extensionTestsPath: string;
  folder: string;
  timeoutMs?: number;
  /** Each console call of the workbench and extension host: `type` is log, info, warn, error…; `args` as passed. */
  onLog?: (type: string, args: unknown[]) => void;
  env?: Record<string, string>;
}
export declare function runExtensionTests(options: ExtensionTestOptions): Promise<number>;
