/**
 * Chat sessions in the Control UI: the first-run story (a provider with no model list, an
 * agent with no model), history after a reload and a reconnect, the session list (new,
 * rename, switch, delete) and a per-session model override.
 */
import type { Locator, Page } from '@playwright/test';
import {
  startFakeProvider,
  type FakeProvider,
} from '../src/main/providers/fake-provider.test-support.js';
import { expect, test } from './fixtures/gateway.js';
import { goTo, signIn } from './fixtures/ui.js';

const TWO_MODELS = [{ id: 'model-a' }, { id: 'model-b' }];

/** The config of a gateway with one local provider (`fake`) and one agent (`main`). */
function chatConfig(fake: FakeProvider) {
  return {
    models: { providers: { fake: { type: 'openai', baseUrl: fake.baseUrl } } },
    agents: { default: 'main', list: [{ id: 'main', model: { provider: 'fake' } }] },
  };
}

/** Sends `text` from the composer and waits until the answer is complete. */
async function ask(page: Page, text: string): Promise<void> {
  const input = page.getByRole('textbox', { name: 'Message' });
  await input.fill(text);
  await input.press('Enter');
  await expect(page.getByRole('log', { name: 'Messages' })).toContainText(text);
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible();
}

/** The model names a model field's <datalist> offers. */
function offeredModels(input: Locator): Promise<string[]> {
  return input.evaluate((element) =>
    [...((element as HTMLInputElement).list?.options ?? [])].map((option) => option.value),
  );
}

/** The model each chat completion request asked for, in order. */
function modelsAsked(fake: FakeProvider): unknown[] {
  return fake.requests
    .filter((request) => request.path === '/v1/chat/completions')
    .map((request) => request.body.model);
}

