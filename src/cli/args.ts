/**
 * Command-line grammar of `slatedb-checkpoints`, mirroring SlateDB's CLI:
 *
 *   slatedb-checkpoints [global options] <command> [command options]
 *
 * Global options go before the command, command options after it. Parsing
 * is strict: an unknown option, a missing value or a stray argument is a
 * usage error (exit 2) before anything is read or written.
 */

import { parseArgs } from 'node:util';
import { EngineError, isEngineError, messageOf } from '../engine/errors';
import {
  CommandRun,
  createCheckpointCommand,
  deleteCheckpointCommand,
  listCheckpointsCommand,
  listDbsCommand,
  listManifestsCommand,
  pinnedSstsCommand,
  readManifestCommand,
  refreshCheckpointCommand,
} from './commands';
import { applyPolicyCommand, healthCommand, StorelessRun, withPathGlob } from './policyCommands';
import { backupCommand, restoreCommand, TARGET_OPTIONS } from './backupCommands';
import { diffCommand, scanCommand, TextRun, verifyCheckpointCommand } from './dataCommands';

type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

export const GLOBAL_OPTIONS: OptionSpec = {
  path: { type: 'string' },
  store: { type: 'string' },
  'endpoint-url': { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  'env-file': { type: 'string' },
  'path-glob': { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
};

interface CommandSpecBase {
  summary: string;
  options: OptionSpec;
  /** Options that must be given. */
  required?: string[];
  /** False for commands that work on the whole store (list-dbs). */
  needsPath: boolean;
  usage: string;
  /** Also runs on every database `--path-glob G` matches (instead of --path). */
  pathGlob?: boolean;
}

/** Runs the command on parsed options: one JSON document out. A `storeless` command opens the stores its input names. */
export type CommandSpec = CommandSpecBase &
  ({ storeless?: false; text?: false; run: CommandRun } | { storeless: true; text?: false; run: StorelessRun } | { storeless?: false; text: true; run: TextRun });

export const COMMANDS: Record<string, CommandSpec> = {
  'list-checkpoints': {
    summary: "List the checkpoints of the database's latest manifest",
    options: { name: { type: 'string' } },
    needsPath: true,
    usage: 'list-checkpoints [--name NAME]',
    run: listCheckpointsCommand,
  },
  'create-checkpoint': {
    summary: 'Create a checkpoint (pins the new manifest, or the one --source pins)',
    options: { lifetime: { type: 'string' }, source: { type: 'string' }, name: { type: 'string' }, 'path-glob': { type: 'string' }, 'all-or-nothing': { type: 'boolean' } },
    needsPath: true,
    pathGlob: true,
    usage: 'create-checkpoint [--lifetime DUR] [--source UUID] [--name NAME] [--path-glob G [--all-or-nothing]]',
    run: withPathGlob('create', createCheckpointCommand),
  },
  'refresh-checkpoint': {
    summary: 'Set a checkpoint to expire DUR from now (no --lifetime: never expires)',
    options: { id: { type: 'string' }, lifetime: { type: 'string' }, name: { type: 'string' }, 'path-glob': { type: 'string' } },
    needsPath: true,
    pathGlob: true,
    usage: 'refresh-checkpoint (--id UUID | --name N --path-glob G) [--lifetime DUR]',
    run: withPathGlob('refresh', refreshCheckpointCommand),
  },
  'delete-checkpoint': {
    summary: 'Delete a checkpoint (succeeds without writing when it does not exist)',
    options: { id: { type: 'string' }, name: { type: 'string' }, 'path-glob': { type: 'string' } },
    needsPath: true,
    pathGlob: true,
    usage: 'delete-checkpoint (--id UUID | --name N --path-glob G)',
    run: withPathGlob('delete', deleteCheckpointCommand),
  },
  'read-manifest': {
    summary: 'Print every field of a manifest (default: the latest)',
    options: { id: { type: 'string' } },
    needsPath: true,
    usage: 'read-manifest [--id N]',
    run: readManifestCommand,
  },
  'list-manifests': {
    summary: 'List manifest files; --start inclusive, --end exclusive',
    options: { start: { type: 'string' }, end: { type: 'string' } },
    needsPath: true,
    usage: 'list-manifests [--start N] [--end N]',
    run: listManifestsCommand,
  },
  'pinned-ssts': {
    summary: 'The SSTs a checkpoint pins, their sizes, and the bytes deleting it would free',
    options: { id: { type: 'string' } },
    required: ['id'],
    needsPath: true,
    usage: 'pinned-ssts --id UUID',
    run: pinnedSstsCommand,
  },
  'list-dbs': {
    summary: 'Find SlateDB databases in the store (no --path needed)',
    options: { prefix: { type: 'string' } },
    needsPath: false,
    usage: 'list-dbs [--prefix P]',
    run: listDbsCommand,
  },
  scan: {
    summary: "Print the keys and values of the database at a checkpoint (or latest), like SlateDB's scan",
    options: {
      checkpoint: { type: 'string' },
      prefix: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      key: { type: 'string' },
      value: { type: 'string' },
      'max-keys': { type: 'string' },
      count: { type: 'boolean' },
      format: { type: 'string' },
    },
    needsPath: true,
    usage: 'scan [--checkpoint UUID] [--prefix S | --from S --to S] [--key auto|hex|utf8] [--value auto|hex|utf8|len|none] [--max-keys N] [--count] [--format text|jsonl]',
    text: true,
    run: scanCommand,
  },
  diff: {
    summary: 'Keys added (+), removed (-) and changed (~) from checkpoint --from to --to (default: latest)',
    options: { from: { type: 'string' }, to: { type: 'string' }, prefix: { type: 'string' }, key: { type: 'string' }, value: { type: 'string' }, count: { type: 'boolean' } },
    required: ['from'],
    needsPath: true,
    usage: 'diff --from UUID [--to UUID] [--prefix S] [--key ...] [--value ...] [--count]',
    text: true,
    run: diffCommand,
  },
  'verify-checkpoint': {
    summary: 'Check that a checkpoint is restorable: its manifest, SSTs and WAL files (--deep: every block)',
    options: { id: { type: 'string' }, deep: { type: 'boolean' } },
    required: ['id'],
    needsPath: true,
    usage: 'verify-checkpoint --id UUID [--deep]',
    run: verifyCheckpointCommand,
  },
  backup: {
    summary: 'Copy a checkpoint (or the latest state, pinned while it copies) into a backup repository',
    options: { id: { type: 'string' }, latest: { type: 'boolean' }, name: { type: 'string' }, ...TARGET_OPTIONS },
    required: ['to-store', 'to-path'],
    needsPath: true,
    usage: 'backup (--id UUID | --latest) --to-store URL --to-path P [--to-endpoint-url U] [--to-region R] [--to-profile N] [--name N]',
    run: backupCommand,
  },
  restore: {
    summary: 'Copy backup --id of the repository (--store/--path) into an empty database root',
    options: { id: { type: 'string' }, ...TARGET_OPTIONS },
    required: ['id', 'to-store', 'to-path'],
    needsPath: true,
    usage: 'restore --id UUID --to-store URL --to-path P [--to-endpoint-url U] [--to-region R] [--to-profile N]',
    run: restoreCommand,
  },
  'apply-policy': {
    summary: 'Create, expire and back up checkpoints as a policy file says (stores and paths come from the file)',
    options: { policy: { type: 'string' }, 'dry-run': { type: 'boolean' }, now: { type: 'string' }, 'env-file': { type: 'string' } },
    required: ['policy'],
    needsPath: false,
    usage: 'apply-policy --policy FILE [--dry-run] [--now RFC3339] [--env-file F]',
    storeless: true,
    run: applyPolicyCommand,
  },
  health: {
    summary: 'Health report: old never-expiring and big unnamed pins, expired checkpoints, manifest growth, orphan SSTs',
    options: {
      now: { type: 'string' },
      'no-expiry-age': { type: 'string' },
      'pin-percent': { type: 'string' },
      'orphan-age': { type: 'string' },
      'manifest-warn': { type: 'string' },
      'path-glob': { type: 'string' },
    },
    needsPath: true,
    pathGlob: true,
    usage: 'health [--no-expiry-age DUR] [--pin-percent P] [--orphan-age DUR] [--manifest-warn N] [--now T]',
    run: healthCommand,
  },
};

export interface ParsedCommandLine {
  global: Record<string, string | boolean | undefined>;
  command?: string;
  options: Record<string, string | boolean | undefined>;
}

function usageError(message: string): never {
  throw new EngineError('INVALID_ARGUMENT', message);
}

function parse(args: string[], spec: OptionSpec, where: string): Record<string, string | boolean | undefined> {
  try {
    const { values, positionals } = parseArgs({ args, options: spec, strict: true, allowPositionals: true });
    if (positionals.length > 0) usageError(`unexpected argument "${positionals[0]}" ${where}`);
    return values as Record<string, string | boolean | undefined>;
  } catch (e) {
    if (isEngineError(e)) throw e;
    return usageError(`${messageOf(e).replace(/\. To specify a positional argument.*$/s, '')} ${where}`);
  }
}

/** Where the command is: the first argument that is not a global option or an option's value. */
function commandIndex(argv: string[]): number {
  let index = 0;
  while (index < argv.length && argv[index].startsWith('-')) {
    const name = argv[index].replace(/^--?/, '').split('=')[0];
    const spec = GLOBAL_OPTIONS[name] ?? Object.values(GLOBAL_OPTIONS).find((o) => o.short === name);
    index += spec && spec.type === 'string' && !argv[index].includes('=') ? 2 : 1;
  }
  return index;
}

/** The spec of the command named on the line, if any (also when its options do not parse). */
export function commandSpecOf(argv: string[]): CommandSpec | undefined {
  const name = argv[commandIndex(argv)];
  return name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
}

export function parseCommandLine(argv: string[]): ParsedCommandLine {
  const index = commandIndex(argv);
  const global = parse(argv.slice(0, index), GLOBAL_OPTIONS, 'before the command');
  const command = argv[index];
  if (command === undefined) return { global, options: {} };
  const spec = COMMANDS[command];
  if (!spec) usageError(`unknown command "${command}"; commands: ${Object.keys(COMMANDS).join(', ')}`);
  const options = parse(argv.slice(index + 1), { ...spec.options, help: { type: 'boolean', short: 'h' } }, `for ${command}`);
  for (const r of spec.required ?? []) {
    if (options[r] === undefined || options[r] === '') usageError(`${command} needs --${r}: usage: ${spec.usage}`);
  }
  return { global, command, options };
}

export function helpText(): string {
  const lines = [
    'slatedb-checkpoints: manage SlateDB checkpoints in object storage (file://, s3://)',
    '',
    'usage: slatedb-checkpoints [global options] <command> [options]',
    '',
    'global options:',
    '  --path P             database root inside the store (every command but list-dbs)',
    '  --store URL          file:///abs/dir or s3://bucket[/prefix]; without it, the store comes from',
    '                       CLOUD_PROVIDER=local + LOCAL_PATH, or CLOUD_PROVIDER=aws + AWS_BUCKET,',
    '                       AWS_ENDPOINT, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ALLOW_HTTP',
    '  --endpoint-url URL   S3-compatible endpoint (MinIO, Ceph, ...); path-style requests',
    '  --region R           AWS region',
    '  --profile NAME       AWS profile for credentials (default chain: env, shared files, SSO, IMDS)',
    '  --env-file F         read the environment variables above from a .env file first',
    '  --path-glob G        instead of --path: every database G matches ("*" one segment, "**" any);',
    '                       create-checkpoint, and refresh / delete-checkpoint --name N',
    '  -v, --verbose        log each object-store request to stderr',
    '',
    'commands:',
    ...Object.values(COMMANDS).map((spec) => `  ${spec.usage.padEnd(62)} ${spec.summary}`),
    '',
    'DUR is a humantime duration: "1h", "90s", "7days 30min 10s".',
    'stdout: exactly one JSON document (scan and diff: text lines; their errors go to stderr only).',
    'Exit codes: 0 success, 1 the operation failed, 2 bad usage or input.',
  ];
  return lines.join('\n');
}
