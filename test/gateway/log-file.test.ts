/**
 * The gateway's log file, on the real headless entry: `<home>/logs/gateway.log` keeps every
 * line even when the terminal copy goes away (a reader that closes after two lines), the
 * secrets are redacted in it, and `special-agent gateway logs` and `logs.tail` show it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { RotatingLogFile, gatewayLogPath } from '../../src/main/util/log-file.js';
import type { GatewayClient } from '../../src/shared/gateway-client.js';
import { ChildRun, REPO_ROOT, childEnv, runCli } from '../helpers/child.js';
import { deviceClient, makeTempHome, newIdentity, writeConfig } from '../helpers/gateway.js';

const CLI_ENTRY = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const GATEWAY_ENTRY = fileURLToPath(new URL('../../src/main/gateway-main.ts', import.meta.url));
const WAIT_MS = 10_000;
const EDITS = 20;
const CONNECTS = 20;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanups.splice(0).reverse()) await step();
});

/** Resolves with `probe()`'s first truthy answer; fails naming `what` after WAIT_MS. */
async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${WAIT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** `promise`, or a failure naming `what` after WAIT_MS. */
async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${WAIT_MS} ms`)), WAIT_MS);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** The http URL the gateway printed, as the reader showed it. */
async function listeningUrl(piped: PipedGateway): Promise<string> {
  const match = await until(
    'listening line from head',
    () => piped.shown().match(/listening on (http:\/\/\S+\/)/) ?? undefined,
  );
  return match[1] ?? '';
}

const readLog = (home: string) => readFile(gatewayLogPath(home), 'utf8').catch(() => '');

interface PipedGateway {
  gateway: ChildProcess;
  reader: ChildProcess;
  /** What the reader printed before it closed: the first two lines. */
  shown: () => string;
  readerClosed: Promise<void>;
}

/**
 * The gateway entry with stdout and stderr both piped into `head -n 2`, which exits after
 * two lines and leaves the gateway writing into a closed pipe.
 */
function gatewayIntoHead(env: NodeJS.ProcessEnv): PipedGateway {
  const reader = spawn('head', ['-n', '2'], { stdio: ['pipe', 'pipe', 'ignore'] });
  let shown = '';
  reader.stdout?.on('data', (chunk: Buffer) => (shown += chunk.toString()));
  const readerClosed = new Promise<void>((resolve) => reader.once('close', () => resolve()));
  const gateway = spawn(process.execPath, ['--import', 'tsx', GATEWAY_ENTRY], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', reader.stdin, reader.stdin],
  });
  // Only the gateway writes into the pipe now; the test's copy of its end must not keep it open.
  reader.stdin?.destroy();
  cleanups.push(async () => {
    if (gateway.exitCode === null && gateway.signalCode === null) {
      const exited = new Promise((resolve) => gateway.once('exit', resolve));
      gateway.kill('SIGTERM');
      await exited;
    }
    reader.kill();
  });
  return { gateway, reader, shown: () => shown, readerClosed };
}

async function connected(
  url: string,
  token: string,
): Promise<{ client: GatewayClient; deviceId: string }> {
  const identity = await newIdentity();
  const client = deviceClient(url, { identity, auth: { token } });
  await client.connect();
  cleanups.push(() => client.close());
  return { client, deviceId: identity.deviceId };
}

describe('the gateway log file', () => {
  it('keeps every line and keeps serving after the reader of its stdout and stderr closes', async () => {
    const home = await makeTempHome();
    cleanups.push(() => rm(home, { recursive: true, force: true }));
    await writeConfig(home, {});
    const token = randomBytes(24).toString('base64url');
    // Debug: a device's connect line is a debug line, and the connects are half the volume.
    const piped = gatewayIntoHead(
      childEnv(home, { SPECIAL_AGENT_GATEWAY_TOKEN: token, SPECIAL_AGENT_LOG_LEVEL: 'debug' }),
    );

    const httpUrl = await listeningUrl(piped);
    await within(piped.readerClosed, 'exit of head after two lines');
    const wsUrl = httpUrl.replace(/^http/, 'ws');

    // Each ignored edit is one warning line; the next edit waits for it to be in the file.
    for (let n = 0; n < EDITS; n += 1) {
      await writeConfig(home, {
        gateway: { controlUi: { allowedOrigins: [`edit-${n}-not-an-origin`] } },
      });
      await until(`config line ${n} in the log file`, async () =>
        (await readLog(home)).includes(`invalid origin "edit-${n}-not-an-origin"`),
      );
    }
    const devices = await Promise.all(
      Array.from({ length: CONNECTS }, () => connected(wsUrl, token)),
    );

    expect(piped.gateway.exitCode, 'gateway still running').toBeNull();
    const status = await devices[0]!.client.request<{ port: number }>('status');
    expect(status.port).toBe(Number(new URL(httpUrl).port));
    const health = await fetch(new URL('/healthz', httpUrl));
    expect(health.status).toBe(200);

    const log = await until('a connect line for every device', async () => {
      const text = await readLog(home);
      return devices.every(({ deviceId }) => text.includes(`device ${deviceId.slice(0, 12)} (`))
        ? text
        : undefined;
    });
    const lines = log.split('\n').filter(Boolean);
    expect(lines.filter((line) => line.includes('config change ignored'))).toHaveLength(EDITS);
    expect(lines.filter((line) => / debug connection \S+ open: device /.test(line))).toHaveLength(
      CONNECTS,
    );
    const lock = JSON.parse(await readFile(join(home, 'state', 'gateway.lock'), 'utf8')) as {
      pid: number;
    };
    expect(lock.pid, 'the lock file names the running gateway').toBe(piped.gateway.pid);
  });

  it('redacts the gateway token in the file when a config value quoted in a warning carries it', async () => {
    const home = await makeTempHome();
    cleanups.push(() => rm(home, { recursive: true, force: true }));
    await writeConfig(home, {});
    const token = `canary-token-${randomBytes(12).toString('hex')}`;
    const piped = gatewayIntoHead(childEnv(home, { SPECIAL_AGENT_GATEWAY_TOKEN: token }));
    const url = await listeningUrl(piped);

    // The dashboard URL carries the token; pasted as an allowed origin it is invalid and quoted.
    await writeConfig(home, {
      gateway: { controlUi: { allowedOrigins: [`${url}#token=${token}`] } },
    });
    const line = await until('the warning in the log file', async () =>
      (await readLog(home)).split('\n').find((text) => text.includes('config change ignored')),
    );
    expect(line).toMatch(/invalid origin/);
    expect(line).toContain('[redacted]');
    expect(await readLog(home)).not.toContain(token);
  });
});

