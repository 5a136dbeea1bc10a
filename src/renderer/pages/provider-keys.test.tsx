// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayClientError } from '../../shared/gateway-client.js';
import type { AuthProfile } from '../../shared/protocol.js';
import { ConnectionContext } from '../hooks/connection-context.js';
import { useConfigBase } from '../hooks/use-config-form.js';
import type { UiGatewayConnection } from '../lib/connection.js';
import { connectionAnswering } from '../lib/test-connection.js';
import { ProviderKeys } from './provider-keys.js';

const KEY = 'sk-unit-canary-0123456789';
/** The page's config hash: every change goes on it. */
const LOADED = 'a'.repeat(64);

const profile = (name: string, order: number): AuthProfile => ({
  provider: 'fake',
  profile: name,
  source: 'keychain',
  masked: `…${name.slice(-4)}`,
  order,
  state: 'ready',
});

function renderKeys(connection: UiGatewayConnection, profiles: AuthProfile[]) {
  function Page() {
    const base = useConfigBase(LOADED);
    return (
      <ProviderKeys
        providerId="fake"
        needsKey
        profiles={profiles}
        base={base}
        onChanged={() => undefined}
      />
    );
  }
  return render(
    <ConnectionContext value={connection}>
      <Page />
    </ConnectionContext>,
  );
}

function addKey(name: string, key: string) {
  fireEvent.click(screen.getByRole('button', { name: 'Add a key' }));
  fireEvent.change(screen.getByLabelText('Profile name'), { target: { value: name } });
  fireEvent.change(screen.getByLabelText('API key'), { target: { value: key } });
  fireEvent.click(screen.getByRole('button', { name: 'Save key' }));
}

afterEach(cleanup);

describe('the keys of a provider', () => {
  it('keeps the typed key after a refused add, says nothing was saved, and keeps the key out of the message', async () => {
    const refusal = new GatewayClientError('UNAVAILABLE', 'The OS keychain is locked: unlock it', {
      details: { code: 'KEYCHAIN_UNAVAILABLE' },
    });
    const { connection, calls } = connectionAnswering(() => Promise.reject(refusal));
    renderKeys(connection, []);
    addKey('work', KEY);
    expect(await screen.findByRole('alert')).toHaveProperty(
      'textContent',
      'The OS keychain is locked: unlock it; nothing was saved.',
    );
    expect(calls).toEqual([
      {
        method: 'models.auth.add',
        params: { provider: 'fake', profile: 'work', apiKey: KEY, baseHash: LOADED },
      },
    ]);
    expect(screen.getByLabelText<HTMLInputElement>('API key').value, 'the typed key').toBe(KEY);
    expect(screen.getByRole('alert').textContent, 'the message').not.toContain(KEY);
  });

  it('refuses a bad profile name before anything is sent', () => {
    const { connection, calls } = connectionAnswering(() => Promise.resolve({}));
    renderKeys(connection, []);
    addKey('Not Valid', KEY);
    expect(screen.getByText(/Use 1–32 of a-z/)).toBeTruthy();
    expect(calls).toEqual([]);
  });

  it('sends the whole new order when a key moves up', async () => {
    const { connection, calls } = connectionAnswering(() => Promise.resolve({}));
    renderKeys(connection, [profile('alpha', 1), profile('beta', 2), profile('gamma', 3)]);
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Move alpha up' }).disabled).toBe(
      true,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Move gamma up' }));
    await waitFor(() => expect(calls).toHaveLength(1));
    expect(calls[0]).toEqual({
      method: 'models.auth.order',
      params: { provider: 'fake', order: ['alpha', 'gamma', 'beta'], baseHash: LOADED },
    });
  });
});
