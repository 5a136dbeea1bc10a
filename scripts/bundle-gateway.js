// Bundles the two Node entries of the build, the headless gateway (dist/main/gateway.js) and
// the CLI (dist/cli/special-agent.js, what bin/special-agent.js runs). Loading ~70 modules
// one by one cost ~100 ms of gateway cold start and ~500 ms of `special-agent --version`
// (bench/README.md); a bundle parses in a few ms.
//
// One esbuild run with code splitting: every module lands in one file, shared by both
// entries, so `special-agent gateway run` runs the very files dist/main/gateway.js runs,
// and the CLI's lazily imported command groups (src/cli/program.ts) stay separate files
// that a command loads only when it runs.
//
// Where files land matters, because modules find things relative to themselves:
// - chunks go to dist/main, like the gateway entry: the gateway reads ../../package.json
//   and ../../dist/renderer, both two folders up, as they are from dist/cli too;
// - the keychain worker is a third entry, dist/main/keychain-worker.js, which
//   keychain-host.ts starts from `./keychain-worker.js` beside itself; the build fails
//   when keychain-host.ts would be bundled anywhere else.
// Native and optional modules stay external and load from node_modules: the keyring (a
// native module), ws's optional accelerators, and pkijs/asn1js (src/main/tls/README.md).
import { readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

const OUT = 'dist';
const CHUNK_DIR = 'dist/main';
const KEYCHAIN_WORKER = 'dist/main/keychain-worker.js';
/** The chunks' names: esbuild's hash is 8 characters of upper-case base32. */
const CHUNK_NAMES = 'main/chunk-[hash]';
const CHUNK_FILE = /^chunk-[A-Z2-7]{8}\.js(\.map)?$/;

// Chunk names carry a content hash: drop the previous build's, or they pile up in dist.
for (const name of await readdir(CHUNK_DIR)) {
  if (CHUNK_FILE.test(name)) await rm(join(CHUNK_DIR, name));
}

const result = await build({
  entryPoints: {
    'main/gateway': 'dist/main/gateway-main.js',
    'main/keychain-worker': 'dist/main/secrets/keychain-worker.js',
    'cli/special-agent': 'dist/cli/main.js',
  },
  outdir: OUT,
  chunkNames: CHUNK_NAMES,
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
  external: ['@napi-rs/keyring', 'bufferutil', 'utf-8-validate', 'pkijs', 'asn1js'],
  // ws and other CommonJS dependencies call require(); give each ESM file one.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
});

const host = Object.entries(result.metafile.outputs).find(
  ([, output]) => output.inputs['dist/main/secrets/keychain-host.js'],
);
if (!host || dirname(host[0]) !== dirname(KEYCHAIN_WORKER)) {
  console.error(
    `bundle-gateway: keychain-host.js went to ${host?.[0] ?? 'no output'}, not beside ${KEYCHAIN_WORKER}; ` +
      'the keychain worker would not be found',
  );
  process.exit(1);
}
