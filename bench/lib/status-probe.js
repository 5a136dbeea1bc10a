/**
 * A worker thread of the load generator that holds one already-open connection and, while
 * asked to, sends `status` (the raw server echoes it) in a loop, timing each call. It has
 * its own event loop, so the work of the storm's 200 clients in the main thread (signing,
 * parsing) is not counted as server latency. Commands from the parent: `start` (some
 * unrecorded calls, then `started`, then recording), `stop` (answers with the figures),
 * `close`. workerData: `{ url, device?: KeyObject, deviceToken?, warmup }`; with a device
 * the connection is authenticated first.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { RpcChannel, closeSocket, deviceOf, openAuthenticated, openSocket } from './clients.js';
import { percentile } from './load.js';

const { url, device, deviceToken, warmup } = workerData;
const ws = device
  ? (await openAuthenticated(url, deviceOf(device), { deviceToken })).ws
  : await openSocket(url);
const channel = new RpcChannel(ws);
let recording;

async function record(state) {
  for (let i = 0; i < warmup; i += 1) await channel.call('status');
  parentPort.postMessage({ started: true });
  while (!state.stop) {
    const started = process.hrtime.bigint();
    await channel.call('status');
    state.samples.push(Number(process.hrtime.bigint() - started) / 1000);
  }
}

parentPort.on('message', (cmd) => {
  if (cmd === 'start') {
    recording = { stop: false, samples: [] };
    recording.done = record(recording);
    recording.done.catch((error) => parentPort.postMessage({ error: error.message }));
  } else if (cmd === 'stop') {
    recording.stop = true;
    void recording.done.then(() => {
      const sorted = Float64Array.from(recording.samples).sort();
      parentPort.postMessage({
        count: sorted.length,
        p50Ms: percentile(sorted, 50) / 1000,
        p99Ms: percentile(sorted, 99) / 1000,
        maxMs: sorted[sorted.length - 1] / 1000,
      });
    });
  } else if (cmd === 'close') {
    void closeSocket(ws).then(() => parentPort.close());
  }
});
parentPort.postMessage({ ready: true });
