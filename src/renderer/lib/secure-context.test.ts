import { describe, expect, it } from 'vitest';
import { secureContextFixes } from './secure-context-fixes.js';
import { secureContextProblem } from './secure-context.js';

describe('secureContextProblem', () => {
  it('refuses a page the browser says is not a secure context, even if it has crypto', () => {
    expect(secureContextProblem({ isSecureContext: false, crypto: { subtle: {} } })).toBe(
      'insecure-context',
    );
    // What Chromium gives http://<lan-ip>/: crypto without subtle.
    expect(secureContextProblem({ isSecureContext: false, crypto: {} })).toBe('insecure-context');
  });

  it('refuses a secure context that still lacks crypto.subtle', () => {
    expect(secureContextProblem({ isSecureContext: true, crypto: {} })).toBe('no-webcrypto');
    expect(secureContextProblem({ isSecureContext: true, crypto: undefined })).toBe('no-webcrypto');
    expect(secureContextProblem({ crypto: { subtle: undefined } })).toBe('no-webcrypto');
  });

  it('accepts a secure context with WebCrypto', () => {
    expect(secureContextProblem({ isSecureContext: true, crypto: { subtle: {} } })).toBe(undefined);
  });
});

describe('secureContextFixes', () => {
  it('offers the https address and an SSH tunnel on the same port', () => {
    expect(secureContextFixes({ hostname: '192.168.1.20', port: '18789' })).toEqual({
      httpsUrl: 'https://192.168.1.20:18789/',
      tunnelCommand: 'ssh -L 18789:127.0.0.1:18789 192.168.1.20',
      tunnelUrl: 'http://localhost:18789/',
    });
  });

  it('uses the default gateway port for the tunnel when the address has none', () => {
    expect(secureContextFixes({ hostname: 'box.lan', port: '' })).toEqual({
      httpsUrl: 'https://box.lan/',
      tunnelCommand: 'ssh -L 18789:127.0.0.1:18789 box.lan',
      tunnelUrl: 'http://localhost:18789/',
    });
  });

  it('gives ssh an IPv6 address without brackets', () => {
    expect(secureContextFixes({ hostname: '[fd00::5]', port: '9000' }).tunnelCommand).toBe(
      'ssh -L 9000:127.0.0.1:9000 fd00::5',
    );
  });
});
