import { describe, expect, it } from 'vitest';
import { controlUiUrl, devicesRoute } from './control-ui-url.js';

describe('controlUiUrl', () => {
  it('opens the dashboard as handed over when no page is asked for', () => {
    expect(controlUiUrl('http://127.0.0.1:18789/#token=abc')).toBe(
      'http://127.0.0.1:18789/#token=abc',
    );
  });

  it('deep-links a pairing request and keeps the one-time token in the fragment', () => {
    const url = controlUiUrl('http://127.0.0.1:18789/#token=abc-_123', devicesRoute('req/1 2'));
    expect(url).toBe('http://127.0.0.1:18789/#/devices?request=req%2F1+2&token=abc-_123');
    // The token stays in the fragment: it is never sent to a server.
    expect(new URL(url).search).toBe('');
  });

  it('works without a token (auth mode none)', () => {
    expect(controlUiUrl('http://127.0.0.1:18789/', '/devices?request=r1')).toBe(
      'http://127.0.0.1:18789/#/devices?request=r1',
    );
  });
});
