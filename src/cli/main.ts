/**
 * The `special-agent` entry; bin/special-agent.js runs its bundle, dist/cli/special-agent.js
 * (scripts/bundle-gateway.js). Like the gateway entry, this file runs when loaded;
 * everything else in src/cli only defines things.
 */
import { createProcessContext } from './cli-context.js';
import { runCli } from './program.js';

process.exitCode = await runCli(process.argv.slice(2), createProcessContext(process.env));
