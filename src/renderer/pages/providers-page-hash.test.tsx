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
import { CONFIG_CONFLICT_MESSAGE } from '../../shared/config-conflict.js';
import { GatewayClientError } from '../../shared/gateway-client.js';
import type { AuthProfile } from '../../shared/protocol.js';
import { ConnectionContext } from '../hooks/connection-context.js';
import type { GatewayConnection } from '../lib/connection.js';
import { CONFIG_CONFLICT_NOTICE, PAGE_CONFLICT_NOTICE } from '../lib/config-save.js';
import { ProvidersPage } from './providers-page.js';

const WRITERS = new Set([
  'models.auth.add',
  'models.auth.remove',
  'models.auth.order',
  'models.providers.upsert',
  'models.providers.remove',
]);

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

/** A gateway with providers `cloud` (keys work, home) and `other`, and a file hash. */
function fakeGateway() {
  let generation = 0;
  const nextHash = () => String(++generation).padStart(64, '0');
  const state = { hash: nextHash() };
  const calls: { method: string; params: Record<string, unknown> }[] = [];
  const answer = (method: string, params: Record<string, unknown>): unknown => {
    switch (method) {
      case 'config.get':
        return { config: { models: { providers: {} } }, hash: state.hash };
      case 'models.authStatus':
        return { providers: [provider('cloud'), provider('other')], agents: [] };
      case 'models.auth.list':
        return { profiles: [profile('work', 1), profile('home', 2)] };
    }
    if (!WRITERS.has(method)) throw new Error(`unexpected ${method}`);
    if (params.baseHash !== undefined && params.baseHash !== state.hash)
      throw new GatewayClientError('CONFLICT', CONFIG_CONFLICT_MESSAGE);
    state.hash = nextHash();
    return params.baseHash === undefined ? {} : { hash: state.hash };
  };
  const connection = {
    request: (method: string, params: Record<string, unknown> = {}) => {
      calls.push({ method, params });
      try {
        return Promise.resolve(answer(method, params));
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
    on: () => () => undefined,
    subscribe: () => () => undefined,
    getSnapshot: () => SNAPSHOT,
  } as unknown as GatewayConnection;
  /** The params of the last call of `method`. */
  const last = (method: string) => calls.filter((call) => call.method === method).at(-1)?.params;
  /** Simulates another window's save: the file moves on without this page knowing. */
  const elsewhere = () => (state.hash = nextHash());
  return { connection, calls, last, state, elsewhere };
}
const SNAPSHOT = { phase: 'connected', generation: 1 };

function renderPage(connection: GatewayConnection, edit: string) {
  render(
    <ConnectionContext value={connection}>
      <ProvidersPage edit={edit} adding={false} />
    </ConnectionContext>,
  );
}

/** Saves the provider form; resolves to the `baseHash` it sent. */
async function saveForm(gateway: ReturnType<typeof fakeGateway>): Promise<unknown> {
  const before = gateway.calls.length;
  fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
  await waitFor(() => expect(gateway.calls.length, 'the form’s save').toBeGreaterThan(before));
  return gateway.last('models.providers.upsert')?.baseHash;
}

const alerts = () => screen.queryAllByRole('alert').map((alert) => alert.textContent);

beforeAll(() => {
  // jsdom has no modal dialogs; the confirm dialog only needs `open` to follow.
  Object.assign(HTMLDialogElement.prototype, {
    showModal(this: HTMLDialogElement) {
      this.open = true;
    },
    close(this: HTMLDialogElement) {
      this.open = false;
    },
  });
});
afterEach(cleanup);

describe('the Providers page, one config hash for the keys list, Remove and the form', () => {
  it('a key moved in the list, then the provider form saved: the save goes on the hash the move answered, with no conflict', async () => {
    const gateway = fakeGateway();
    renderPage(gateway.connection, 'cloud');
    const loaded = gateway.state.hash;
    const down = await screen.findByRole<HTMLButtonElement>('button', { name: 'Move work down' });
    fireEvent.click(down);
    // Its answer came back: the buttons are enabled again.
    await waitFor(() => expect(down.disabled, 'the move answered').toBe(false));
    expect(gateway.last('models.auth.order'), 'the move, on the loaded hash').toMatchObject({
      order: ['home', 'work'],
      baseHash: loaded,
    });
    const moved = gateway.state.hash;
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
    const added = gateway.state.hash;
    expect(await saveForm(gateway), 'the save, on the add’s hash').toBe(added);
    await screen.findByText('Saved.');
  });

  it('another provider removed, then the form saved: no conflict', async () => {
    const gateway = fakeGateway();
    renderPage(gateway.connection, 'cloud');
    fireEvent.click(await screen.findByRole('button', { name: 'Remove other' }));
    fireEvent.click(screen.getByRole('button', { name: 'Remove provider' }));
    // Its answer came back: the page reloads what it shows.
    const statusCalls = () => gateway.calls.filter((call) => call.method === 'models.authStatus');
    await waitFor(() => expect(statusCalls().length, 'the reload after Remove').toBe(2));
    expect(gateway.last('models.providers.remove')).toMatchObject({ id: 'other' });
    const removed = gateway.state.hash;
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
    const reloaded = gateway.state.hash;
    fireEvent.click(screen.getByRole('button', { name: 'Move work down' }));
    await waitFor(() =>
      expect(gateway.last('models.auth.order')?.baseHash, 'the retry').toBe(reloaded),
    );
  });
});
