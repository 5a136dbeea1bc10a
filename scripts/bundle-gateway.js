// Bundles the two Node entries of the build. Loading ~70 modules one by one cost ~100 ms
// of gateway cold start and ~500 ms of `special-agent --version` (bench/README.md).
//
// 1. The headless gateway, dist/main/gateway.js: one file, nothing split off, because every
//    module file costs its start (~1 ms each; split into the 15 files it would share with
//    the CLI, it started 12 ms of CPU slower).
// 2. The CLI, dist/cli/special-agent.js (what bin/special-agent.js runs), with code
//    splitting: each command group that src/cli/program.ts imports lazily, and what only it
//    needs, is a chunk that loads when that command runs. `gateway run` runs the same
//    modules as dist/main/gateway.js, from the CLI's own chunks.
//
// Where files land matters, because modules find things relative to themselves:
// - the CLI's chunks go to dist/main, beside the gateway entry: the gateway code reads
//   ../../package.json and ../../dist/renderer, two folders up, as the CLI entry does;
// - keychain-host.ts starts `./keychain-worker.js` beside itself, so the worker is an
//   entry of its own, dist/main/keychain-worker.js; the build fails when the CLI's copy of
//   keychain-host.ts lands anywhere else.
// Native and optional modules stay external and load from node_modules: the keyring (a
// native module), ws's optional accelerators, and pkijs/asn1js (src/main/tls/README.md).
import { readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

const CHUNK_DIR = 'dist/main';
const KEYCHAIN_WORKER = 'dist/main/keychain-worker.js';
/** The chunks' names: esbuild's hash is 8 characters of upper-case base32. */
const CHUNK_NAMES = 'main/chunk-[hash]';
const CHUNK_FILE = /^chunk-[A-Z2-7]{8}\.js(\.map)?$/;

/** What both builds share. */
const COMMON = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  external: ['@napi-rs/keyring', 'bufferutil', 'utf-8-validate', 'pkijs', 'asn1js'],
  // ws and other CommonJS dependencies call require(); give each ESM file one.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
};

// Chunk names carry a content hash: drop the previous build's, or they pile up in dist.
for (const name of await readdir(CHUNK_DIR)) {
  if (CHUNK_FILE.test(name)) await rm(join(CHUNK_DIR, name));
}

await build({
  ...COMMON,
  entryPoints: {
    gateway: 'dist/main/gateway-main.js',
    'keychain-worker': 'dist/main/secrets/keychain-worker.js',
  },
  outdir: 'dist/main',
});

const cli = await build({
  ...COMMON,
  entryPoints: { 'cli/special-agent': 'dist/cli/main.js' },
  outdir: 'dist',
  splitting: true,
  chunkNames: CHUNK_NAMES,
  metafile: true,
});

const host = Object.entries(cli.metafile.outputs).find(
  ([, output]) => output.inputs['dist/main/secrets/keychain-host.js'],
);
if (!host || dirname(host[0]) !== dirname(KEYCHAIN_WORKER)) {
  console.error(
    `bundle-gateway: the CLI's keychain-host.js went to ${host?.[0] ?? 'no output'}, not beside ${KEYCHAIN_WORKER}; ` +
      'it would not find the keychain worker',
  );
  process.exit(1);
}
