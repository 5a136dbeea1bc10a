import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linuxOnlyName, onLinux } from './keychain.test-support.js';
import { CHILD_EXIT_WAIT_MS } from '../../../test/helpers/child.js';
import { within } from '../../../test/helpers/within.js';

/**
 * These run in child processes because the keychain library reads the real process
 * environment: each child gets a D-Bus address where no Secret Service can answer.
 */
const moduleUrl = (file: string) => new URL(file, import.meta.url).href;
const NO_BUS = 'unix:path=/nonexistent';
const LINUX_FIX = 'apt install gnome-keyring';

interface ChildReport {
  ok: boolean;
  code?: string;
  detailCode?: string;
  message?: string;
  [key: string]: unknown;
}

/** Runs `body` (ESM, with `keychain`, `resolve` and `service` modules imported) in a child. */
async function runChild(body: string, busAddress: string): Promise<ChildReport> {
  const code = `
    const keychain = await import(${JSON.stringify(moduleUrl('./keychain.ts'))});
    const resolve = await import(${JSON.stringify(moduleUrl('./resolve.ts'))});
    const service = await import(${JSON.stringify(moduleUrl('./secrets-service.ts'))});
    const { configSchema } = await import(${JSON.stringify(moduleUrl('../../shared/config-schema.ts'))});
    const report = (extra) => process.stdout.write(JSON.stringify(extra) + '\\n');
    try {
      const result = await (async () => { ${body} })();
      report({ ok: true, ...result });
    } catch (error) {
      report({ ok: false, code: error.code,
        detailCode: error.details?.code, message: error.message, ...(error.extra ?? {}) });
    }
  `;
  const env: NodeJS.ProcessEnv = { ...process.env, DBUS_SESSION_BUS_ADDRESS: busAddress };
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const closed = new Promise<number | null>((done) => child.once('close', done));
  // Bounded, so a keychain call that hangs fails here, naming what hung, not at 30 s.
  const exitCode = await within(CHILD_EXIT_WAIT_MS, closed, 'the keychain child to report').catch(
    (error: unknown) => {
      child.kill('SIGKILL');
      throw error;
    },
  );
  const line = stdout.trim().split('\n').pop();
  if (exitCode !== 0 || !line) throw new Error(`child failed (${exitCode}): ${stderr}`);
  return JSON.parse(line) as ChildReport;
}

describe.skipIf(!onLinux)(linuxOnlyName('with no reachable keychain'), () => {
  it('storing a key fails fast with KEYCHAIN_UNAVAILABLE and says how to fix it', async () => {
    // A call timeout past runChild's bound: only an immediate refusal reports in time.
    const report = await runChild(
      `await new keychain.OsKeychain({ timeoutMs: ${2 * CHILD_EXIT_WAIT_MS} })
        .set('provider:openai', 'sk-never-written-1234');`,
      NO_BUS,
    );
    expect(report.ok).toBe(false);
    expect(report.code).toBe('UNAVAILABLE');
    expect(report.detailCode).toBe('KEYCHAIN_UNAVAILABLE');
    expect(report.message).toMatch(
      /^The OS keychain is not available: unlock it or start gnome-keyring/,
    );
    expect(report.message).toMatch(/; nothing was saved\. \(D-Bus: .+\)$/);
    expect(report.message).toContain(LINUX_FIX);
    expect(report.message).not.toContain('sk-never-written');
    expect(report.message).not.toMatch(/\n/);
    expect(report.message, 'refused, not timed out').not.toContain('did not answer');
  });

  it('the probe reports the Secret Service as unavailable, with the fix', async () => {
    const report = await runChild(`return await new keychain.OsKeychain().probe();`, NO_BUS);
    expect(report).toMatchObject({ ok: true, available: false, backend: 'secret-service' });
    expect(report.error).toContain(LINUX_FIX);
  });

  it('storing through SecretsService leaves the plaintext copy in the config file', async () => {
    const report = await runChild(
      `
      const edits = [];
      const config = configSchema.parse({
        models: { providers: { openai: { type: 'openai', baseUrl: 'https://api.openai.com/v1', apiKey: 'sk-old-plaintext-0000' } } },
      });
      const secrets = new service.SecretsService({
        store: new keychain.OsKeychain(),
        editConfig: async (e) => { edits.push(e); },
        getConfig: () => config,
        env: {},
      });
      try {
        await secrets.storeSecret(['models', 'providers', 'openai', 'apiKey'], 'sk-new-key-9999');
      } catch (error) {
        error.extra = { edits: edits.length };
        throw error;
      }
      `,
      NO_BUS,
    );
    expect(report.ok).toBe(false);
    expect(report.detailCode).toBe('KEYCHAIN_UNAVAILABLE');
    expect(report.edits).toBe(0);
  });

  it('resolving a key reports no source and the keychain error instead of throwing', async () => {
    const report = await runChild(
      `
      const result = await resolve.resolveSecret({ kind: 'provider', id: 'openai' }, {
        env: {}, config: configSchema.parse({}), store: new keychain.OsKeychain(),
      });
      return { source: result.source, value: result.value, error: result.error?.message };
      `,
      NO_BUS,
    );
    expect(report).toMatchObject({ ok: true, source: 'none' });
    expect(report.value).toBeUndefined();
    expect(report.error).toContain(LINUX_FIX);
  });

  describe('when the session bus accepts connections but never answers', () => {
    let folder: string;
    let server: Server;
    const sockets: Socket[] = [];

    beforeAll(async () => {
      folder = await mkdtemp(join(tmpdir(), 'sa-hung-bus-'));
      // Accepts and stays silent; the sockets are kept so afterAll can close them.
      server = createServer((socket) => sockets.push(socket));
      await new Promise<void>((done) => server.listen(join(folder, 'bus'), done));
    });

    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((done) => server.close(done));
      await rm(folder, { recursive: true, force: true });
    });

    it('gives up after timeoutMs with KEYCHAIN_UNAVAILABLE instead of hanging', async () => {
      const report = await runChild(
        `await new keychain.OsKeychain({ timeoutMs: 300 }).set('provider:openai', 'sk-hung-1234');`,
        `unix:path=${join(folder, 'bus')}`,
      );
      expect(report.ok).toBe(false);
      expect(report.detailCode).toBe('KEYCHAIN_UNAVAILABLE');
      // It ends at all (runChild's wait is bounded), and by the 300 ms limit, not another error.
      expect(report.message).toContain('did not answer within 300 ms');
    });
  });
});