describe('special-agent gateway logs and logs.tail', () => {
  it('show the last lines of the file, as text and as the logs.tail payload', async () => {
    const home = await makeTempHome();
    cleanups.push(() => rm(home, { recursive: true, force: true }));
    await writeConfig(home, {});
    const token = randomBytes(24).toString('base64url');
    const piped = gatewayIntoHead(childEnv(home, { SPECIAL_AGENT_GATEWAY_TOKEN: token }));
    const url = await listeningUrl(piped);
    const { client } = await connected(url.replace(/^http/, 'ws'), token);
    for (let n = 0; n < 6; n += 1) {
      await writeConfig(home, { gateway: { controlUi: { allowedOrigins: [`tail-${n}`] } } });
      await until(`line ${n}`, async () => (await readLog(home)).includes(`"tail-${n}"`));
    }
    const last5 = (await readLog(home)).split('\n').filter(Boolean).slice(-5);
    expect(last5.at(-1)).toContain('"tail-5"');

    const text = await runCli(['gateway', 'logs', '-n', '5'], childEnv(home));
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toBe(last5.map((line) => `${line}\n`).join(''));

    const json = await runCli(['gateway', 'logs', '-n', '5', '--json'], childEnv(home));
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ lines: last5 });

    expect(await client.request('logs.tail', { lines: 5 })).toEqual({ lines: last5 });

    // The log names devices and addresses: a read-only device may not read it.
    const reader = deviceClient(url.replace(/^http/, 'ws'), {
      identity: await newIdentity(),
      auth: { token },
      scopes: ['operator.read'],
    });
    await reader.connect();
    cleanups.push(() => reader.close());
    await expect(reader.request('logs.tail', {})).rejects.toMatchObject({
      code: 'FORBIDDEN',
      details: { code: 'MISSING_SCOPE', requiredScope: 'operator.admin' },
    });
    await expect(client.request('logs.tail', { lines: 501 })).rejects.toMatchObject({
      code: 'INVALID_REQUEST',
    });
  });

  it('gateway logs -f prints new lines across rotation until Ctrl-C, then exits 0', async () => {
    const home = await makeTempHome();
    cleanups.push(() => rm(home, { recursive: true, force: true }));
    const log = new RotatingLogFile({ path: gatewayLogPath(home), maxBytes: 40 });
    log.write('old line');
    const cli = new ChildRun(CLI_ENTRY, ['gateway', 'logs', '-f', '-n', '1'], childEnv(home));
    cleanups.push(() => void cli.child.kill('SIGKILL'));
    await cli.waitFor(/^old line\n/, WAIT_MS);
    // 12 bytes a line, 3 to a file: these cross two rotations.
    const fresh = Array.from({ length: 7 }, (_, n) => `new line ${n}`);
    for (const text of fresh) {
      log.write(text);
      await cli.waitFor(new RegExp(`${text}\n`), WAIT_MS);
    }
    log.close();
    cli.child.kill('SIGINT');
    const result = await within(cli.exited, 'exit after Ctrl-C');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(['old line', ...fresh].map((text) => `${text}\n`).join(''));
  });

  it('gateway logs with no log yet exits 1 and names the file', async () => {
    const home = await makeTempHome();
    cleanups.push(() => rm(home, { recursive: true, force: true }));
    const result = await runCli(['gateway', 'logs'], childEnv(home));
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `special-agent: no gateway log at ${gatewayLogPath(home)} yet (the gateway writes it while it runs: special-agent gateway run)\n`,
    );
  });

  it('gateway logs on a log it cannot read exits 1 saying it could not read it, not save', async () => {
    const home = await makeTempHome();
    cleanups.push(() => rm(home, { recursive: true, force: true }));
    // A folder where the file should be: unreadable even as root (the CI user).
    await mkdir(gatewayLogPath(home), { recursive: true });
    const result = await runCli(['gateway', 'logs'], childEnv(home));
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `special-agent: could not read the gateway log ${gatewayLogPath(home)}: it is a folder, not a file; move it aside (EISDIR)\n`,
    );
  });
});
