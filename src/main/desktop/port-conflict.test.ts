import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayLock, releaseLockIfOurs } from '../gateway/gateway-lock.js';
import { describeStartFailure } from './gateway-handle.js';
import { classifyPortConflict } from './port-conflict.js';

const servers: { close(): void }[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function listen(server: Server | ReturnType<typeof createTcpServer>): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function jsonServer(status: number, body: unknown): Promise<number> {
  return listen(
    createHttpServer((req, res) => {
      res.writeHead(req.url === '/healthz' ? status : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    }),
  );
}

describe('classifyPortConflict', () => {
  it('recognises another special-agent gateway by its /healthz', async () => {
    const port = await jsonServer(200, {
      ok: true,
      service: 'special-agent-gateway',
      version: '0.1.0',
      port: 1,
    });
    await expect(classifyPortConflict(port, fetch)).resolves.toBe('special-agent');
  });

  it('calls anything else "other"', async () => {
    const foreignJson = await jsonServer(200, { ok: true, service: 'grafana' });
    const notFound = await jsonServer(500, { service: 'special-agent-gateway' });
    const html = await listen(createHttpServer((_req, res) => res.end('<html>hello</html>')));
    await expect(classifyPortConflict(foreignJson, fetch)).resolves.toBe('other');
    await expect(classifyPortConflict(notFound, fetch)).resolves.toBe('other');
    await expect(classifyPortConflict(html, fetch)).resolves.toBe('other');
  });

  it('gives up on a holder that accepts connections but never answers', async () => {
    const sockets: Socket[] = [];
    const silent = createTcpServer((socket) => sockets.push(socket));
    const port = await listen(silent);
    await expect(classifyPortConflict(port, fetch, { timeoutMs: 200 })).resolves.toBe('other');
    for (const socket of sockets) socket.destroy();
  });
});

describe('describeStartFailure', () => {
  it('sorts the gateway start errors into what the tray shows', () => {
    const inUse = Object.assign(
      new Error('listen EADDRINUSE: address already in use 127.0.0.1:18790'),
      {
        code: 'EADDRINUSE',
        port: 18790,
      },
    );
    expect(describeStartFailure(inUse, 18789)).toEqual({
      kind: 'port-in-use',
      port: 18790,
      message: 'Port 18790 is already in use',
    });
    const invalid = Object.assign(new Error('config.json5:2:9 gateway.port: expected number'), {
      exitCode: 78,
    });
    expect(describeStartFailure(invalid, 18789)).toEqual({
      kind: 'config-invalid',
      message: 'config.json5:2:9 gateway.port: expected number',
    });
    expect(describeStartFailure(new Error('boom'), 18789)).toEqual({
      kind: 'other',
      message: 'boom',
    });
  });
});

describe('a start refused because this home’s gateway already runs', () => {
  it('counts as the port held by a special-agent gateway, on the port its lock names', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sa-lock-'));
    // A live process that is not this one holds the lock, listening on 18790.
    const holder = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const path = join(dir, 'gateway.lock');
      await writeFile(path, JSON.stringify({ pid: holder.pid, startedAtMs: 1, port: 18790 }));
      const refusal = await GatewayLock.acquire(path, Date.now()).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(describeStartFailure(refusal, 18789)).toEqual({
        kind: 'port-in-use',
        port: 18790,
        message: `Another special-agent gateway (PID ${holder.pid}) already runs on this home, on port 18790`,
        ownHome: true,
      });
      // A gateway that listens records its URL too: over TLS the tray must not open it
      // as plain HTTP on 127.0.0.1.
      const url = 'https://192.0.2.2:18790/';
      await writeFile(path, JSON.stringify({ pid: holder.pid, startedAtMs: 1, port: 18790, url }));
      const again = await GatewayLock.acquire(path, Date.now()).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(describeStartFailure(again, 18789)).toMatchObject({
        kind: 'port-in-use',
        ownHome: true,
        url,
        message: expect.stringContaining(`already runs on this home, at ${url}`),
      });
    } finally {
      holder.kill();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('after a restart whose start failed', () => {
  it('the tray process lets go of the lock it kept, but never of another process’s', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sa-lock-'));
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const ours = join(dir, 'ours.lock');
      const theirs = join(dir, 'theirs.lock');
      await writeFile(ours, JSON.stringify({ pid: process.pid, startedAtMs: 1, port: 18790 }));
      await writeFile(theirs, JSON.stringify({ pid: other.pid, startedAtMs: 1, port: 18791 }));
      await releaseLockIfOurs(ours);
      await releaseLockIfOurs(theirs);
      await expect(readFile(ours, 'utf8'), 'our lock').rejects.toMatchObject({ code: 'ENOENT' });
      expect(JSON.parse(await readFile(theirs, 'utf8')), 'their lock').toMatchObject({
        pid: other.pid,
      });
    } finally {
      other.kill();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
