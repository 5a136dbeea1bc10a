// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { CONFIG_CONFLICT_MESSAGE } from '../../shared/config-conflict.js';
import { GatewayClientError } from '../../shared/gateway-client.js';
import { ConnectionContext } from '../hooks/connection-context.js';
import { useConfigBase } from '../hooks/use-config-form.js';
import type { ProviderStatus } from '../lib/api-types.js';
import { CONFIG_CONFLICT_NOTICE } from '../lib/config-save.js';
import type { UiGatewayConnection } from '../lib/connection.js';
import { connectionAnswering } from '../lib/test-connection.js';
import { ProviderForm } from './provider-form.js';

const KEY = 'sk-unit-typed-key-0123456789';
const LOADED = 'a'.repeat(64);
const FRESH = 'b'.repeat(64);
const NO_KEYCHAIN =
  'The OS keychain is not available: unlock it or start gnome-keyring or KWallet (not installed: apt install gnome-keyring). (D-Bus: org.freedesktop.DBus.Error.NoServer: no bus)';

const existing: ProviderStatus = {
  id: 'cloud',
  type: 'openai',
  baseUrl: 'https://mine.example.invalid/v1',
  credential: { source: 'keychain', masked: '…0001' },
  status: 'ok',
};

function renderForm(connection: UiGatewayConnection, provider: ProviderStatus | undefined) {
  const reloads: string[] = [];
  // The page holds the hash its config.get answered; the form saves on it.
  function Page() {
    const base = useConfigBase(LOADED);
    return (
      <ProviderForm
        existing={provider}
        models={[]}
        base={base}
        onSaved={() => reloads.push('saved')}
        onReloaded={() => reloads.push('reloaded')}
        onClose={() => undefined}
      />
    );
  }
  render(
    <ConnectionContext value={connection}>
      <Page />
    </ConnectionContext>,
  );
  return reloads;
}

const field = (label: string) => screen.getByLabelText<HTMLInputElement>(label);
const type = (label: string, value: string) =>
  fireEvent.change(field(label), { target: { value } });
const noKeychain = () =>
  Promise.reject(
    new GatewayClientError('UNAVAILABLE', NO_KEYCHAIN, {
      details: { code: 'KEYCHAIN_UNAVAILABLE' },
    }),
  );

afterEach(cleanup);

describe('the provider form, when a save is refused', () => {
  it('with no keychain keeps every field and the typed key, sends them as one request and says how to fix it and that nothing was saved', async () => {
    const { connection, calls } = connectionAnswering(noKeychain);
    renderForm(connection, undefined);
    type('Provider id', 'fresh');
    type('Base URL', 'https://new.example.invalid/v1');
    type('API key', KEY);
    fireEvent.click(screen.getByRole('button', { name: 'Add provider' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/^The OS keychain is not available: unlock it/);
    expect(alert.textContent).toContain('nothing was saved.');
    expect(field('API key').value, 'the typed key').toBe(KEY);
    expect(field('Provider id').value, 'the id').toBe('fresh');
    expect(field('Base URL').value, 'the base URL').toBe('https://new.example.invalid/v1');
    expect(
      calls.map((call) => call.method),
      'one request: both or neither',
    ).toEqual(['models.providers.upsert']);
    expect(calls[0]?.params).toMatchObject({ id: 'fresh', apiKey: KEY, baseHash: LOADED });
  });

  it('while replacing a stored key, stays in replace mode with the typed key', async () => {
    const { connection } = connectionAnswering(noKeychain);
    renderForm(connection, existing);
    fireEvent.click(screen.getByRole('button', { name: 'Replace' }));
    type('API key', KEY);
    fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    await screen.findByRole('alert');
    expect(field('API key').value, 'the typed key, still in its field').toBe(KEY);
  });

  it('because the file changed since it was loaded, reloads the provider from the file, says so, and saves next on the new hash', async () => {
    const { connection, calls } = connectionAnswering((method) => {
      if (method === 'config.get') {
        return Promise.resolve({
          config: {
            models: {
              providers: { cloud: { type: 'openai', baseUrl: 'https://other.invalid/v1' } },
            },
          },
          hash: FRESH,
        });
      }
      return Promise.reject(new GatewayClientError('CONFLICT', CONFIG_CONFLICT_MESSAGE));
    });
    const reloads = renderForm(connection, existing);
    type('Base URL', 'https://mine-edited.example.invalid/v1');
    fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    expect((await screen.findByRole('alert')).textContent).toBe(CONFIG_CONFLICT_NOTICE);
    expect(field('Base URL').value, 'the saved value from the file').toBe(
      'https://other.invalid/v1',
    );
    expect(calls[0]?.params.baseHash, 'the hash the form was loaded with').toBe(LOADED);
    expect(reloads, 'the page reloads too').toEqual(['reloaded']);
    fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(calls.length).toBe(3));
    expect(calls[2]?.params.baseHash, 'the next save, on the reloaded hash').toBe(FRESH);
  });
});
