/**
 * The keychain worker's life cycle, on the real library in a child process (the library
 * reads the process's own D-Bus address): a call that times out on a silent bus leaves its
 * worker behind, the next call gets a new one, and once MAX_ABANDONED_KEYCHAIN_WORKERS are
 * stuck further calls fail at once instead of piling up threads. (libdbus holds a process-
 * wide lock while it waits for the bus's Hello, so a new worker can only connect once the
 * stuck one has let go, here when the hung daemon is restarted; libdbus also reads the bus
 * address once per process, so the restarted daemon answers at the same address.)
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterEach, expect } from 'vitest';
import { startSilentBus, type SilentBus } from '../../../test/helpers/silent-bus.js';
import { MAX_ABANDONED_KEYCHAIN_WORKERS } from './keychain-host.js';
import { describeWithKeychain, itWithKeychain } from './keychain.test-support.js';

const keychainUrl = new URL('./keychain.ts', import.meta.url).href;
const WAIT_MS = 20_000;

let bus: SilentBus | undefined;
afterEach(async () => {
  await bus?.close();
  bus = undefined;
});

/**
 * Runs `body` in a child with `keychain` imported, the silent bus as its session bus, `step(name)`
 * (prints `name`, then waits for the test's go on stdin) and `outcome(promise)`, and returns
 * its report. `onStep` hears each step. The child is killed once it reported: workers still
 * inside libdbus would make a normal exit wait for libdbus's own 25 s timeout.
 */
async function runChild(
  body: string,
  silent: string,
  onStep: (name: string) => void = () => undefined,
): Promise<Record<string, unknown>> {
  const code = `
    const keychain = await import(${JSON.stringify(keychainUrl)});
    const outcome = (promise) => promise.then((value) => ({ value }), (error) => ({ error: error.message }));
    const step = (name) => new Promise((go) => { process.stdin.once('data', go); process.stdout.write('step ' + name + '\\n'); });
    const result = await (async () => { ${body} })();
    process.stdout.write('report ' + JSON.stringify(result) + '\\n');
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: silent },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const report = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no report within ${WAIT_MS} ms: ${stderr}`)),
      WAIT_MS,
    );
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      for (let end = stdout.indexOf('\n'); end !== -1; end = stdout.indexOf('\n')) {
        const line = stdout.slice(0, end);
        stdout = stdout.slice(end + 1);
        if (line.startsWith('step ')) {
          onStep(line.slice(5));
          child.stdin.write('go\n');
        } else if (line.startsWith('report ')) {
          clearTimeout(timer);
          resolve(line.slice(7));
        }
      }
    });
    child.once('exit', (exitCode) => {
      clearTimeout(timer);
      reject(new Error(`child exited (${exitCode}) before reporting: ${stderr}`));
    });
  });
  try {
    return JSON.parse(await report) as Record<string, unknown>;
  } finally {
    child.kill('SIGKILL');
  }
}

// Long enough for a worker to start from the TypeScript sources (tsx) on a loaded machine.
const TIMEOUT_FIX =
  'The OS keychain did not answer within 3 s: unlock it or restart gnome-keyring (or KWallet), then retry';
const TIMEOUT_MESSAGE = `${TIMEOUT_FIX}.`;

describeWithKeychain('the keychain worker', () => {
  itWithKeychain(
    'after a call timed out on a hung keychain, the next call runs on a new worker and succeeds once the keychain is restarted',
    async () => {
      bus = await startSilentBus();
      const silentBus = bus;
      const service = `special-agent-test-host-${randomUUID().slice(0, 8)}`;
      const report = await runChild(
        `
        const store = new keychain.OsKeychain({ service: ${JSON.stringify(service)}, timeoutMs: 3000 });
        const hung = await outcome(store.get('gateway:token'));
        await step('restart the keychain');
        const stored = await outcome(store.set('gateway:token', 'kept-by-a-new-worker'));
        const read = await outcome(store.get('gateway:token'));
        await store.delete('gateway:token');
        return { hung, stored, read };
        `,
        silentBus.address,
        // What "restart gnome-keyring" does: the hung clients are dropped, new ones answered.
        () => silentBus.recover(process.env.DBUS_SESSION_BUS_ADDRESS ?? ''),
      );
      expect(report).toEqual({
        hung: { error: TIMEOUT_MESSAGE },
        stored: {},
        read: { value: 'kept-by-a-new-worker' },
      });
      expect(silentBus.begun(), 'the first call reached the silent bus').toBe(1);
    },
  );

  itWithKeychain(
    `with ${MAX_ABANDONED_KEYCHAIN_WORKERS} workers stuck, a further call is refused at once instead of starting another`,
    async () => {
      bus = await startSilentBus();
      const report = await runChild(
        `
        const store = new keychain.OsKeychain({ timeoutMs: 3000 });
        const stuck = [];
        for (let n = 0; n < ${MAX_ABANDONED_KEYCHAIN_WORKERS}; n += 1) stuck.push(await outcome(store.get('gateway:token')));
        // Refused before half its deadline: it never waited on a worker of its own.
        let timer;
        const halfway = new Promise((resolve) => (timer = setTimeout(() => resolve('still waiting at half its deadline'), 1500)));
        const refused = await Promise.race([outcome(store.set('gateway:token', 'never-sent')), halfway]);
        clearTimeout(timer);
        return { stuck, refused };
        `,
        bus.address,
      );
      expect(report).toEqual({
        stuck: Array.from({ length: MAX_ABANDONED_KEYCHAIN_WORKERS }, () => ({
          error: TIMEOUT_MESSAGE,
        })),
        refused: { error: `${TIMEOUT_FIX}; nothing was saved.` },
      });
    },
  );
});
