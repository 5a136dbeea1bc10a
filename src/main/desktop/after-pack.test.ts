import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getCurrentFuseWire, FuseV1Options } from '@electron/fuses';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// The electron-builder afterPack hook, run against a binary that carries a real fuse wire
// layout (sentinel, version 1, 8 fuses all enabled), as Electron's own executable does.
const HOOK = pathToFileURL(resolve(import.meta.dirname, '../../../scripts/after-pack.js')).href;
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const ENABLED = 49;
const DISABLED = 48;

type Hook = (context: unknown) => Promise<void>;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'special-agent-fuses-'));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

function linuxContext(): unknown {
  return {
    appOutDir: dir,
    electronPlatformName: 'linux',
    arch: 1,
    packager: { appInfo: { productFilename: 'special-agent' }, executableName: 'special-agent' },
  };
}

describe('after-pack fuses', () => {
  it('turns off running as Node and inspector flags, and pins the app to the asar', async () => {
    const binary = join(dir, 'special-agent');
    const wire = Buffer.from([1, 8, ...Array<number>(8).fill(ENABLED)]);
    await writeFile(
      binary,
      Buffer.concat([Buffer.alloc(64, 7), Buffer.from(SENTINEL), wire, Buffer.alloc(64, 7)]),
    );
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const afterPack = ((await import(HOOK)) as { default: Hook }).default;
    await afterPack(linuxContext());
    const fuses = (await getCurrentFuseWire(binary)) as unknown as Record<number, number>;
    expect(fuses[FuseV1Options.RunAsNode]).toBe(DISABLED);
    expect(fuses[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(DISABLED);
    expect(fuses[FuseV1Options.EnableNodeCliInspectArguments]).toBe(DISABLED);
    expect(fuses[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(DISABLED);
    expect(fuses[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(ENABLED);
    expect(fuses[FuseV1Options.OnlyLoadAppFromAsar]).toBe(ENABLED);
    expect(fuses[FuseV1Options.EnableCookieEncryption]).toBe(ENABLED);
    expect(log).toHaveBeenCalledWith('after-pack: fuses flipped in special-agent');
  });

  it('leaves a stub binary alone and says so in one line', async () => {
    const binary = join(dir, 'special-agent');
    await writeFile(binary, '#!/bin/sh\nexit 1\n');
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const afterPack = ((await import(HOOK)) as { default: Hook }).default;
    await afterPack(linuxContext());
    expect(await readFile(binary, 'utf8')).toBe('#!/bin/sh\nexit 1\n');
    expect(log.mock.calls).toEqual([
      ['after-pack: special-agent is not a real Electron binary (no fuse wire); fuses not flipped'],
    ]);
  });
});
