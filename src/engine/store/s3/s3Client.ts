/**
 * The two SDK clients an S3ObjectStore uses, built from its options: one with
 * the SDK's retries for reads, lists and deletes, and one that makes exactly
 * one attempt, for conditional writes (a retry after a lost answer would see
 * our own object and report a false conflict).
 */

import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { createHash } from 'node:crypto';

export interface S3StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface S3StoreOptions {
  bucket: string;
  /** Folder inside the bucket that is the store root ('' or absent: the bucket root). */
  prefix?: string;
  /**
   * AWS region; default: the SDK's own resolution (AWS_REGION, profile), or us-east-1 with a custom
   * endpoint. The store reads no environment: callers that want AWS_REGION for a custom endpoint
   * pass it (see `s3EnvironmentDefaults` in openStore.ts).
   */
  region?: string;
  /** S3-compatible endpoint URL, e.g. `http://127.0.0.1:7480`. */
  endpoint?: string;
  /** Path-style requests; default true with a custom endpoint, false on AWS. */
  forcePathStyle?: boolean;
  /** Static keys; without them the Node default chain is used (env, shared files, SSO, process, container/IMDS). */
  credentials?: S3StaticCredentials;
  /** Profile of the shared config/credentials files (like AWS_PROFILE). */
  profile?: string;
  /** Socket idle timeout per request (default 30 000 ms). */
  requestTimeoutMs?: number;
  /** One line per request: operation, key, status, milliseconds. Never receives secrets. */
  logger?: (line: string) => void;
  /**
   * Check once, before the first create-if-absent write, that the server honours
   * `If-None-Match: *` (see probeConditionalWrites). 'auto' (default) checks only
   * with a custom endpoint: Amazon S3 itself has supported it since 2024.
   */
  verifyConditionalWrites?: 'auto' | 'always' | 'never';
}

/** The SDK otherwise prints to the console on every failed streaming PUT (a 412 included). */
const QUIET_SDK_LOGGER = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** The region a store talks to: the option, else us-east-1 with a custom endpoint, else the SDK's own resolution (undefined). */
export function regionOf(options: S3StoreOptions): string | undefined {
  return options.region ?? (options.endpoint ? 'us-east-1' : undefined);
}

export function createS3Clients(options: S3StoreOptions): { client: S3Client; putClient: S3Client } {
  const region = regionOf(options);
  const credentials = options.credentials
    ? { ...options.credentials }
    : fromNodeProviderChain({ ...(options.profile ? { profile: options.profile } : {}), ...(region ? { clientConfig: { region } } : {}) });
  const timeout = options.requestTimeoutMs ?? 30_000;
  const config: S3ClientConfig = {
    ...(region ? { region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
    credentials,
    // throwOnRequestTimeout: without it the SDK only warns, and a server that accepts but never answers hangs us forever.
    requestHandler: { requestTimeout: timeout, connectionTimeout: Math.min(timeout, 10_000), throwOnRequestTimeout: true },
    // Many S3-compatible servers (Ceph RGW 16 among them) predate the flexible
    // checksums the SDK sends by default since 3.729; only send them when required.
    ...(options.endpoint ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } : {}),
  };
  return { client: new S3Client(config), putClient: new S3Client({ ...config, maxAttempts: 1, logger: QUIET_SDK_LOGGER }) };
}

/**
 * Two stores with equal identities reach the same server, in the same region,
 * as the same principal, so one can CopyObject from the other. Secrets enter
 * only as a hash.
 */
export function copyIdentityOf(options: S3StoreOptions): string {
  const c = options.credentials;
  const who = c ? `keys:${createHash('sha256').update(`${c.accessKeyId}\0${c.secretAccessKey}\0${c.sessionToken ?? ''}`).digest('hex')}` : `chain:${options.profile ?? ''}`;
  return JSON.stringify([options.endpoint ?? 'aws', regionOf(options) ?? '', who]);
}
