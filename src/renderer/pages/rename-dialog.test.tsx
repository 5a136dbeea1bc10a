// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GatewayClientError } from '../../shared/gateway-client.js';
import type { PairedDevice, SessionSummary } from '../../shared/protocol.js';
import { ConnectionContext } from '../hooks/connection-context.js';
import type { UiGatewayConnection } from '../lib/connection.js';
import { connectionAnswering } from '../lib/test-connection.js';
import { RenameChatDialog } from './chat-rename-dialog.js';
import { RenameDialog } from './rename-dialog.js';

const DEVICE: PairedDevice = {
  deviceId: 'b'.repeat(64),
  publicKey: 'pk',
  displayName: 'Old laptop',
  clientId: 'special-agent-cli',
  roles: ['operator'],
  scopes: ['operator.read'],
  createdAtMs: 0,
  approvedAtMs: 0,
  approvedBy: 'operator',
  tokens: [],
};

const SESSION: SessionSummary = {
  sessionId: 'session-1',
  agentId: 'main',
  title: 'First question',
  createdAtMs: 0,
  updatedAtMs: 0,
  messageCount: 2,
};

beforeAll(() => {
  // jsdom has <dialog> and its `open` but not the modal methods; these do what the page uses.
  if ('showModal' in HTMLDialogElement.prototype) return;
  Object.assign(HTMLDialogElement.prototype, {
    showModal(this: HTMLDialogElement) {
      this.open = true;
    },
    close(this: HTMLDialogElement) {
      this.open = false;
      this.dispatchEvent(new Event('close'));
    },
  });
});

afterEach(cleanup);

function renderDeviceRename(connection: UiGatewayConnection) {
  const events: string[] = [];
  render(
    <ConnectionContext value={connection}>
      <RenameDialog
        device={DEVICE}
        onClose={() => events.push('closed')}
        onRenamed={() => events.push('renamed')}
      />
    </ConnectionContext>,
  );
  return events;
}

const nameField = () => screen.getByRole<HTMLInputElement>('textbox', { name: 'Name' });
const renameButton = () => screen.getByRole('button', { name: 'Rename' });

describe('Rename dialog of a paired device', () => {
  it('opens on the current name and refuses an empty one at the field, sending nothing', () => {
    const { connection, calls } = connectionAnswering(() => Promise.resolve({}));
    renderDeviceRename(connection);
    expect(screen.getByRole('heading', { name: 'Rename “Old laptop”' })).toBeTruthy();
    expect(nameField().value).toBe('Old laptop');
    fireEvent.change(nameField(), { target: { value: '   ' } });
    fireEvent.click(renameButton());
    expect(screen.getByText('Enter a name')).toBeTruthy();
    expect(calls).toEqual([]);
  });

  it('sends the trimmed name, then tells the page and closes', async () => {
    const { connection, calls } = connectionAnswering(() => Promise.resolve({}));
    const events = renderDeviceRename(connection);
    fireEvent.change(nameField(), { target: { value: '  Work laptop ' } });
    fireEvent.click(renameButton());
    await waitFor(() => expect(events).toEqual(['renamed', 'closed']));
    expect(calls).toEqual([
      {
        method: 'device.rename',
        params: { deviceId: DEVICE.deviceId, displayName: 'Work laptop' },
      },
    ]);
  });

  it('stays open with the gateway message when the name is refused, keeping what was typed', async () => {
    const refusal = new GatewayClientError('INVALID_REQUEST', 'expected printable characters only');
    const { connection } = connectionAnswering(() => Promise.reject(refusal));
    const events = renderDeviceRename(connection);
    fireEvent.change(nameField(), { target: { value: 'Bad name' } });
    fireEvent.click(renameButton());
    await screen.findByText(/expected printable characters only/);
    expect(events).toEqual([]);
    expect(nameField().value).toBe('Bad name');
    expect(renameButton()).toHaveProperty('disabled', false);
  });
});

describe('Rename chat dialog', () => {
  it('patches the session title and hands the page the renamed session', async () => {
    const renamed = { ...SESSION, title: 'Second thoughts' };
    const { connection, calls } = connectionAnswering(() => Promise.resolve({ session: renamed }));
    const seen: SessionSummary[] = [];
    let closed = false;
    render(
      <ConnectionContext value={connection}>
        <RenameChatDialog
          session={SESSION}
          onClose={() => (closed = true)}
          onRenamed={(session) => seen.push(session)}
        />
      </ConnectionContext>,
    );
    expect(screen.getByText('Now: “First question”')).toBeTruthy();
    const title = screen.getByRole<HTMLInputElement>('textbox', { name: 'Title' });
    fireEvent.change(title, { target: { value: '' } });
    fireEvent.click(renameButton());
    expect(screen.getByText('Enter a title')).toBeTruthy();
    fireEvent.change(title, { target: { value: ' Second thoughts ' } });
    fireEvent.click(renameButton());
    await waitFor(() => expect(closed).toBe(true));
    expect(seen).toEqual([renamed]);
    expect(calls).toEqual([
      { method: 'sessions.patch', params: { sessionId: 'session-1', title: 'Second thoughts' } },
    ]);
  });
});
