// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionContext } from '../hooks/connection-context.js';
import { AGENT_CONFLICT_NOTICE, CONFIG_CONFLICT_NOTICE } from '../lib/config-save.js';
import { fakeConfigGateway } from './config-gateway.test-support.js';
import { AgentsPage } from './agents-page.js';

const CONFIG = {
  models: { providers: { cloud: { type: 'openai', baseUrl: 'https://c.example.invalid/v1' } } },
  agents: { list: [{ id: 'main', model: { provider: 'cloud' } }] },
};

afterEach(cleanup);

describe('Add an agent, when the file changed since the page loaded', () => {
  it('keeps the typed agent and says it was not saved, instead of "the form now shows the saved values"', async () => {
    const gateway = fakeConfigGateway({
      config: CONFIG,
      reads: {
        'agents.list': { agents: [{ id: 'main', provider: 'cloud' }], default: 'main' },
        'models.authStatus': { providers: [], agents: [] },
        'models.list': { provider: 'cloud', models: [] },
      },
      writers: ['config.set'],
    });
    render(
      <ConnectionContext value={gateway.connection}>
        <AgentsPage />
      </ConnectionContext>,
    );
    const form = within(await screen.findByRole('form', { name: 'Add an agent' }));
    await waitFor(() => expect(gateway.count('config.get')).toBe(1));
    gateway.elsewhere();
    fireEvent.change(form.getByLabelText('Agent id'), { target: { value: 'helper' } });
    fireEvent.click(form.getByRole('button', { name: 'Add agent' }));
    const alert = await form.findByRole('alert');
    expect(alert.textContent, 'what the person is told').toBe(AGENT_CONFLICT_NOTICE);
    expect(alert.textContent).not.toBe(CONFIG_CONFLICT_NOTICE);
    expect(form.getByLabelText<HTMLInputElement>('Agent id').value, 'the typed agent').toBe(
      'helper',
    );
  });
});

describe('the Agents page of a browser approved for read and write only', () => {
  it('never asks for config.get (the gateway closes after 10 refusals) and offers no admin form', async () => {
    const gateway = fakeConfigGateway({
      config: CONFIG,
      reads: {
        'agents.list': { agents: [{ id: 'main', provider: 'cloud' }], default: 'main' },
        'models.authStatus': { providers: [], agents: [] },
      },
      writers: [],
      scopes: ['operator.read', 'operator.write'],
    });
    render(
      <ConnectionContext value={gateway.connection}>
        <AgentsPage />
      </ConnectionContext>,
    );
    expect(await screen.findByText(/this needs operator\.admin/)).toBeTruthy();
    await waitFor(() => expect(gateway.count('agents.list')).toBe(1));
    expect(gateway.count('config.get'), 'config.get requests sent').toBe(0);
    expect(
      screen.queryByRole('form', { name: 'Add an agent' }),
      'the Add an agent form',
    ).toBeNull();
    expect(screen.queryByText(/Agents need a provider/)).toBeNull();
  });
});
