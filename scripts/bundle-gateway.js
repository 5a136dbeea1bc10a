// Bundles the headless gateway entry into one file (dist/main/gateway.js). Loading ~70
// modules one by one cost ~100 ms of cold start (bench/README.md); one file parses in ~25 ms.
// The keyring stays external: it is a native module, loaded from node_modules. pkijs and
// asn1js too: only a start that makes a TLS certificate imports them (src/main/tls/self-signed.ts);
// bundled in, they would add ~1 MB and ~15 ms of parsing to every start.
// The keychain worker (src/main/secrets/keychain-host.ts) is a second entry: the gateway
// starts it from `./keychain-worker.js` beside itself, so it is written next to gateway.js.
import { build } from 'esbuild';

await build({
  entryPoints: {
    gateway: 'dist/main/gateway-main.js',
    'keychain-worker': 'dist/main/secrets/keychain-worker.js',
  },
  outdir: 'dist/main',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  external: ['@napi-rs/keyring', 'bufferutil', 'utf-8-validate', 'pkijs', 'asn1js'],
  // ws and other CommonJS dependencies call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
});
