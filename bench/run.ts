/**
 * `npm run bench`: prints a table and writes bench/results.json.
 * Figures that compare two things are measured in the same run.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeTime, latestLookupLists, requestsPerOperation } from './engine.bench';

async function optional<T>(name: string, load: () => Promise<T>): Promise<T | { skipped: string }> {
  try {
    return await load();
  } catch (e) {
    return { skipped: `${name}: ${e instanceof Error ? e.message : String(e)}` };
  }
}

async function main(): Promise<void> {
  const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version };

  const requests = await requestsPerOperation();
  results.requestsPerOperation = requests;
  console.log('\nRequests per operation (counted; minimum = what the protocol needs)');
  console.table(requests.map((r) => ({ operation: r.operation, LIST: r.list, GET: r.get, PUT: r.put, total: r.total, minimum: r.minimum })));

  const lookups = await latestLookupLists();
  results.latestLookup = lookups;
  console.log('LIST requests to find the latest manifest');
  console.table(lookups.map((r) => ({ manifests: r.manifests, cold: r.coldLists, warm: r.warmLists })));

  const decode = decodeTime();
  results.decode10kSsts = decode;
  console.log(`Decode a manifest with ${decode.ssts} SSTs (${(decode.bytes / 1024).toFixed(0)} KiB): median ${decode.medianMs.toFixed(2)} ms, best ${decode.minMs.toFixed(2)} ms (goal < 20 ms)\n`);

  const history = await optional('history', async () => (await import('./history.bench')).runHistoryBench());
  results.history = history;

  const extension = await optional('extension', async () => (await import('./extension.bench')).runExtensionBench());
  results.extension = extension;

  // Data, backups, policies (issues 11-13): real-engine databases, built once into .cache/bench/.
  const dataBenches: Array<[string, () => Promise<unknown>]> = [
    ['scan', async () => (await import('./scan.bench')).runScanBench()],
    ['backup', async () => (await import('./backup.bench')).runBackupBench()],
    ['policy', async () => (await import('./policy.bench')).runPolicyBench()],
  ];
  for (const [name, load] of dataBenches) {
    const figures = await optional(name, load);
    if (figures && typeof figures === 'object' && 'skipped' in figures) console.log(`skipped ${figures.skipped}\n`);
    results[name] = figures;
  }

  const out = path.join(__dirname, 'results.json');
  fs.writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
