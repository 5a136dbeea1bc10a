/**
 * `configure get` of a secret path says where the secret is, and never suggests a copy in
 * the config file that is not there. Runs against the real Secret Service (`npm test`).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, expect, it } from 'vitest';
import { defaultHomeDir } from '../../src/main/config/paths.js';
import { keychainServiceForHome } from '../../src/main/secrets/keychain.js';
import { describeWithKeychain } from '../../src/main/secrets/keychain.test-support.js';
import { childEnv, runCli } from '../helpers/child.js';
import { makeTempHome } from '../helpers/gateway.js';
import { expectOk, expectOneLineFailure } from './cli-test-support.js';

const run = promisify(execFile);
const services: string[] = [];
const homes: string[] = [];
afterEach(async () => {
  for (const service of services.splice(0))
    await run('secret-tool', ['clear', 'service', service]).catch(() => undefined);
  for (const home of homes.splice(0)) await rm(home, { recursive: true, force: true });
});

async function homeWithProvider(apiKey?: string) {
  const id = `cg-${randomBytes(5).toString('hex')}`;
  const dir = await makeTempHome();
  homes.push(dir);
  services.push(keychainServiceForHome(dir, defaultHomeDir()));
  const provider = { type: 'openai', baseUrl: 'https://api.example.com/v1', apiKey };
  await writeFile(
    join(dir, 'config.json5'),
    JSON.stringify({ models: { providers: { [id]: provider } } }),
  );
  return { id, path: `models.providers.${id}.apiKey`, env: childEnv(dir) };
}

describeWithKeychain('special-agent configure get of a secret', () => {
  it('says a key kept in the keychain is stored there, with no "config" copy in --json', async () => {
    const { path, env } = await homeWithProvider();
    expectOk(
      await runCli(['configure', 'set', path, `sk-${randomBytes(12).toString('hex')}`], env),
    );
    expect(expectOk(await runCli(['configure', 'get', path], env))).toBe(
      '[stored in the OS keychain]\n',
    );
    const json = JSON.parse(expectOk(await runCli(['configure', 'get', path, '--json'], env)));
    expect(json).toEqual({ path, source: 'keychain' });
  });

  it('says a plaintext key is in config.json5 and how to move it to the keychain', async () => {
    const { path, env } = await homeWithProvider('sk-plaintext-in-file-0000');
    const out = expectOk(await runCli(['configure', 'get', path], env));
    expect(out).toBe(
      `[redacted] (plaintext in config.json5 — move it with: special-agent configure set ${path} -)\n`,
    );
    expect(out).not.toContain('sk-plaintext');
    const json = JSON.parse(expectOk(await runCli(['configure', 'get', path, '--json'], env)));
    expect(json).toEqual({ path, config: '[redacted]', source: 'config' });
  });

  it('says an unset key is not set anywhere, naming the keychain entry and how to set it', async () => {
    const { id, path, env } = await homeWithProvider();
    const result = await runCli(['configure', 'get', path], env);
    expectOneLineFailure(result, 1, new RegExp(`${path.replaceAll('.', '\\.')} is not set`));
    expect(result.stderr).toContain(`no keychain entry provider:${id}`);
    expect(result.stderr).toContain(`special-agent configure set ${path} -`);
    expect(result.stderr).not.toContain('[redacted]');
  });

  it('names the environment variable that supplies a key', async () => {
    const { id, path, env } = await homeWithProvider();
    const envVar = `${id.toUpperCase().replaceAll('-', '_')}_API_KEY`;
    const out = expectOk(
      await runCli(['configure', 'get', path], { ...env, [envVar]: 'sk-from-env-1234567' }),
    );
    expect(out).toBe(`[set by ${envVar} in the environment]\n`);
  });
});
