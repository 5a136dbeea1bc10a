/**
 * Which named profiles exist comes from a kept keychain listing (listing costs ~6 ms of
 * Secret Service per run); every key value is still read per run, and a profile another
 * process added is found as soon as a run needs it.
 */
import { describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../shared/config-schema.js';
import { profilesOver } from './memory-keychain.test-support.js';

const clock = { now: () => Date.now() };
const cloud = (baseUrl = 'https://api.example.com/v1'): ConfigInput => ({
  models: { providers: { cloud: { type: 'openai', baseUrl } } },
  agents: { list: [{ id: 'main', model: { provider: 'cloud', name: 'm' } }] },
});

/** The profiles service over a memory keychain that counts how often it is listed. */
function world(input: ConfigInput, keys: Record<string, string> = {}) {
  const made = profilesOver(input, { keys, clock });
  const counts = { listings: 0 };
  made.keychain.listAccounts = () => {
    counts.listings += 1;
    return Promise.resolve([...made.keychain.entries.keys()]);
  };
  return { ...made, counts };
}

const names = (found: { profiles: { profile: string }[] }) => found.profiles.map((k) => k.profile);

describe('the kept listing of named profiles', () => {
  it('lists the keychain once for consecutive runs, and still reads each key on every run', async () => {
    const w = world(cloud(), {
      'provider:cloud': 'sk-default-000001',
      'provider:cloud:work': 'sk-w1',
    });
    for (let run = 0; run < 3; run += 1)
      expect(names(await w.profiles.keys('cloud'))).toEqual(['default', 'work']);
    expect(w.counts.listings).toBe(1);
    w.keychain.entries.set('provider:cloud:work', 'sk-work-rotated-0002');
    const rotated = await w.profiles.keys('cloud');
    expect(rotated.profiles.find((k) => k.profile === 'work')?.apiKey).toBe('sk-work-rotated-0002');
    expect(w.counts.listings).toBe(1);
  });

  it('lists again at once when a run names a profile another process added (a session pin)', async () => {
    const w = world(cloud(), { 'provider:cloud': 'sk-default-000001' });
    expect(names(await w.profiles.keys('cloud'))).toEqual(['default']);
    w.keychain.entries.set('provider:cloud:work', 'sk-added-by-the-cli-01');
    expect(names(await w.profiles.keys('cloud', 'work'))).toEqual(['work', 'default']);
  });

  it('lists again before a provider that needs a key is reported as having none', async () => {
    const w = world(cloud());
    expect(names(await w.profiles.keys('cloud'))).toEqual([]);
    w.keychain.entries.set('provider:cloud:work', 'sk-first-key-from-cli-1');
    expect(names(await w.profiles.keys('cloud'))).toEqual(['work']);
  });

  it('lists again when no listed profile is ready (every one cooling down)', async () => {
    const w = world(cloud(), { 'provider:cloud:old': 'sk-old-0000000001' });
    const [old] = (await w.profiles.keys('cloud')).profiles;
    await w.profiles.recordFailure(old!, {
      kind: 'transient',
      code: 'PROVIDER_ERROR',
      httpStatus: 503,
    });
    w.keychain.entries.set('provider:cloud:new', 'sk-new-0000000001');
    expect(names(await w.profiles.keys('cloud'))).toEqual(['new', 'old']);
  });

  it('does not list again per run for a keyless loopback provider with no profiles', async () => {
    const w = world(cloud('http://127.0.0.1:11434/v1'));
    for (let run = 0; run < 3; run += 1) expect(names(await w.profiles.keys('cloud'))).toEqual([]);
    expect(w.counts.listings).toBe(1);
  });

  it('sees a profile added or removed through this process at the next run', async () => {
    const w = world(cloud(), { 'provider:cloud': 'sk-default-000001' });
    expect(names(await w.profiles.keys('cloud'))).toEqual(['default']);
    await w.secrets.storeProfileKey('cloud', 'work', 'sk-work-from-ui-0001');
    expect(names(await w.profiles.keys('cloud'))).toEqual(['default', 'work']);
    await w.secrets.clearProfileKeyThen('cloud', 'work', () => Promise.resolve());
    expect(names(await w.profiles.keys('cloud'))).toEqual(['default']);
  });

  it('lists fresh for models.auth.list, so what a person is shown is never a kept listing', async () => {
    const w = world(cloud(), { 'provider:cloud': 'sk-default-000001' });
    await w.profiles.keys('cloud');
    w.keychain.entries.set('provider:cloud:work', 'sk-added-by-the-cli-01');
    expect((await w.profiles.list('cloud')).map((row) => row.profile)).toEqual(['default', 'work']);
  });
});
