/**
 * Which store the CLI opens: `--store URL`, or — like SlateDB's CLI — the
 * environment (`CLOUD_PROVIDER=local` + `LOCAL_PATH`, or `CLOUD_PROVIDER=aws`
 * + `AWS_BUCKET` / `AWS_ENDPOINT` / `AWS_REGION` / keys / `AWS_ALLOW_HTTP`),
 * optionally loaded from `--env-file` (which, like dotenv, never overrides a
 * variable already set).
 */

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseEnv } from 'node:util';
import { EngineError } from '../engine/errors';
import type { OpenStoreOptions } from '../engine/store/openStore';

export interface StoreChoice {
  url: string;
  options: OpenStoreOptions;
}

export function loadEnvFile(file: string, env: NodeJS.ProcessEnv): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new EngineError('INVALID_ARGUMENT', `cannot read --env-file ${file}: ${(e as Error).message}`);
  }
  for (const [k, v] of Object.entries(parseEnv(text))) if (env[k] === undefined) env[k] = v;
}

export function chooseStore(global: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv): StoreChoice {
  const flag = (name: string) => (typeof global[name] === 'string' ? (global[name] as string) : undefined);
  const options: OpenStoreOptions = {};
  const endpoint = flag('endpoint-url');
  if (endpoint) options.endpoint = endpoint;
  if (flag('region')) options.region = flag('region');
  if (flag('profile')) options.profile = flag('profile');

  const store = flag('store');
  if (store) return { url: store, options };

  const provider = env.CLOUD_PROVIDER?.toLowerCase();
  if (provider === 'local') {
    const dir = env.LOCAL_PATH;
    if (!dir) throw new EngineError('INVALID_ARGUMENT', 'CLOUD_PROVIDER=local needs LOCAL_PATH (the directory that holds the database)');
    return { url: pathToFileURL(path.resolve(dir)).href, options };
  }
  if (provider === 'aws') {
    const bucket = env.AWS_BUCKET;
    if (!bucket) throw new EngineError('INVALID_ARGUMENT', 'CLOUD_PROVIDER=aws needs AWS_BUCKET');
    const envEndpoint = env.AWS_ENDPOINT ?? env.AWS_ENDPOINT_URL;
    if (!options.endpoint && envEndpoint) options.endpoint = envEndpoint;
    if (!options.region && env.AWS_REGION) options.region = env.AWS_REGION;
    if (options.endpoint?.startsWith('http://') && env.AWS_ALLOW_HTTP !== 'true' && env.AWS_ALLOW_HTTP !== '1') {
      throw new EngineError('INVALID_ARGUMENT', `AWS_ENDPOINT ${options.endpoint} is plain http: set AWS_ALLOW_HTTP=true to allow it (as SlateDB requires)`);
    }
    if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
      options.credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN };
    }
    return { url: `s3://${bucket}`, options };
  }
  if (provider) throw new EngineError('INVALID_ARGUMENT', `CLOUD_PROVIDER=${env.CLOUD_PROVIDER} is not supported here: use local or aws, or pass --store`);
  throw new EngineError(
    'INVALID_ARGUMENT',
    'no store given: pass --store file:///abs/dir or --store s3://bucket/prefix, or set CLOUD_PROVIDER=local with LOCAL_PATH (or CLOUD_PROVIDER=aws with AWS_BUCKET)',
  );
}
