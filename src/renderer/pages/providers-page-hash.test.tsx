// @vitest-environment jsdom
/**
 * One config hash per page (issue 15): on the Providers page the keys list, "Remove" and
 * the provider form all write the config file. Each goes on the page's hash and moves it on,
 * so a change in one is never mistaken for "another window or the CLI" by the next save in
 * another. The fake gateway below keeps a file hash as the real one does: every write moves
 * it, and a write on a stale `baseHash` is refused with CONFLICT.
 */
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuthProfile } from '../../shared/protocol.js';
import { ConnectionContext } from '../hooks/connection-context.js';
import type { UiGatewayConnection } from '../lib/connection.js';
import { CONFIG_CONFLICT_NOTICE, PAGE_CONFLICT_NOTICE } from '../lib/config-save.js';
import type { FakeConfigGateway } from './config-gateway.test-support.js';
import { fakeConfigGateway, polyfillDialog } from './config-gateway.test-support.js';
import { ProvidersPage } from './providers-page.js';

const WRITERS = [
  'models.auth.add',
  'models.auth.remove',
  'models.auth.order',
  'models.providers.upsert',
  'models.providers.remove',
];

const profile = (name: string, order: number): AuthProfile => ({
  provider: 'cloud',
  profile: name,
  source: 'keychain',
  masked: `…${name.slice(-4)}`,
  order,
  state: 'ready',
});

const provider = (id: string) => ({
  id,
  type: 'openai',
  baseUrl: `https://${id}.example.invalid/v1`,
  credential: { source: 'keychain', masked: '…0001' },
  status: 'ok',
});

/** A gateway with providers `cloud` (keys work, home) and `other`. */
const fakeGateway = () =>
  fakeConfigGateway({
    config: { models: { providers: {} } },
    reads: {
      'models.authStatus': { providers: [provider('cloud'), provider('other')], agents: [] },
      'models.auth.list': { profiles: [profile('work', 1), profile('home', 2)] },
    },
    writers: WRITERS,
  });

function renderPage(connection: UiGatewayConnection, edit: string) {
  render(
    <ConnectionContext value={connection}>
      <ProvidersPage edit={edit} adding={false} />
    </ConnectionContext>,
  );
}

/** Saves the provider form; resolves to the `baseHash` it sent. */
async function saveForm(gateway: FakeConfigGateway): Promise<unknown> {
  const before = gateway.calls.length;
  fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
  await waitFor(() => expect(gateway.calls.length, 'the form’s save').toBeGreaterThan(before));
  return gateway.last('models.providers.upsert')?.baseHash;
}

const alerts = () => screen.queryAllByRole('alert').map((alert) => alert.textContent);

beforeAll(polyfillDialog);
afterEach(cleanup);

describe('the Providers page, one config hash for the keys list, Remove and the form', () => {
  it('a key moved in the list, then the provider form saved: the save goes on the hash the move answered, with no conflict', async () => {
    const gateway = fakeGateway();
    renderPage(gateway.connection, 'cloud');
    const loaded = gateway.hash();
    const down = await screen.findByRole<HTMLButtonElement>('button', { name: 'Move work down' });
    fireEvent.click(down);
    // Its answer came back: the buttons are enabled again.
    await waitFor(() => expect(down.disabled, 'the move answered').toBe(false));
    expect(gateway.last('models.auth.order'), 'the move, on the loaded hash').toMatchObject({
      order: ['home', 'work'],
      baseHash: loaded,
    });
    const moved = gateway.hash();
    expect(await saveForm(gateway), 'the save, on the move’s hash').toBe(moved);
    await screen.findByText('Saved.');
    expect(alerts(), 'no conflict shown').not.toContain(CONFIG_CONFLICT_NOTICE);
  });

  it('a key added, then the provider form saved: no conflict', async () => {
    const gateway = fakeGateway();
    renderPage(gateway.connection, 'cloud');
    const keys = within(await screen.findByRole('region', { name: 'Keys of cloud' }));
    fireEvent.click(keys.getByRole('button', { name: 'Add a key' }));
    fireEvent.change(keys.getByLabelText('Profile name'), { target: { value: 'spare' } });
    fireEvent.change(keys.getByLabelText('API key'), { target: { value: 'sk-unit-spare-0001' } });
    fireEvent.click(keys.getByRole('button', { name: 'Save key' }));
    await keys.findByText(/Added “spare”/);
    const added = gateway.hash();
    expect(await saveForm(gateway), 'the save, on the add’s hash').toBe(added);
    await screen.findByText('Saved.');
  });

  it('another provider removed, then the form saved: no conflict', async () => {
    const gateway = fakeGateway();
    renderPage(gateway.connection, 'cloud');
    fireEvent.click(await screen.findByRole('button', { name: 'Remove other' }));
    fireEvent.click(screen.getByRole('button', { name: 'Remove provider' }));
    // Its answer came back: the page reloads what it shows.
    await waitFor(() =>
      expect(gateway.count('models.authStatus'), 'the reload after Remove').toBe(2),
    );
    expect(gateway.last('models.providers.remove')).toMatchObject({ id: 'other' });
    const removed = gateway.hash();
    expect(await saveForm(gateway), 'the save, on the remove’s hash').toBe(removed);
    await screen.findByText('Saved.');
  });

  it('a key moved on a list another window changed since: refused, says the page shows the saved values, and the next move goes on the reloaded hash', async () => {
    const gateway = fakeGateway();
    renderPage(gateway.connection, 'cloud');
    await screen.findByRole('button', { name: 'Move work down' });
    gateway.elsewhere();
    fireEvent.click(screen.getByRole('button', { name: 'Move work down' }));
    expect(await screen.findByText(PAGE_CONFLICT_NOTICE)).toBeTruthy();
    const reloaded = gateway.hash();
    fireEvent.click(screen.getByRole('button', { name: 'Move work down' }));
    await waitFor(() =>
      expect(gateway.last('models.auth.order')?.baseHash, 'the retry').toBe(reloaded),
    );
  });
});
