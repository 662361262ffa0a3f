// Types of codeServer.mjs, for the TypeScript that imports it (test/e2e).

export type Log = (line: string) => void;

export const CODE_SERVER_VERSION: string;
export const REPO_ROOT: string;
export const CACHE_DIR: string;
export const ENTRY: string;
export const CHROMIUM_PATH: string;
export const CHROMIUM_ARGS: string[];

export function ensureCodeServer(options?: { log?: Log }): Promise<string>;
export function ensureChromium(options?: { log?: Log }): Promise<string>;
export function freePort(): Promise<number>;

export interface CodeServer {
  url: string;
  port: number;
  pid: number;
  logFile: string;
  stop(): Promise<void>;
}

export function startCodeServer(options: {
  port?: number;
  folder?: string;
  userDataDir: string;
  extensionsDir: string;
  settings?: Record<string, unknown>;
  env?: Record<string, string>;
  logFile?: string;
  readyTimeoutMs?: number;
  log?: Log;
}): Promise<CodeServer>;

export function workbenchUrl(
  url: string,
  options?: { folder?: string; extensionDevelopmentPath?: string; extensionTestsPath?: string },
): string;

export function tail(file: string, lines: number): string;
export function sleep(ms: number): Promise<void>;
