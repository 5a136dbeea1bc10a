import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/child.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { cliEnvFor, expectOneLineFailure } from './cli-test-support.js';

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});

describe('a CLI locked out after wrong passwords', () => {
  it('is told when to try again in minutes and seconds', async () => {
    // A fixed clock: the lockout has exactly 4 min 12 s left when the CLI asks again.
    const now = Date.now();
    gateway = await startTestGateway({
      config: { gateway: { auth: { mode: 'password' } } },
      env: { SPECIAL_AGENT_GATEWAY_PASSWORD: 'the-right-password-123' },
      limits: { lockoutMaxFailures: 1, lockoutMs: 252_000 },
      clock: { now: () => now },
    });
    const env = cliEnvFor(gateway, {
      SPECIAL_AGENT_GATEWAY_TOKEN: undefined,
      SPECIAL_AGENT_GATEWAY_PASSWORD: 'a-wrong-password-456',
    });
    expectOneLineFailure(await runCli(['devices', 'list'], env), 1, /password mismatch/);
    const locked = await runCli(['devices', 'list'], env);
    expectOneLineFailure(locked, 1, /too many failed attempts/);
    expect(locked.stderr).toContain('try again in 4 min 12 s');
    expect(locked.stderr).not.toContain('retryAfterMs');
  });
});
