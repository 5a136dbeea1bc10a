import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LinuxAutostart } from './login-item.js';

let configHome: string;
beforeEach(async () => {
  configHome = await mkdtemp(join(tmpdir(), 'special-agent-autostart-'));
});
afterEach(async () => {
  await rm(configHome, { recursive: true, force: true });
});

describe('LinuxAutostart (Start at login on Linux)', () => {
  it('writes an XDG autostart entry that launches the app, and removes it again', async () => {
    const autostart = new LinuxAutostart({
      env: { XDG_CONFIG_HOME: configHome },
      execPath: '/opt/My Apps/special-agent.AppImage',
    });
    expect(autostart.isEnabled()).toBe(false);
    await autostart.setEnabled(true);
    expect(autostart.isEnabled()).toBe(true);
    expect(autostart.file).toBe(join(configHome, 'autostart', 'special-agent.desktop'));
    const entry = await readFile(autostart.file, 'utf8');
    expect(entry).toContain('[Desktop Entry]');
    expect(entry).toContain('Exec="/opt/My Apps/special-agent.AppImage"');
    expect(entry).toContain('Name=special-agent');
    expect((await stat(autostart.file)).mode & 0o777).toBe(0o644);
    await autostart.setEnabled(false);
    expect(autostart.isEnabled()).toBe(false);
    // Turning it off twice is not an error.
    await autostart.setEnabled(false);
  });

  it('keeps the app folder argument when running unpackaged from a checkout', async () => {
    const autostart = new LinuxAutostart({
      env: { XDG_CONFIG_HOME: configHome },
      execPath: '/work/node_modules/electron/dist/electron',
      args: ['/home/me/special agent'],
    });
    await autostart.setEnabled(true);
    expect(await readFile(autostart.file, 'utf8')).toContain(
      'Exec="/work/node_modules/electron/dist/electron" "/home/me/special agent"',
    );
  });
});
