// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import type { ReactElement } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayClientError } from '../../shared/gateway-client.js';
import { ConnectionContext } from '../hooks/connection-context.js';
import type { InviteCreated } from '../lib/api-types.js';
import type { UiGatewayConnection } from '../lib/connection.js';
import { inviteScopes, PairDevice, useMadeInvites } from './pair-device.js';

const CREATED: InviteCreated = {
  inviteId: 'inv-1',
  code: 'C0de',
  expiresAtMs: Date.now() + 600_000,
  role: 'operator',
  scopes: ['operator.read', 'operator.write'],
  setupUrl: 'http://127.0.0.1:18789/#invite=C0de',
};

/** A connection whose requests `answer` settles; records calls and event listeners. */
function fakeConnection(answer: () => Promise<unknown>) {
  const calls: { method: string; params: unknown }[] = [];
  const listeners = new Map<string, ((payload: unknown) => void)[]>();
  const connection = {
    request: (method: string, params?: Record<string, unknown>) => {
      calls.push({ method, params });
      return answer();
    },
    on: (event: string, listener: (payload: unknown) => void) => {
      listeners.set(event, [...(listeners.get(event) ?? []), listener]);
      return () => undefined;
    },
  } as unknown as UiGatewayConnection;
  const emit = (event: string, payload: unknown) =>
    act(() => listeners.get(event)?.forEach((listener) => listener(payload)));
  return { connection, calls, emit };
}

function Harness({ held }: { held: readonly string[] }): ReactElement {
  const invites = useMadeInvites();
  return (
    <PairDevice
      formOpen
      onCloseForm={() => undefined}
      heldScopes={held}
      invites={invites}
      onChanged={() => undefined}
    />
  );
}

function renderPair(connection: UiGatewayConnection, held: readonly string[]) {
  return render(
    <ConnectionContext value={connection}>
      <Harness held={held} />
    </ConnectionContext>,
  );
}

const box = (name: string) => screen.getByRole<HTMLInputElement>('checkbox', { name });

afterEach(cleanup);

describe('inviteScopes', () => {
  it('sends admin alone when ticked, else the ticked scopes in the gateway order', () => {
    expect(inviteScopes(new Set(['operator.write', 'operator.admin']))).toEqual(['operator.admin']);
    expect(inviteScopes(new Set(['operator.write', 'operator.read']))).toEqual([
      'operator.read',
      'operator.write',
    ]);
  });
});

describe('Pair a device form', () => {
  it('offers only the scopes this device holds, read and write ticked, and sends the choice', async () => {
    const { connection, calls } = fakeConnection(() => Promise.resolve(CREATED));
    renderPair(connection, ['operator.write']);
    expect(box('operator.read').checked).toBe(true);
    expect(box('operator.write').checked).toBe(true);
    expect(box('operator.pairing').disabled).toBe(true);
    expect(box('operator.admin').disabled).toBe(true);
    expect(box('operator.admin').checked).toBe(false);
    fireEvent.click(screen.getByRole('button', { name: 'Create link' }));
    await waitFor(() => expect(calls).toHaveLength(1));
    expect(calls[0]).toEqual({
      method: 'device.invite.create',
      params: { scopes: ['operator.read', 'operator.write'], ttlSeconds: 600 },
    });
  });

  it('an admin may grant admin; the lifetime and a trimmed label are sent', async () => {
    const { connection, calls } = fakeConnection(() => Promise.resolve(CREATED));
    renderPair(connection, ['operator.admin']);
    fireEvent.click(box('operator.admin'));
    // Admin includes the rest: they show ticked and locked.
    expect(box('operator.pairing').checked).toBe(true);
    expect(box('operator.pairing').disabled).toBe(true);
    fireEvent.change(screen.getByRole('combobox', { name: 'Link works for' }), {
      target: { value: '60' },
    });
    fireEvent.change(screen.getByRole('textbox', { name: 'Label' }), {
      target: { value: '  Anna’s phone ' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Create link' }));
    await waitFor(() => expect(calls).toHaveLength(1));
    expect(calls[0]?.params).toEqual({
      scopes: ['operator.admin'],
      ttlSeconds: 3600,
      label: 'Anna’s phone',
    });
  });

  it('shows the gateway’s refusal in the form', async () => {
    const refusal = new GatewayClientError(
      'FORBIDDEN',
      'missing scope: an invite grants operator.pairing, which this device does not hold',
    );
    const { connection } = fakeConnection(() => Promise.reject(refusal));
    renderPair(connection, ['operator.admin']);
    fireEvent.click(screen.getByRole('button', { name: 'Create link' }));
    expect(await screen.findByRole('alert')).toHaveProperty(
      'textContent',
      expect.stringContaining('missing scope: an invite grants operator.pairing'),
    );
  });

  it('shows the new invite with its link, and "Paired: <name>" once device.paired names it', async () => {
    const { connection, emit } = fakeConnection(() => Promise.resolve(CREATED));
    renderPair(connection, ['operator.admin']);
    fireEvent.click(screen.getByRole('button', { name: 'Create link' }));
    const card = await screen.findByRole('article', { name: 'Invite New device' });
    expect(screen.getByRole<HTMLInputElement>('textbox', { name: 'Setup link' }).value).toBe(
      CREATED.setupUrl,
    );
    const device = { deviceId: 'd1', clientId: 'e2e-remote', displayName: 'Pixel 9' };
    // Another invite's pairing, or a pairing by a person, leaves this card as it is.
    emit('device.paired', { device, approvedBy: 'invite', inviteId: 'inv-2' });
    emit('device.paired', { device, approvedBy: 'operator' });
    expect(card.textContent).not.toContain('Paired');
    emit('device.paired', { device, approvedBy: 'invite', inviteId: 'inv-1' });
    expect(await screen.findByText('Paired: Pixel 9')).toBeTruthy();
  });
});
