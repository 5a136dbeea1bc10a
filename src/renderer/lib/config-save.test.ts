import { describe, expect, it } from 'vitest';
import { CONFIG_CONFLICT_MESSAGE } from '../../shared/config-conflict.js';
import {
  CONFIG_CONFLICT_NOTICE,
  isConfigConflict,
  saveFailure,
  withBaseHash,
} from './config-save.js';

const FIX =
  'The OS keychain is not available: unlock it or start gnome-keyring or KWallet ' +
  '(not installed: apt install gnome-keyring; in a headless shell: dbus-run-session + ' +
  "gnome-keyring-daemon --unlock, or set the secret's environment variable, e.g. SPECIAL_AGENT_GATEWAY_TOKEN)";
const keychain = (message: string) => ({
  code: 'UNAVAILABLE',
  message,
  details: { code: 'KEYCHAIN_UNAVAILABLE' },
});

describe('a form’s baseHash', () => {
  it('is sent once the form has a hash, and left out before', () => {
    expect(withBaseHash('a'.repeat(64))).toEqual({ baseHash: 'a'.repeat(64) });
    expect(withBaseHash(undefined)).toEqual({});
  });
});

describe('a refused save', () => {
  it('is a config conflict only for the stale-baseHash refusal, not for another CONFLICT', () => {
    expect(isConfigConflict({ code: 'CONFLICT', message: CONFIG_CONFLICT_MESSAGE })).toBe(true);
    const inUse = 'provider "x" is used by agent "main"; point the agent at another provider first';
    expect(isConfigConflict({ code: 'CONFLICT', message: inUse })).toBe(false);
    expect(isConfigConflict({ code: 'INTERNAL', message: CONFIG_CONFLICT_MESSAGE })).toBe(false);
  });

  it('says the form reloaded when the file changed since it was loaded', () => {
    expect(saveFailure({ code: 'CONFLICT', message: CONFIG_CONFLICT_MESSAGE })).toEqual({
      message: CONFIG_CONFLICT_NOTICE,
    });
  });

  it('with no keychain leads with the fix, says nothing was saved and keeps the D-Bus words as a detail', () => {
    const failure = saveFailure(
      keychain(`${FIX}. (D-Bus: org.freedesktop.DBus.Error.ServiceUnknown: no such name)`),
    );
    expect(failure.message).toBe(`${FIX}; nothing was saved.`);
    expect(failure.message).toMatch(/^The OS keychain is not available: unlock it/);
    expect(failure.detail).toBe('D-Bus: org.freedesktop.DBus.Error.ServiceUnknown: no such name');
  });

  it('does not say "nothing was saved" twice when the gateway already did', () => {
    expect(saveFailure(keychain(`${FIX}; nothing was saved.`))).toEqual({
      message: `${FIX}; nothing was saved.`,
    });
  });

  it('shows any other refusal as the gateway worded it', () => {
    const invalid = { code: 'INVALID_REQUEST', message: 'baseUrl: Invalid URL' };
    expect(saveFailure(invalid)).toEqual({ message: 'baseUrl: Invalid URL' });
  });
});
