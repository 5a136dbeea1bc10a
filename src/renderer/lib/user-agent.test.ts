import { describe, expect, it } from 'vitest';
import { browserLabel } from './user-agent.js';

const CHROME_LINUX =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';
const EDGE_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0';
const FIREFOX_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:131.0) Gecko/20100101 Firefox/131.0';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const CHROME_ANDROID =
  'Mozilla/5.0 (Linux; Android 14; Pixel 9) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36';
const ELECTRON_LINUX =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) special-agent/0.1.0 Chrome/140.0.0.0 Electron/38.0.0 Safari/537.36';

describe('browserLabel', () => {
  it('names the browser and the system from the user-agent string', () => {
    expect(browserLabel({ userAgent: CHROME_LINUX })).toBe('Chrome on Linux');
    expect(browserLabel({ userAgent: EDGE_WINDOWS })).toBe('Edge on Windows');
    expect(browserLabel({ userAgent: FIREFOX_MAC })).toBe('Firefox on macOS');
    expect(browserLabel({ userAgent: SAFARI_IPHONE })).toBe('Safari on iOS');
    expect(browserLabel({ userAgent: CHROME_ANDROID })).toBe('Chrome on Android');
  });

  it('calls the desktop app by its name, not by the Chromium inside it', () => {
    expect(
      browserLabel({
        userAgent: ELECTRON_LINUX,
        userAgentData: { brands: [{ brand: 'Chromium' }], platform: 'Linux' },
      }),
    ).toBe('Desktop app on Linux');
  });

  it('prefers userAgentData, whose most specific brand wins over Chromium', () => {
    expect(
      browserLabel({
        userAgent: CHROME_LINUX,
        userAgentData: {
          brands: [{ brand: 'Not?A_Brand' }, { brand: 'Chromium' }, { brand: 'Microsoft Edge' }],
          platform: 'Chrome OS',
        },
      }),
    ).toBe('Edge on ChromeOS');
  });

  it('falls back to "Browser" and leaves out a system it cannot tell', () => {
    expect(browserLabel({ userAgent: 'curl/8.0' })).toBe('Browser');
    expect(browserLabel({ userAgent: 'Mozilla/5.0 (X11; Linux x86_64) SomethingNew/1' })).toBe(
      'Browser on Linux',
    );
  });
});
