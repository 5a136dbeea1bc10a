import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { childEnv, runCli } from '../helpers/child.js';
import { makeTempHome } from '../helpers/gateway.js';
import { expectOneLineFailure } from './cli-test-support.js';

const homes: string[] = [];
afterEach(async () => {
  for (const home of homes.splice(0)) await rm(home, { recursive: true, force: true });
});

async function homeWith(configText: string) {
  const home = await makeTempHome();
  homes.push(home);
  const file = join(home, 'config.json5');
  await writeFile(file, configText);
  return { file, env: childEnv(home, { DBUS_SESSION_BUS_ADDRESS: undefined }) };
}

describe('special-agent configure on a broken config file', () => {
  it('exits 78 naming the `{` a missing `}` left open, not only where parsing stopped', async () => {
    const broken =
      "{\n  gateway: {\n    port: 18789,\n    auth: { mode: 'token',\n  }\n  models: {},\n}\n";
    const { file, env } = await homeWith(broken);
    expectOneLineFailure(
      await runCli(['configure', 'get', 'gateway.port'], env),
      78,
      /config\.json5:6:3: invalid character 'm' \(the `\{` opened at 4:11 is not closed\)/,
    );
    expect(await readFile(file, 'utf8')).toBe(broken);
  });

  it('exits 78 listing every schema problem with its line:column and path', async () => {
    const { env } = await homeWith(
      '{\n  gateway: {\n    port: "x",\n    bind: 7,\n    pairng: {},\n  },\n}\n',
    );
    const result = await runCli(['configure', 'get', 'gateway.port'], env);
    expectOneLineFailure(result, 78, /\(3 problems\)/);
    expect(result.stderr).toMatch(/config\.json5:3:11: [^;]* at gateway\.port; /);
    expect(result.stderr).toMatch(/; 4:11: [^;]* at gateway\.bind; /);
    expect(result.stderr).toContain('; 5:5: unknown key "pairng" at gateway.pairng');
  });
});
