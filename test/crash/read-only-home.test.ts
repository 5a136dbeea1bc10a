/**
 * A read-only home (a tmpfs remounted read-only; root ignores permission bits): the CLI
 * and the gateway say so in one line and exit, and a running gateway whose home turns
 * read-only refuses the approval it cannot save without crashing.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { GatewayClientError, type GatewayClient } from '../../src/shared/gateway-client.js';
import { childEnv, runCli, runGateway } from '../helpers/child.js';
import {
  connectDevice,
  deviceClient,
  newIdentity,
  startTestGateway,
  writeConfig,
  type TestGateway,
} from '../helpers/gateway.js';
import { ScratchMount } from './faulty-disk.js';

const PROXY = '127.0.0.2';
// Mounted while the file is collected, so skipIf below knows whether it worked.
const scratch = await ScratchMount.create();
afterAll(async () => {
  await scratch.readOnly(false).catch(() => undefined);
  await scratch.dispose();
});

const CONFIG = '// mine\n{\n  gateway: { port: 0 },\n}\n';

describe.skipIf(!scratch.mounted)(
  `a read-only home (skipped where no tmpfs can be mounted: ${scratch.mountError ?? 'mounted'})`,
  () => {
    let gateway: TestGateway | undefined;
    let admin: GatewayClient | undefined;
    afterEach(async () => {
      await scratch.readOnly(false);
      admin?.close();
      await gateway?.stop();
      admin = undefined;
      gateway = undefined;
    });

    it('`special-agent configure set` prints one line naming the cause and exits 1; the file is unchanged', async () => {
      const home = join(scratch.dir, 'cli');
      await writeConfig(home, CONFIG);
      await scratch.readOnly(true);
      const result = await runCli(['configure', 'set', 'gateway.port', '19005'], childEnv(home));
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/^special-agent: .*read-only/i);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(await readFile(join(home, 'config.json5'), 'utf8')).toBe(CONFIG);
    });

    it('the gateway refuses to start on a used home turned read-only, naming the cause in one line', async () => {
      const home = join(scratch.dir, 'start');
      await writeConfig(home, CONFIG);
      await mkdir(join(home, 'state'), { mode: 0o700 });
      await scratch.readOnly(true);
      const child = runGateway(
        childEnv(home, { SPECIAL_AGENT_GATEWAY_TOKEN: 'a-token-for-this-test-0123456789' }),
      );
      const result = await child.exited;
      expect(result.code).not.toBe(0);
      expect(result.signal).toBeNull();
      expect(result.stderr).toMatch(/read-only/i);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    });

    it('a running gateway refuses an approval it cannot save, keeps serving, and approves once writable', async () => {
      const home = join(scratch.dir, 'running');
      await writeConfig(home, { gateway: { port: 0, trustedProxies: [PROXY] } });
      gateway = await startTestGateway({ home });
      const operator = await connectDevice(gateway);
      admin = operator.client;
      const identity = await newIdentity();
      const remote = () =>
        deviceClient(gateway!.wsUrl, {
          identity,
          auth: { token: gateway!.token },
          localAddress: PROXY,
          headers: { 'x-forwarded-for': '203.0.113.4' },
        });
      const pending = (await remote()
        .connect()
        .then(
          () => undefined,
          (e: unknown) => e,
        )) as GatewayClientError;
      const requestId = pending.details?.requestId as string;
      const storeBefore = await readFile(join(home, 'state', 'devices.json'));

      await scratch.readOnly(true);
      const refused = await admin.request('device.pair.approve', { requestId }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(GatewayClientError);
      expect(await readFile(join(home, 'state', 'devices.json'))).toEqual(storeBefore);
      // Still serving: the session answers and a paired device reconnects by device token.
      expect(await admin.request('status')).toMatchObject({ pendingPairings: 1 });
      const again = await connectDevice(gateway, {
        identity: operator.identity,
        auth: { deviceToken: operator.hello.auth!.deviceToken },
      });
      again.client.close();

      await scratch.readOnly(false);
      await admin.request('device.pair.approve', { requestId });
      expect((await remote().connect()).type).toBe('hello-ok');
    });
  },
);
