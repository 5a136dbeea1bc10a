/**
 * Builds the Control UI (src/renderer) into dist/renderer, which the gateway serves from
 * memory (src/main/gateway/control-ui.ts). Hashed files under assets/ are cached forever;
 * index.html is revalidated. The Chat page is split out (React.lazy) so startup stays
 * small; `node scripts/ui-size.js` enforces the budget.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('./src/renderer', import.meta.url));
const outDir = fileURLToPath(new URL('./dist/renderer', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export default defineConfig({
  root,
  base: '/',
  publicDir: 'public',
  plugins: [react()],
  define: { __APP_VERSION__: JSON.stringify(pkg.version) },
  build: {
    outDir,
    emptyOutDir: true,
    assetsDir: 'assets',
    reportCompressedSize: true,
    // The gateway's CSP has no 'unsafe-inline': every script and style must be a file.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'es2022',
  },
});
