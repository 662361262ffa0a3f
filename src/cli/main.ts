/**
 * `slatedb-checkpoints` entry point. stdout carries exactly one JSON
 * document (the result, or `{"error": {...}}` on failure); stderr carries
 * human messages. Exit codes: 0 success, 1 the operation failed, 2 bad usage
 * or input (nothing was read or written).
 */

import { EngineError, isEngineError, messageOf } from '../engine/errors';
import type { LogLevel } from '../engine/log';
import { LoggingObjectStore } from '../engine/store/loggingStore';
import { openStore } from '../engine/store/openStore';
import { COMMANDS, commandSpecOf, helpText, parseCommandLine } from './args';
import type { Json } from '../engine/json';
import { CommandOutcome } from './outcome';
import type { TextSink } from './dataCommands';
import { chooseStore, loadEnvFile } from './storeFromEnv';

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  // Text commands (scan, diff) report every failure on stderr only, usage errors included.
  const textCommand = commandSpecOf(argv)?.text === true;
  const write = (doc: unknown) => process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
  try {
    const { global, command, options } = parseCommandLine(argv);
    if (global.help || options.help || command === undefined) {
      process.stderr.write(helpText() + '\n');
      if (command === undefined && !global.help) throw new EngineError('INVALID_ARGUMENT', 'no command given');
      write({ help: true });
      return 0;
    }
    const spec = COMMANDS[command];
    const dbPath = typeof global.path === 'string' ? global.path : undefined;
    const pathGlob = typeof global['path-glob'] === 'string' ? global['path-glob'] : undefined;
    if (pathGlob !== undefined && !spec.pathGlob) throw new EngineError('INVALID_ARGUMENT', `${command} does not take --path-glob`);
    const globbed = spec.pathGlob === true && (pathGlob !== undefined || typeof options['path-glob'] === 'string');
    if (spec.needsPath && !globbed && (dbPath === undefined || dbPath.trim() === '')) {
      throw new EngineError('INVALID_ARGUMENT', `${command} needs --path (the database root inside the store), given before the command`);
    }
    if (typeof global['env-file'] === 'string') loadEnvFile(global['env-file'], env);
    const verbose = global.verbose === true;
    const log = (level: LogLevel, message: string) => {
      if (verbose || level === 'warn' || level === 'error') process.stderr.write(`[${level}] ${message}\n`);
    };
    if (spec.storeless && (global.store !== undefined || dbPath !== undefined || global['endpoint-url'] !== undefined)) {
      throw new EngineError('INVALID_ARGUMENT', `${command} takes its stores and paths from its input: drop --store / --path / --endpoint-url`);
    }
    if (spec.storeless) return emit(await spec.run(options, { log, env }), write);
    const choice = chooseStore(global, env);
    const store = new LoggingObjectStore(await openStore(choice.url, { ...choice.options, logger: verbose ? (l) => log('trace', l) : undefined }), log);
    try {
      if (spec.text) {
        await spec.run(options, { store, dbPath, pathGlob, log }, stdoutSink());
        return 0;
      }
      return emit(await spec.run(options, { store, dbPath, pathGlob, log }), write);
    } finally {
      await store.close();
    }
  } catch (e) {
    const err = reportedError(e);
    if (isEngineError(e, 'CANCELLED') && stdoutClosed) return 0; // `scan | head`: the reader has what it wanted
    process.stderr.write(`error: ${err.message}\n`);
    if (textCommand) return exitCodeOf(err); // text commands: stderr only, stdout keeps just the lines already written
    write({ error: { code: err.code, message: err.message, ...(err.key ? { key: err.key } : {}) } });
    return exitCodeOf(err);
  }
}

let stdoutClosed = false;

/** stdout for text commands: resolves each write once it is buffered below the high-water mark; aborts on EPIPE. */
function stdoutSink(): TextSink {
  const controller = new AbortController();
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') {
      stdoutClosed = true;
      controller.abort();
    }
  });
  return {
    signal: controller.signal,
    write: (text) =>
      new Promise<void>((resolve) => {
        if (stdoutClosed || process.stdout.write(text)) return resolve();
        // Whichever comes first; both listeners go, so a long scan into a slow pipe adds none per write.
        const done = () => {
          process.stdout.off('drain', done);
          controller.signal.removeEventListener('abort', done);
          resolve();
        };
        process.stdout.once('drain', done);
        controller.signal.addEventListener('abort', done, { once: true });
      }),
  };
}

/** Prints a command's document; a CommandOutcome also sets the exit code (1: some databases failed). */
function emit(result: Json | CommandOutcome, write: (doc: unknown) => void): number {
  if (result instanceof CommandOutcome) {
    write(result.document);
    return result.exitCode;
  }
  write(result);
  return 0;
}

/** What a failure is reported as: every failure we foresee is an EngineError; anything else is a bug of ours (INTERNAL). */
export function reportedError(e: unknown): EngineError {
  return isEngineError(e) ? e : new EngineError('INTERNAL', `unexpected error (a bug in slatedb-checkpoints): ${messageOf(e)}`, { cause: e });
}

/** 2: bad usage or input (nothing was read or written); 1: the operation failed. */
export function exitCodeOf(err: EngineError): number {
  return err.code === 'INVALID_ARGUMENT' ? 2 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`fatal: ${e instanceof Error ? e.stack : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
