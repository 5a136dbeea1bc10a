import { describe, expect, it } from 'vitest';
import { decideNavigation, decidePermission, originOf } from './navigation-policy.js';
import { controlUiWindowOptions } from './window-options.js';

const ORIGIN = 'http://127.0.0.1:18789';

describe('decideNavigation', () => {
  it('keeps the Control UI on the gateway origin', () => {
    expect(decideNavigation(ORIGIN, 'http://127.0.0.1:18789/#/devices?request=abc')).toBe('allow');
    expect(
      decideNavigation(originOf('http://127.0.0.1:18789/'), 'http://127.0.0.1:18789/agents'),
    ).toBe('allow');
  });

  it('sends web links elsewhere to the browser, never into the window', () => {
    expect(decideNavigation(ORIGIN, 'https://docs.example.com/setup')).toBe('open-external');
    expect(decideNavigation(ORIGIN, 'http://127.0.0.1:9999/')).toBe('open-external');
    expect(decideNavigation(ORIGIN, 'http://localhost:18789/')).toBe('open-external');
  });

  it('denies every other scheme', () => {
    for (const url of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'special-agent://approve/abc',
      'ftp://example.com/',
      'not a url',
    ]) {
      expect(decideNavigation(ORIGIN, url), url).toBe('deny');
    }
  });
});

describe('permissions', () => {
  it('denies every web permission the page asks for but writing to the clipboard', () => {
    for (const permission of [
      'media',
      'notifications',
      'geolocation',
      'clipboard-read',
      'openExternal',
    ]) {
      expect(decidePermission(permission, `${ORIGIN}/`, ORIGIN)).toBe(false);
    }
  });

  it('lets the gateway’s own page write to the clipboard (Copy buttons), no other origin', () => {
    const write = 'clipboard-sanitized-write';
    expect(decidePermission(write, `${ORIGIN}/#/chat`, ORIGIN), 'the Control UI').toBe(true);
    expect(decidePermission(write, ORIGIN, ORIGIN), 'as a check handler passes it').toBe(true);
    expect(decidePermission(write, 'https://evil.example/', ORIGIN)).toBe(false);
    expect(decidePermission(write, `${ORIGIN}/`, undefined), 'before any gateway').toBe(false);
  });
});

describe('controlUiWindowOptions', () => {
  it('isolates and sandboxes the window with no Node and no preload', () => {
    const options = controlUiWindowOptions({ iconPath: '/app/assets/icons/256x256.png' });
    expect(options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(options.webPreferences?.preload).toBeUndefined();
    expect(options).toMatchObject({
      width: 1100,
      height: 760,
      show: false,
      icon: '/app/assets/icons/256x256.png',
    });
    expect(options.minWidth).toBeLessThanOrEqual(options.width ?? 0);
  });
});
