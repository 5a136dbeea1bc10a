import { readFile } from 'node:fs/promises';
import JSON5 from 'json5';
import { expect, test } from './fixtures/gateway.js';
import { signIn } from './fixtures/ui.js';

interface AgentsConfig {
  agents: {
    default?: string;
    list: { id: string; name?: string; model: { provider: string; name?: string } }[];
  };
}

test.describe('Agents page', () => {
  test('changes an agent’s model, sets the default and adds an agent, all in the config file', async ({
    page,
    launchGateway,
  }) => {
    const gateway = await launchGateway({
      config: {
        models: {
          providers: {
            local: {
              type: 'openai',
              baseUrl: 'http://127.0.0.1:11434/v1',
              models: ['llama3.2', 'qwen2.5'],
            },
            other: { type: 'openai', baseUrl: 'http://127.0.0.1:11435/v1' },
          },
        },
        agents: { list: [{ id: 'main', model: { provider: 'local', name: 'llama3.2' } }] },
      },
    });
    const readAgents = async () =>
      JSON5.parse<AgentsConfig>(await readFile(gateway.configFile, 'utf8')).agents;
    await signIn(page, gateway, '/agents');

    const main = page.getByRole('form', { name: 'Model of agent main' });
    await main.getByLabel('Model').fill('qwen2.5');
    await main.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(async () => (await readAgents()).list[0]?.model)
      .toEqual({ provider: 'local', name: 'qwen2.5' });

    const add = page.getByRole('form', { name: 'Add an agent' });
    await add.getByLabel('Agent id').fill('Bad Id');
    await add.getByRole('button', { name: 'Add agent' }).click();
    await expect(add.getByText('Use lowercase letters')).toBeVisible();
    await add.getByLabel('Agent id').fill('writer');
    await add.getByLabel('Name (optional)').fill('Writer');
    await add.getByLabel('Provider').selectOption('other');
    await add.getByRole('button', { name: 'Add agent' }).click();
    const writer = page.getByRole('form', { name: 'Model of agent writer' });
    await expect(writer).toBeVisible();
    expect((await readAgents()).list[1]).toEqual({
      id: 'writer',
      name: 'Writer',
      model: { provider: 'other' },
    });

    await page
      .getByRole('region', { name: /Writer/ })
      .getByRole('button', { name: 'Make default' })
      .click();
    await expect.poll(async () => (await readAgents()).default).toBe('writer');
    await expect(
      page.getByRole('region', { name: /Writer/ }).getByText('default', { exact: true }),
    ).toBeVisible();
  });
});
