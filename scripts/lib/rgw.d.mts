// Types for rgw.mjs (plain JS so that it runs without a build step).

export declare const CACHE_DIR: string;
export declare const CEPH_DIR: string;
export declare const TEST_ACCESS_KEY: string;
export declare const TEST_SECRET_KEY: string;
export declare const TEST_REGION: string;

export interface RgwInstance {
  /** e.g. http://127.0.0.1:41234 (path-style requests) */
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  pids: { mon: number; osd: number; rgw: number };
  /** Scratch directory of this cluster (config, logs, memstore dumps). */
  dir: string;
  /** Stop rgw, osd, mon (in that order) and wait for them; removes the scratch dir it created. */
  stop(): Promise<void>;
}

export declare function ensureRgw(options?: { log?: (line: string) => void }): Promise<{ root: string; cached: boolean; seconds: number }>;
export declare function startRgw(options?: { log?: (line: string) => void; detached?: boolean; dir?: string; memstoreBytes?: number }): Promise<RgwInstance>;
export declare function freePort(): Promise<number>;
export declare function isRunning(pid: number): boolean;
export declare function stopPids(pids: Array<[string, number]>, options?: { graceMs?: number; log?: (line: string) => void }): Promise<void>;
