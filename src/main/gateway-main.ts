/**
 * The headless gateway entry (`npm run gateway`, `node dist/main/gateway-main.js`):
 * the same composition root as the desktop app, without Electron.
 */
import { runGatewayUntilSignal } from './run-gateway.js';

process.exitCode = await runGatewayUntilSignal({ env: process.env });
