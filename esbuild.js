// Builds the extension, the CLI and the integration tests.
//   node esbuild.js               one build (sourcemaps, not minified)
//   node esbuild.js --production  minified extension and CLI
//   node esbuild.js --watch       rebuild on change (new test files need a restart)
//
//   src/extension/extension.ts   -> dist/extension.js            (loaded by VS Code: package.json "main")
//   src/cli/main.ts              -> dist/cli.js                  (package.json "bin"; skipped while absent)
//   test/integration/**/*.ts     -> out/test/integration/**/*.js (mocha inside the extension host)
//   src/webview/history/main.ts  -> dist/webview.js              (the history panel's page: browser, iife)
//                                   + dist/codicons/             (codicon.css/.ttf for <vscode-icon>, copied)
//   src/webview/data/main.ts     -> dist/dataWebview.js        (the data panel's page: browser, iife)

const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

process.chdir(__dirname); // every path below is relative to the repository root

// vscode exists only inside the extension host. @slatedb/uniffi loads a native library from its
// own folder, so it must stay a real package on disk rather than be bundled.
const external = ['vscode', '@slatedb/uniffi'];

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  sourcesContent: false,
  logLevel: 'silent',
};

/**
 * The S3 store (and the AWS SDK under it) is its own file, dist/s3.js, loaded by the
 * one dynamic import in `loadS3Store()` (src/engine/store/openStore.ts) only when an S3
 * store is opened: local-only users never parse the SDK, and activation stays small.
 * The split keys on the resolved file, not on the import text; a static import of the
 * S3 module fails the build (it would pull the SDK into the importing bundle).
 */
const S3_MODULE = path.resolve(__dirname, 'src/engine/store/s3/s3Store.ts');
if (!fs.existsSync(S3_MODULE)) throw new Error(`esbuild.js: the S3 store moved from ${S3_MODULE}; update S3_MODULE`);

function s3SplitPlugin() {
  return {
    name: 's3-split',
    setup(build) {
      build.onResolve({ filter: /^\./ }, async (args) => {
        if (args.pluginData === 's3-split') return undefined;
        const resolved = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 's3-split' });
        if (resolved.path !== S3_MODULE) return resolved.errors.length > 0 ? { errors: resolved.errors } : undefined;
        if (args.kind !== 'dynamic-import') {
          return { errors: [{ text: `${path.relative(__dirname, args.importer)} imports the S3 store statically: load it with loadS3Store() (engine/store/openStore.ts) so the AWS SDK stays in dist/s3.js` }] };
        }
        return { path: './s3.js', external: true };
      });
    },
  };
}

function builds() {
  const list = [
    {
      ...common,
      entryPoints: ['src/extension/extension.ts'],
      outfile: 'dist/extension.js',
      external,
      plugins: [problemMatcherPlugin('extension'), s3SplitPlugin()],
      minify: production,
    },
    {
      ...common,
      entryPoints: [S3_MODULE],
      outfile: 'dist/s3.js',
      external,
      plugins: [problemMatcherPlugin('s3')],
      minify: production,
    },
  ];
  // A webview page runs in the browser sandbox: no Node, no vscode module, only what it bundles
  // (@vscode-elements/elements and our src/shared). Loaded with a CSP nonce from dist/ (a
  // localResourceRoot), so each page must be one self-contained file.
  const page = (entry, outfile, name, extraPlugins = []) => ({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    sourcesContent: false,
    logLevel: 'silent',
    minify: production,
    plugins: [problemMatcherPlugin(name), ...extraPlugins],
  });
  list.push(page('src/webview/history/main.ts', 'dist/webview.js', 'webview', [copyCodiconsPlugin()]));
  // The data panel's page (Browse Data, Compare).
  list.push(page('src/webview/data/main.ts', 'dist/dataWebview.js', 'data webview'));
  if (fs.existsSync('src/cli/main.ts')) {
    list.push({
      ...common,
      entryPoints: ['src/cli/main.ts'],
      outfile: 'dist/cli.js',
      external,
      plugins: [problemMatcherPlugin('cli'), s3SplitPlugin()],
      minify: production,
      banner: { js: '#!/usr/bin/env node' },
    });
  }
  const tests = listFiles('test/integration', (file) => file.endsWith('.ts'));
  if (tests.length > 0) {
    list.push({
      ...common,
      entryPoints: tests,
      outbase: 'test/integration',
      outdir: 'out/test/integration',
      // mocha stays a package on disk: the suite's index.js and every test file must share one
      // instance (its globals and reporters), and the host resolves it from node_modules/.
      external: [...external, 'mocha'],
      plugins: [problemMatcherPlugin('integration tests')],
    });
  }
  return list;
}

function listFiles(dir, keep) {
  if (!fs.existsSync(dir)) {
    return [];
  }
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return listFiles(full, keep);
    }
    return keep(full) ? [full.split(path.sep).join('/')] : [];
  });
}

/** Copies the codicon font and stylesheet next to the webview script (localResourceRoots: dist/, media/). */
function copyCodiconsPlugin() {
  return {
    name: 'copy-codicons',
    setup(build) {
      build.onEnd(() => {
        const from = path.join('node_modules', '@vscode', 'codicons', 'dist');
        fs.mkdirSync(path.join('dist', 'codicons'), { recursive: true });
        for (const file of ['codicon.css', 'codicon.ttf']) fs.copyFileSync(path.join(from, file), path.join('dist', 'codicons', file));
      });
    },
  };
}

/** Prints errors in the form of VS Code's $esbuild-watch problem matcher. */
function problemMatcherPlugin(name) {
  return {
    name: 'problem-matcher',
    setup(build) {
      build.onStart(() => {
        if (watch) {
          console.log(`[watch] build started (${name})`);
        }
      });
      build.onEnd((result) => {
        for (const { text, location } of result.errors) {
          console.error(`✘ [ERROR] ${text} (${name})`);
          if (location) {
            console.error(`    ${location.file}:${location.line}:${location.column}:`);
          }
        }
        if (watch) {
          console.log(`[watch] build finished (${name})`);
        }
      });
    },
  };
}

async function main() {
  // The suite loads every *.test.js it finds: never leave one whose .ts was deleted.
  fs.rmSync('out/test/integration', { recursive: true, force: true });
  const contexts = await Promise.all(builds().map((options) => esbuild.context(options)));
  if (watch) {
    await Promise.all(contexts.map((context) => context.watch()));
    return;
  }
  try {
    const results = await Promise.allSettled(contexts.map((context) => context.rebuild()));
    if (results.some((result) => result.status === 'rejected')) {
      process.exitCode = 1;
    }
  } finally {
    await Promise.all(contexts.map((context) => context.dispose()));
  }
  if (fs.existsSync('dist/cli.js')) {
    fs.chmodSync('dist/cli.js', 0o755);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
