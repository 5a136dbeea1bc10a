#!/usr/bin/env node
// Prints the gzip size of the Control UI's startup JavaScript — the entry scripts and
// modulepreloads named in dist/renderer/index.html plus every chunk they import
// statically — and fails when it passes the budget. Lazy chunks (import()) don't count.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { TARGETS } from '../bench/lib/targets.js';

/** The bench's target is the build's budget: one number, so neither can drift (issue 16). */
const BUDGET_BYTES = TARGETS.uiStartupGzipBytes;
const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'renderer');
const indexFile = join(dist, 'index.html');

if (!existsSync(indexFile)) {
  console.error('ui-size: dist/renderer/index.html is missing; run `npx vite build` first.');
  process.exit(1);
}

const html = readFileSync(indexFile, 'utf8');
const entries = [
  ...html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g),
  ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g),
].map((match) => match[1]);

/** Static imports only: `import ... from "x"`, `import "x"`, `export ... from "x"`; not `import("x")`. */
function staticImports(code) {
  const found = [];
  for (const match of code.matchAll(
    /(?:\bimport|\bexport)\s*(?:[\w${},*\s]+?\s*from\s*)?["']([^"']+\.js)["']/g,
  )) {
    found.push(match[1]);
  }
  return found;
}

const seen = new Map();
const queue = entries.map((src) => posix.normalize(src.replace(/^\//, '')));
while (queue.length > 0) {
  const file = queue.shift();
  if (seen.has(file)) continue;
  const code = readFileSync(join(dist, file));
  seen.set(file, gzipSync(code, { level: 9 }).length);
  for (const spec of staticImports(code.toString('utf8'))) {
    if (spec.startsWith('.')) queue.push(posix.normalize(posix.join(posix.dirname(file), spec)));
    else if (spec.startsWith('/')) queue.push(posix.normalize(spec.slice(1)));
  }
}

let total = 0;
for (const [file, size] of seen) {
  total += size;
  console.log(`  ${file}  ${(size / 1024).toFixed(1)} KB gzip`);
}
const within = total < BUDGET_BYTES;
const verdict = within ? 'ok' : 'OVER BUDGET';
console.log(
  `startup JS: ${(total / 1024).toFixed(1)} KB gzip (budget < ${BUDGET_BYTES / 1024} KB) — ${verdict}`,
);
if (!within) process.exit(1);
