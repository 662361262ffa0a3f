// Entry of the integration suite that runs INSIDE the VS Code extension host: the host loads the
// built out/test/integration/index.js as `extensionTestsPath` and awaits run().
//   - here: scripts/run-host-tests.mjs (code-server + headless Chromium) reads the results file;
//   - on a desktop: @vscode/test-electron awaits run() and fails when it rejects.
// Environment (inherited from whoever started the host):
//   SLATEDB_TEST_RESULTS  where to write the results JSON (default test-results/integration-results.json)
//   SLATEDB_TEST_GREP     only run tests whose full title matches this regular expression
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as util from 'node:util';
import Mocha from 'mocha';

export interface IntegrationResults {
  passed: number;
  failed: number;
  pending: number;
  failures: { title: string; error: string }[];
  output: string;
  durationMs: number;
}

const repoRoot = path.resolve(__dirname, '..', '..', '..');

export async function run(): Promise<void> {
  const resultsFile = process.env.SLATEDB_TEST_RESULTS ?? path.join(repoRoot, 'test-results', 'integration-results.json');
  const started = Date.now();
  const results: IntegrationResults = { passed: 0, failed: 0, pending: 0, failures: [], output: '', durationMs: 0 };
  const lines: string[] = [];

  // Reporters print through Base.consoleLog; keep a copy of every line for the results file.
  const base = Mocha.reporters.Base as unknown as { consoleLog: (...args: unknown[]) => void };
  const originalConsoleLog = base.consoleLog;
  base.consoleLog = (...args: unknown[]) => {
    lines.push(util.format(...args));
    originalConsoleLog(...args);
  };

  try {
    const mocha = new Mocha({ ui: 'bdd', color: false, reporter: 'spec', timeout: 60_000 });
    if (process.env.SLATEDB_TEST_GREP) {
      mocha.grep(new RegExp(process.env.SLATEDB_TEST_GREP));
    }
    const files = findTestFiles(__dirname);
    if (files.length === 0) {
      throw new Error(`no *.test.js files under ${__dirname}: run the build first`);
    }
    files.forEach((file) => mocha.addFile(file));

    await new Promise<void>((resolve) => {
      const runner = mocha.run(() => resolve());
      runner.on('pass', () => { results.passed += 1; });
      runner.on('pending', () => { results.pending += 1; });
      runner.on('fail', (test, error: Error) => {
        results.failed += 1;
        results.failures.push({ title: test.fullTitle(), error: error?.stack ?? String(error) });
      });
    });
  } catch (error) {
    // A test file that throws while loading, or no test files at all.
    results.failed += 1;
    const text = error instanceof Error ? error.stack ?? error.message : String(error);
    results.failures.push({ title: 'loading the integration suite', error: text });
    lines.push(text);
  } finally {
    base.consoleLog = originalConsoleLog;
  }

  results.output = lines.join('\n');
  results.durationMs = Date.now() - started;
  writeAtomically(resultsFile, JSON.stringify(results, null, 2) + '\n');

  if (results.failed > 0) {
    throw new Error(`${results.failed} integration test(s) failed (results in ${resultsFile})`);
  }
}

function findTestFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return findTestFiles(full);
    }
    return entry.name.endsWith('.test.js') ? [full] : [];
  }).sort();
}

/** The runner polls for the file: it must never see half of it. */
function writeAtomically(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, text);
  fs.renameSync(temporary, file);
}
