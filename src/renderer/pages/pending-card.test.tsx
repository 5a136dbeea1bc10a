// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayClientError } from '../../shared/gateway-client.js';
import type { PendingRequest } from '../../shared/protocol.js';
import { ConnectionContext } from '../hooks/connection-context.js';
import type { UiGatewayConnection } from '../lib/connection.js';
import { connectionAnswering } from '../lib/test-connection.js';
import { PendingCard } from './pending-card.js';

const REQUEST: PendingRequest = {
  requestId: 'req-1',
  deviceId: 'a'.repeat(64),
  publicKey: 'pk',
  displayName: 'Pixel 9',
  platform: 'android',
  clientId: 'special-agent-cli',
  clientMode: 'cli',
  role: 'operator',
  scopes: ['operator.read', 'operator.write'],
  remoteIp: '203.0.113.7',
  reason: 'not-paired',
  isRepair: false,
  ts: 0,
  expiresAtMs: 300_000,
};

function renderCard(connection: UiGatewayConnection) {
  return render(
    <ConnectionContext value={connection}>
      <PendingCard request={REQUEST} now={10_000} highlighted={false} />
    </ConnectionContext>,
  );
}

afterEach(cleanup);

describe('PendingCard approval form', () => {
  it('prefills the name, ticks every requested scope, and approves with the narrowed choice', async () => {
    const { connection, calls } = connectionAnswering(() => Promise.resolve({}));
    renderCard(connection);
    const name = screen.getByRole<HTMLInputElement>('textbox', { name: 'Name' });
    expect(name.value).toBe('Pixel 9');
    const write = screen.getByRole<HTMLInputElement>('checkbox', { name: 'operator.write' });
    expect(screen.getByRole<HTMLInputElement>('checkbox', { name: 'operator.read' }).checked).toBe(
      true,
    );
    expect(write.checked).toBe(true);

    fireEvent.change(name, { target: { value: 'Work phone' } });
    fireEvent.click(write);
    fireEvent.click(screen.getByRole('button', { name: /Approve/ }));
    await waitFor(() => expect(calls).toHaveLength(1));
    expect(calls[0]).toEqual({
      method: 'device.pair.approve',
      params: { requestId: 'req-1', displayName: 'Work phone', scopes: ['operator.read'] },
    });
  });

  it('shows a MISSING_SCOPE refusal with the gateway’s own message inside the card', async () => {
    const message =
      'missing scope: approving this request grants operator.write, which this device does not hold (approve it from an admin device, or approve only scopes this device holds)';
    const { connection } = connectionAnswering(() =>
      Promise.reject(
        new GatewayClientError('FORBIDDEN', message, {
          details: { code: 'MISSING_SCOPE', requiredScope: 'operator.write' },
        }),
      ),
    );
    renderCard(connection);
    fireEvent.click(screen.getByRole('button', { name: /Approve/ }));
    const card = screen.getByRole('article', { name: 'Pairing request from Pixel 9' });
    const alert = await waitFor(() => {
      const found = card.querySelector('[role="alert"]');
      if (!found) throw new Error('no alert in the card yet');
      return found;
    });
    expect(alert.textContent).toBe(message);
    // The form is usable again for a narrower try.
    expect(screen.getByRole<HTMLButtonElement>('button', { name: /Approve/ }).disabled).toBe(false);
  });

  it('locks each scope a ticked one includes, and frees it once that one is unticked', () => {
    const { connection } = connectionAnswering(() => Promise.resolve({}));
    render(
      <ConnectionContext value={connection}>
        <PendingCard
          request={{ ...REQUEST, scopes: ['operator.admin'] }}
          now={10_000}
          highlighted={false}
        />
      </ConnectionContext>,
    );
    const read = screen.getByRole<HTMLInputElement>('checkbox', { name: 'operator.read' });
    expect([read.checked, read.disabled]).toEqual([true, true]);
    expect(screen.getByText(/includes the greyed scopes/).textContent).toBe(
      'operator.admin includes the greyed scopes; untick it to grant fewer.',
    );
    fireEvent.click(screen.getByRole('checkbox', { name: 'operator.admin' }));
    const pairing = screen.getByRole<HTMLInputElement>('checkbox', { name: 'operator.pairing' });
    expect([pairing.checked, pairing.disabled]).toEqual([true, false]);
    // operator.write still includes operator.read.
    expect([read.checked, read.disabled]).toEqual([true, true]);
    expect(screen.getByText(/includes the greyed scopes/).textContent).toBe(
      'operator.write includes the greyed scopes; untick it to grant fewer.',
    );
    fireEvent.click(screen.getByRole('checkbox', { name: 'operator.write' }));
    expect([read.checked, read.disabled]).toEqual([true, false]);
    expect(screen.queryByText(/includes the greyed scopes/)).toBeNull();
  });

  it('will not approve with no scope ticked and says what to do instead', () => {
    const { connection, calls } = connectionAnswering(() => Promise.resolve({}));
    renderCard(connection);
    fireEvent.click(screen.getByRole('checkbox', { name: 'operator.read' }));
    fireEvent.click(screen.getByRole('checkbox', { name: 'operator.write' }));
    expect(screen.getByText('Tick at least one scope, or reject the request.')).toBeTruthy();
    expect(screen.getByRole<HTMLButtonElement>('button', { name: /Approve/ }).disabled).toBe(true);
    expect(calls).toEqual([]);
  });

  it('Ignore sends device.pair.ignore for this request and nothing else', async () => {
    const { connection, calls } = connectionAnswering(() => Promise.resolve({}));
    renderCard(connection);
    fireEvent.click(screen.getByRole('button', { name: 'Ignore' }));
    await waitFor(() => expect(calls).toHaveLength(1));
    expect(calls[0]).toEqual({ method: 'device.pair.ignore', params: { requestId: 'req-1' } });
  });
});
