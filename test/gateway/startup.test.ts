import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import {
  childEnv,
  CHILD_EXIT_WAIT_MS,
  refusalOf,
  runGateway,
  type ChildRun,
} from '../helpers/child.js';
import { deviceClient, makeTempHome, newIdentity, writeConfig } from '../helpers/gateway.js';
import { OUTCOME_WAIT_MS, within } from '../helpers/within.js';

const TOKEN = 'startup-test-token-0123456789';
const homes: string[] = [];
const children: ChildRun[] = [];
afterEach(async () => {
  for (const child of children.splice(0))
    if (child.child.exitCode === null) child.child.kill('SIGKILL');
  for (const home of homes.splice(0)) await rm(home, { recursive: true, force: true });
});

async function home(config?: string | Record<string, unknown>): Promise<string> {
  const dir = await makeTempHome();
  homes.push(dir);
  if (config !== undefined) await writeConfig(dir, config);
  return dir;
}

function start(dir: string, args: string[] = [], extra: Record<string, string> = {}): ChildRun {
  const child = runGateway(childEnv(dir, { SPECIAL_AGENT_GATEWAY_TOKEN: TOKEN, ...extra }), args);
  children.push(child);
  return child;
}

const sha256 = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

describe('startup refusals', () => {
  it('exits 78 on a broken config, naming config.json5:line:column, and leaves the file byte-identical', async () => {
    const dir = await home(
      '{\n  gateway: {\n    port: 18789,\n    bind: "loopback"  auth: {},\n  },\n}\n',
    );
    const before = await sha256(`${dir}/config.json5`);
    const result = await refusalOf(start(dir), 'the exit of a gateway with a broken config');
    expect(result.listening, 'a gateway with a broken config started listening').toBe(false);
    expect(result.code, 'exit code').toBe(78);
    expect(result.stderr).toMatch(/config\.json5:4:\d+/);
    expect(await sha256(`${dir}/config.json5`)).toBe(before);
  });

  it('exits 78 on a schema error, naming the line and the dotted path', async () => {
    const dir = await home('// my gateway\n{\n  gateway: {\n    port: "not a number",\n  },\n}\n');
    const before = await sha256(`${dir}/config.json5`);
    const result = await refusalOf(start(dir), 'the exit of a gateway with a schema error');
    expect(result.listening, 'a gateway with a schema error started listening').toBe(false);
    expect(result.code, 'exit code').toBe(78);
    expect(result.stderr).toMatch(/config\.json5:4:\d+/);
    expect(result.stderr).toContain('gateway.port');
    expect(await sha256(`${dir}/config.json5`)).toBe(before);
  });

  it('exits 78 on a missing closing brace, naming the line of the `{` it left open', async () => {
    const dir = await home(
      '{\n  gateway: {\n    port: 0,\n    auth: { mode: "token",\n  }\n  models: {},\n}\n',
    );
    const result = await refusalOf(start(dir), 'the exit of a gateway with an unclosed brace');
    expect(result.listening, 'a gateway with an unclosed brace started listening').toBe(false);
    expect(result.code, 'exit code').toBe(78);
    expect(result.stderr).toContain(
      "config.json5:6:3: invalid character 'm' (the `{` opened at 4:11 is not closed)",
    );
  });

  it('exits 78 listing every schema problem, each with its line and dotted path', async () => {
    const dir = await home('{\n  gateway: {\n    port: "x",\n    bind: 7,\n  },\n}\n');
    const result = await refusalOf(start(dir), 'the exit of a gateway with two schema errors');
    expect(result.listening, 'a gateway with schema errors started listening').toBe(false);
    expect(result.code, 'exit code').toBe(78);
    expect(result.stderr).toMatch(
      /config\.json5:3:11: [^;]* at gateway\.port; 4:11: [^;]* at gateway\.bind \(2 problems\)/,
    );
  });

  it('refuses auth mode none on a lan bind with exit 78 and says how to fix it', async () => {
    const dir = await home({ gateway: { bind: 'lan', auth: { mode: 'none' } } });
    const result = await refusalOf(start(dir), 'the exit of a gateway set to none on lan');
    expect(result.listening, 'a gateway with auth none on a lan bind started listening').toBe(
      false,
    );
    expect(result.code, 'exit code').toBe(78);
    expect(result.stderr).toContain('use gateway.auth.mode "token", or bind to loopback');
  });

  it('exits 1 naming the port when it is already in use, without trying another', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const dir = await home({ gateway: { port } });
      const result = await refusalOf(start(dir), 'the exit of a gateway on a taken port');
      expect(result.listening, 'a gateway on a taken port started listening').toBe(false);
      expect(result.code, 'exit code').toBe(1);
      expect(result.stderr).toContain(`port ${port}`);
      expect(result.stdout).not.toContain('listening');
    } finally {
      blocker.close();
    }
  });

  it('exits 78 when gateway.bind is an address this machine does not have, saying what to set', async () => {
    // 192.0.2.1 is TEST-NET-1 (RFC 5737): never an address of this machine.
    const dir = await home({ gateway: { bind: '192.0.2.1', port: 0 } });
    const result = await refusalOf(start(dir), 'the exit of a gateway bound to a foreign address');
    expect(result.listening, 'a gateway bound to a foreign address started listening').toBe(false);
    expect(result.code, 'exit code').toBe(78);
    expect(result.stderr).toContain('no interface of this machine has the address 192.0.2.1');
    expect(result.stderr).toContain('set gateway.bind');
    // Refused before anything was written: a pinned certificate must not change for a
    // gateway that never ran.
    await expect(
      stat(`${dir}/tls/gateway.pem`),
      'a certificate made by the refused start',
    ).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });

  it('exits 1 saying what to fix when <home>/state is not a folder, and leaves it as it is', async () => {
    const dir = await home({});
    await writeFile(`${dir}/state`, 'not a folder\n');
    const result = await refusalOf(start(dir), 'the exit of a gateway whose state is a file');
    expect(result.listening, 'a gateway without a state folder started listening').toBe(false);
    expect(result.code, 'exit code').toBe(1);
    expect(result.stderr).toContain(`${dir}/state`);
    expect(result.stderr).toMatch(/make .*state.* a folder you can write|SPECIAL_AGENT_HOME/);
    expect(result.stderr).not.toMatch(/^special-agent: E[A-Z]+: /m);
    expect(await readFile(`${dir}/state`, 'utf8')).toBe('not a folder\n');
  });

  it('refuses a second gateway on the same home, naming the PID that holds the lock', async () => {
    const dir = await home({});
    const first = start(dir);
    await first.waitFor(/listening on (http:\/\/\S+)/);
    const second = await refusalOf(start(dir), 'the exit of a second gateway on the same home');
    expect(second.listening, 'a second gateway on the same home started listening').toBe(false);
    expect(second.code, 'exit code').toBe(1);
    expect(second.stderr).toContain(`PID ${first.child.pid}`);
    expect(second.stderr).toContain('gateway.lock');
  });
});

describe('graceful shutdown', () => {
  it('sends connected clients a shutdown event, then closes 1012, and exits 0 on SIGTERM', async () => {
    const dir = await home({});
    const gateway = start(dir);
    const [, url] = await gateway.waitFor(/listening on (http:\/\/\S+)/);
    const client = deviceClient(url!.replace('http://', 'ws://'), {
      identity: await newIdentity(),
      auth: { token: TOKEN },
    });
    await client.connect();
    const events: string[] = [];
    client.on('shutdown', () => events.push('shutdown'));
    gateway.child.kill('SIGTERM');
    const closed = await within(OUTCOME_WAIT_MS, client.closed(), 'the close after SIGTERM');
    expect(events, 'events before the close').toEqual(['shutdown']);
    expect(closed.code, 'close code').toBe(1012);
    const exited = await within(CHILD_EXIT_WAIT_MS, gateway.exited, 'the exit after SIGTERM');
    expect(exited.code, 'exit code after SIGTERM').toBe(0);
  });
});