test.describe('Chat sessions', () => {
  let fake: FakeProvider;
  test.beforeEach(async () => {
    fake = await startFakeProvider('openai', {
      models: TWO_MODELS,
      deltas: ['Hi ', 'there'],
      pauseMs: 0,
    });
  });
  test.afterEach(async () => {
    await fake.close();
  });

  test('a provider with no model list and an agent with no model answer the first message; a reload brings the conversation back', async ({
    page,
    gateway,
  }) => {
    await signIn(page, gateway, '/providers?add=1');
    const form = page.getByRole('form', { name: 'Provider' });
    await form.getByLabel('Provider id').fill('fake');
    await form.getByLabel('Base URL').fill(fake.baseUrl);
    // The gateway can only probe a saved provider: the button says so instead of pretending.
    await expect(form.getByRole('button', { name: /Test connection/ })).toBeDisabled();
    await expect(form.getByText('Save the provider first to test it.')).toBeVisible();
    await form.getByRole('button', { name: 'Add provider' }).click();
    await expect(page.getByRole('heading', { name: 'Edit provider “fake”' })).toBeVisible();
    await form.getByRole('button', { name: 'Test connection to fake' }).click();
    await expect(form.getByRole('status').filter({ hasText: 'Found 2 models' })).toBeVisible();

    await goTo(page, '#/agents');
    const add = page.getByRole('form', { name: 'Add an agent' });
    await add.getByLabel('Agent id').fill('main');
    const model = add.getByLabel('Model');
    await expect(model).toHaveAttribute('placeholder', '(first listed model)');
    await expect.poll(() => offeredModels(model)).toEqual(['model-a', 'model-b']);
    await add.getByRole('button', { name: 'Add agent' }).click();
    await expect(page.getByRole('form', { name: 'Model of agent main' })).toBeVisible();

    await goTo(page, '#/chat');
    await ask(page, 'Hello?');
    const log = page.getByRole('log', { name: 'Messages' });
    await expect(log).toContainText('Hi there');
    await expect(log.getByText('Answered by fake · model-a')).toBeVisible();
    await expect(log.getByRole('alert')).toHaveCount(0);
    expect(modelsAsked(fake)).toEqual(['model-a']);

    await page.reload();
    await expect(log).toContainText('Hello?');
    await expect(log).toContainText('Hi there');
    await expect(log.getByText('Answered by fake · model-a')).toBeVisible();
    const chats = page.getByRole('navigation', { name: 'Chats' });
    await expect(chats.getByRole('button', { name: /^Hello\?/ })).toHaveAttribute(
      'aria-current',
      'true',
    );
  });

  test('a second chat can be started, renamed, switched to and deleted; history survives a gateway restart', async ({
    page,
    launchGateway,
  }) => {
    const gateway = await launchGateway({ config: chatConfig(fake) });
    await signIn(page, gateway, '/chat');
    const log = page.getByRole('log', { name: 'Messages' });
    const chats = page.getByRole('navigation', { name: 'Chats' });
    await ask(page, 'First question');

    await page.getByRole('button', { name: 'New chat' }).click();
    await expect(log).not.toContainText('First question');
    await ask(page, 'Second question');
    await expect(chats.getByRole('button', { name: /^Second question/ })).toHaveAttribute(
      'aria-current',
      'true',
    );

    await chats.getByRole('button', { name: /^First question/ }).click();
    await expect(log).toContainText('First question');
    await expect(log).not.toContainText('Second question');

    await chats.getByRole('button', { name: 'Rename chat “First question”' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rename chat' });
    await dialog.getByLabel('Title').fill('Trip plans');
    await dialog.getByRole('button', { name: 'Rename' }).click();
    await expect(chats.getByRole('button', { name: /^Trip plans/ })).toBeVisible();

    // A reconnect reloads the list and the open conversation from the gateway.
    await gateway.restart();
    // The backoff may wait a few seconds before it tries the new gateway.
    await expect(page.getByText(/Disconnected from the gateway|Gateway stopped/)).toHaveCount(0, {
      timeout: 20_000,
    });
    await expect(chats.getByRole('button', { name: /^Trip plans/ })).toHaveAttribute(
      'aria-current',
      'true',
    );
    await expect(log).toContainText('First question');
    await ask(page, 'Still there?');
    await expect(log).toContainText('First question');

    await chats.getByRole('button', { name: 'Delete chat “Second question”' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete chat' }).click();
    await expect(chats.getByRole('button', { name: /^Second question/ })).toHaveCount(0);
    await expect(log).toContainText('Still there?');

    await chats.getByRole('button', { name: 'Delete chat “Trip plans”' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete chat' }).click();
    await expect(chats.getByRole('button', { name: /^Trip plans/ })).toHaveCount(0);
    await expect(log).toContainText('Ask main anything');
  });

  test('a session answers with the model picked for it until “Use agent’s choice”', async ({
    page,
    launchGateway,
  }) => {
    const gateway = await launchGateway({ config: chatConfig(fake) });
    await signIn(page, gateway, '/chat');
    const log = page.getByRole('log', { name: 'Messages' });
    await ask(page, 'one');
    await expect(log.getByText('Answered by fake · model-a')).toBeVisible();

    await page.getByRole('button', { name: 'Change model' }).click();
    const picker = page.getByRole('form', { name: 'Model for this chat' });
    await expect(picker.getByLabel('Provider')).toHaveValue('fake');
    const model = picker.getByLabel('Model');
    await expect(model).toHaveAttribute('placeholder', '(first listed model)');
    await expect.poll(() => offeredModels(model)).toEqual(['model-a', 'model-b']);
    await model.fill('model-b');
    await picker.getByRole('button', { name: 'Use for this chat' }).click();
    await expect(page.getByText('Answers with fake · model-b')).toBeVisible();
    await ask(page, 'two');
    await expect(log.getByText('Answered by fake · model-b')).toBeVisible();

    await page.reload();
    await expect(page.getByText('Answers with fake · model-b')).toBeVisible();
    await page.getByRole('button', { name: 'Use agent’s choice' }).click();
    await expect(page.getByText('Answers with the agent’s choice')).toBeVisible();
    await ask(page, 'three');
    await expect(log.getByText('Answered by fake · model-a')).toHaveCount(2);
    expect(modelsAsked(fake)).toEqual(['model-a', 'model-b', 'model-a']);
  });
});

test.describe('Older chats', () => {
  test('past the first 50, "Show older chats" lists the rest and any of them opens', async ({
    page,
    launchGateway,
  }) => {
    const stateFiles: Record<string, string> = {};
    for (let i = 0; i < 55; i++) {
      const ts = 1_700_000_000_000 + i * 1000;
      stateFiles[`sessions/old-${String(i).padStart(2, '0')}.jsonl`] =
        `${JSON.stringify({ type: 'session', agentId: 'main', createdAtMs: ts })}\n` +
        `${JSON.stringify({ role: 'user', content: `question ${i}`, ts })}\n`;
    }
    const gateway = await launchGateway({
      config: {
        models: { providers: { fake: { type: 'openai', baseUrl: 'http://127.0.0.1:9/v1' } } },
        agents: { default: 'main', list: [{ id: 'main', model: { provider: 'fake' } }] },
      },
      stateFiles,
    });
    await signIn(page, gateway, '/chat');
    const chats = page.getByRole('navigation', { name: 'Chats' });
    await expect(chats.getByRole('button', { name: /^question 54/ })).toBeVisible();
    await expect(chats.getByRole('button', { name: /^question 0\b/ })).toHaveCount(0);
    await chats.getByRole('button', { name: 'Show older chats' }).click();
    await chats.getByRole('button', { name: /^question 0\b/ }).click();
    await expect(page.getByRole('log', { name: 'Messages' })).toContainText('question 0');
    // Nothing older than the oldest: the button goes once a page comes back empty.
    await chats.getByRole('button', { name: 'Show older chats' }).click();
    await expect(chats.getByRole('button', { name: 'Show older chats' })).toHaveCount(0);
  });
});
