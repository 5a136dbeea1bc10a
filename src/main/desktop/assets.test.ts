import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appIconPath, trayIconPath } from './tray-icons.js';
import type { TrayIcon } from './tray-model.js';

const ASSETS = resolve(import.meta.dirname, '../../../assets');
const PNG_SIGNATURE = '89504e470d0a1a0a';

function pngSize(file: string): { width: number; height: number } {
  const bytes = readFileSync(file);
  expect(bytes.subarray(0, 8).toString('hex'), file).toBe(PNG_SIGNATURE);
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('committed icons', () => {
  it('every tray state has an image, with a 2x sibling, on every platform', () => {
    const states: TrayIcon[] = ['running', 'pending', 'error', 'stopped'];
    for (const platform of ['linux', 'win32', 'darwin'] as const) {
      for (const state of states) {
        const file = trayIconPath(ASSETS, state, platform);
        expect(pngSize(file)).toEqual({ width: 16, height: 16 });
        expect(pngSize(file.replace(/\.png$/, '@2x.png'))).toEqual({ width: 32, height: 32 });
      }
    }
  });

  it('the app icon exists at every size the installers use', () => {
    expect(pngSize(appIconPath(ASSETS))).toEqual({ width: 256, height: 256 });
    for (const size of [16, 32, 48, 64, 128, 256, 512]) {
      expect(pngSize(join(ASSETS, 'icons', `${size}x${size}.png`))).toEqual({
        width: size,
        height: size,
      });
    }
  });
});
