// Child process for the crash test: pairs devices in a loop on the store given in argv[2]
// and prints each deviceId once its approval has resolved (i.e. is durable).
import { randomBytes } from 'node:crypto';
import { systemClock } from '../../util/clock.js';
import { PairingService } from '../pairing-service.js';
import { requestFor } from './support.js';

const storePath = process.argv[2];
if (storePath === undefined) throw new Error('usage: crash-loop.ts <devices.json>');

// Kills between request and approve leave pending requests behind; lift the caps so the
// loop never stalls on them.
const service = await PairingService.open({
  path: storePath,
  clock: systemClock,
  limits: { maxPendingPerAddress: 1_000_000, maxPendingTotal: 1_000_000 },
});
for (;;) {
  const { request } = await service.requestPairing(requestFor(randomBytes(8).toString('hex')));
  const { device } = await service.approve(request.requestId);
  process.stdout.write(`${device.deviceId}\n`);
}
