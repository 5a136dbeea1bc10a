#!/usr/bin/env node
// The installed `special-agent` command: runs the bundled CLI, or says how to build it.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/special-agent.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('special-agent is not built yet: run npm run build (npm ci does it too)\n');
  process.exit(1);
}
await import(entry.href);
