import { describe, expect, it } from 'vitest';
import { MAX_RESTART_WAIT_MS, relocationAfterRestart, restartExpectedMs } from './restart.js';

describe('restartExpectedMs', () => {
  it('takes the wait a restarting gateway announced', () => {
    expect(restartExpectedMs({ reason: 'restart', restartExpectedMs: 1500 })).toBe(1500);
    expect(restartExpectedMs({ reason: 'restart', restartExpectedMs: 0 })).toBe(0);
  });

  it('is undefined for a plain stop or a value that is no wait', () => {
    expect(restartExpectedMs({ reason: 'gateway stopping' })).toBeUndefined();
    expect(restartExpectedMs(undefined)).toBeUndefined();
    expect(restartExpectedMs({ restartExpectedMs: '1500' })).toBeUndefined();
    expect(restartExpectedMs({ restartExpectedMs: -1 })).toBeUndefined();
    expect(restartExpectedMs({ restartExpectedMs: Number.NaN })).toBeUndefined();
  });

  it('never waits longer than MAX_RESTART_WAIT_MS, whatever the gateway said', () => {
    expect(restartExpectedMs({ restartExpectedMs: 86_400_000 })).toBe(MAX_RESTART_WAIT_MS);
  });
});

describe('relocationAfterRestart', () => {
  it('stays when the port does not change', () => {
    expect(relocationAfterRestart('http://127.0.0.1:18789', 18789, 18789)).toBeUndefined();
  });

  it('links to the new port on the same host and scheme', () => {
    expect(relocationAfterRestart('http://127.0.0.1:18789', 18789, 18790)).toEqual({
      port: 18790,
      url: 'http://127.0.0.1:18790/',
    });
    expect(relocationAfterRestart('https://[::1]:18789', 18789, 443)).toEqual({
      port: 443,
      url: 'https://[::1]/',
    });
  });

  it('has no address for port 0: the gateway picks one as it starts', () => {
    expect(relocationAfterRestart('http://localhost:41234', 41234, 0)).toEqual({
      port: 0,
      url: undefined,
    });
  });

  it('stays behind a proxy on another port: the proxy, not the page, must follow', () => {
    expect(relocationAfterRestart('https://agent.example.com', 18789, 18790)).toBeUndefined();
  });
});
