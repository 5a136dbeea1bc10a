import { describe, expect, it } from 'vitest';
import { keychainUnavailable } from './keychain-errors.js';

const NO_SERVICE =
  'Platform failure: DBus error: The name org.freedesktop.secrets was not provided by any .service files';

describe('keychain messages lead with the fix, in plain words, then the raw cause', () => {
  it('no Secret Service on Linux: how to start one (also headless), then "(D-Bus: …)" last', () => {
    const error = keychainUnavailable('linux', new Error(NO_SERVICE), {
      timedOut: false,
      timeoutMs: 5000,
      operation: 'set',
    });
    expect(error.message).toBe(
      "The OS keychain is not available: unlock it or start gnome-keyring or KWallet (not installed: apt install gnome-keyring; in a headless shell: dbus-run-session + gnome-keyring-daemon --unlock, or set the secret's environment variable, e.g. SPECIAL_AGENT_GATEWAY_TOKEN); nothing was saved. (D-Bus: The name org.freedesktop.secrets was not provided by any .service files)",
    );
    expect(error.details).toMatchObject({ code: 'KEYCHAIN_UNAVAILABLE', reason: NO_SERVICE });
  });

  it('a locked keyring says to unlock it, and a read says nothing about saving', () => {
    const error = keychainUnavailable('linux', new Error('Platform failure: Keyring is locked'), {
      timedOut: false,
      timeoutMs: 5000,
      operation: 'get',
    });
    expect(error.message).toMatch(/^The OS keychain is locked: unlock the login keyring/);
    expect(error.message).not.toContain('nothing was');
    expect(error.message).toMatch(/\. \(D-Bus: Keyring is locked\)$/);
  });

  it('a timeout says how long it waited and what was not done, with no cause', () => {
    const error = keychainUnavailable('linux', new Error('aborted'), {
      timedOut: true,
      timeoutMs: 3000,
      operation: 'delete',
    });
    expect(error.message).toBe(
      'The OS keychain did not answer within 3 s: unlock it or restart gnome-keyring (or KWallet), then retry; nothing was deleted.',
    );
  });

  it('macOS and Windows name their own tool, and the cause after the fix', () => {
    const mac = keychainUnavailable('darwin', new Error('User interaction is not allowed.'), {
      timedOut: false,
      timeoutMs: 5000,
    });
    expect(mac.message).toMatch(
      /^The macOS Keychain is locked or denied access: unlock the login keychain in Keychain Access.*\. \(Keychain: User interaction is not allowed\.\)$/,
    );
    const win = keychainUnavailable('win32', new Error('Access is denied.'), {
      timedOut: false,
      timeoutMs: 5000,
    });
    expect(win.message).toMatch(
      /^Windows Credential Manager refused access: .*\. \(Credential Manager: Access is denied\.\)$/,
    );
  });

  it('never quotes a cause that contains the secret', () => {
    const secret = 'sk-leaky-secret-0123456789';
    const error = keychainUnavailable('linux', new Error(`failed to store ${secret}`), {
      timedOut: false,
      timeoutMs: 5000,
      operation: 'set',
      secret,
    });
    expect(error.message).not.toContain(secret);
    expect(error.message).not.toContain('D-Bus:');
  });
});
