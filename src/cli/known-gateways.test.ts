import { mkdtemp, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliError } from './cli-error.js';
import { gatewayKey, KnownGateways } from './known-gateways.js';

const PIN_A = Array.from({ length: 32 }, () => 'AA').join(':');
const PIN_B = Array.from({ length: 32 }, () => 'BB').join(':');
const clock = { now: () => 1_700_000_000_000 };

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'special-agent-known-'));
  path = join(dir, 'identity', 'known-gateways.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('KnownGateways', () => {
  it('remembers one pin per host:port, whatever the path or letter case of the URL', async () => {
    const known = new KnownGateways({ path, clock });
    expect(await known.remember('wss://GW.example:18789/', PIN_A.toLowerCase())).toEqual({});
    expect(await known.pinFor('wss://gw.example:18789/ws')).toBe(PIN_A);
    expect(await known.pinFor('wss://gw.example:18790/')).toBeUndefined();
    expect(gatewayKey('wss://GW.example:18789/x')).toBe('wss://gw.example:18789');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'identity'))).mode & 0o777).toBe(0o700);
  });

  it('replaces a pin and says which one it replaced', async () => {
    const known = new KnownGateways({ path, clock });
    await known.remember('wss://gw.example:1/', PIN_A);
    expect(await known.remember('wss://gw.example:1/', PIN_A)).toEqual({});
    expect(await known.remember('wss://gw.example:1/', PIN_B)).toEqual({ replaced: PIN_A });
    expect(await known.pinFor('wss://gw.example:1/')).toBe(PIN_B);
  });

  it.each([
    ['not JSON', '{', 'it is not valid JSON'],
    ['a wrong version', '{"version": 2, "gateways": {}}', 'not a version 1'],
    [
      'a bad pin',
      '{"version": 1, "gateways": {"wss://a:1": {"fingerprintSha256": "AB", "pinnedAtMs": 1}}}',
      'has no valid fingerprint',
    ],
  ])(
    'refuses a file with %s with exit 78 naming it, and leaves it as it was',
    async (_what, text, reason) => {
      await mkdir(join(dir, 'identity'), { recursive: true });
      await writeFile(path, text);
      const known = new KnownGateways({ path, clock });
      const error: unknown = await known
        .remember('wss://gw.example:1/', PIN_A)
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(CliError);
      expect(error).toMatchObject({ exitCode: 78 });
      expect((error as Error).message).toContain(path);
      expect((error as Error).message).toContain(reason);
      expect(await readFile(path, 'utf8')).toBe(text);
    },
  );

  it('keeps a "__proto__" entry a plain entry', async () => {
    await mkdir(join(dir, 'identity'), { recursive: true });
    await writeFile(
      path,
      JSON.stringify({
        version: 1,
        gateways: JSON.parse(
          `{"__proto__": {"fingerprintSha256": "${PIN_A}", "pinnedAtMs": 1}}`,
        ) as unknown,
      }),
    );
    const known = new KnownGateways({ path, clock });
    expect(await known.pinFor('wss://gw.example:1/')).toBeUndefined();
    await known.remember('wss://gw.example:1/', PIN_B);
    const file = JSON.parse(await readFile(path, 'utf8')) as { gateways: Record<string, unknown> };
    expect(Object.keys(file.gateways).sort()).toEqual(['__proto__', 'wss://gw.example:1']);
  });
});
