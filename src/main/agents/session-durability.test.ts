/**
 * "Acknowledged" means on disk: the `chat.send` answer goes out only after the user message
 * is written and fsynced, the `final` event only after the reply is. Watched through the
 * store's file seam wrapped around the real files.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OUTCOME_WAIT_MS, within } from '../../../test/helpers/within.js';
import { startFakeProvider, type FakeProvider } from '../providers/fake-provider.test-support.js';
import { profilesOver } from '../auth-profiles/memory-keychain.test-support.js';
import { ModelCatalog } from '../providers/model-catalog.js';
import { ChatService, type ChatRunEvent } from './chat-service.js';
import { sessionFsWith } from './session-fs.test-support.js';
import { SessionStore, type SessionFs } from './session-store.js';

let root: string;
let provider: FakeProvider;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'sa-session-sync-'));
  provider = await startFakeProvider('openai', { deltas: ['Hel', 'lo'], apiKey: undefined });
});
afterEach(async () => {
  await provider.close();
  await rm(root, { recursive: true, force: true });
});

/** The real file system, logging `write <file>: <text>`, `sync <file>` and `sync-dir`. */
function recordingFs(log: string[], holdSync?: Promise<void>): SessionFs {
  return sessionFsWith({
    writeFile: async (write, data, path) => {
      await write();
      log.push(`write ${basename(path)}: ${data.trim().split('\n').at(-1) ?? ''}`);
    },
    sync: async (sync, path, flags) => {
      await holdSync;
      await sync();
      log.push(flags === 'r' ? 'sync-dir' : `sync ${basename(path)}`);
    },
  });
}

function chatService(fs: SessionFs) {
  const clock = { now: () => 1 };
  const world = profilesOver(
    {
      models: { providers: { local: { type: 'openai', baseUrl: provider.baseUrl } } },
      agents: { default: 'main', list: [{ id: 'main', model: { provider: 'local', name: 'm' } }] },
    },
    { clock },
  );
  const sessions = new SessionStore({
    sessionsDir: join(root, 'sessions'),
    clock: { now: () => 1 },
    fs,
  });
  return new ChatService({
    getConfig: world.getConfig,
    profiles: world.profiles,
    catalog: new ModelCatalog({ clock }),
    sessions,
    clock,
  });
}

describe('session durability', () => {
  it('answers chat.send after the user message and its new folder entry are fsynced, and sends final after the reply is', async () => {
    const log: string[] = [];
    const chat = chatService(recordingFs(log));
    let finalSeen!: () => void;
    const final = new Promise<void>((resolve) => (finalSeen = resolve));
    const onEvent = (event: ChatRunEvent) => {
      if (event.state === 'final') {
        log.push('final');
        finalSeen();
      }
    };
    const { sessionId } = await chat.send({ sessionId: 's1', message: 'hi' }, onEvent);
    log.push('answered');
    await within(OUTCOME_WAIT_MS, final, 'final chat event');
    await chat.close();
    expect(sessionId).toBe('s1');
    expect(log).toEqual([
      expect.stringMatching(/^write s1\.jsonl: .*"content":"hi"/) as string,
      'sync s1.jsonl',
      'sync-dir',
      'answered',
      expect.stringMatching(/^write s1\.jsonl: .*"content":"Hello"/) as string,
      'sync s1.jsonl',
      'final',
    ]);
  });

  it('holds the chat.send answer while the fsync of the user message is pending', async () => {
    const log: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const chat = chatService(recordingFs(log, held));
    let answered = false;
    const sent = chat
      .send({ sessionId: 's1', message: 'hi' }, () => undefined)
      .then(() => {
        answered = true;
      });
    await expect.poll(() => log.length, { timeout: 5000 }).toBe(1);
    // The write is done and the fsync is waiting: a few loop turns must not answer.
    for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual([expect.stringMatching(/^write s1\.jsonl/) as string]);
    expect(answered).toBe(false);
    release();
    await within(OUTCOME_WAIT_MS, sent, 'chat.send answer after the fsync');
    expect(log.slice(0, 3)).toEqual([expect.any(String), 'sync s1.jsonl', 'sync-dir']);
    await chat.close();
  });

  it('asks the provider while the fsync of the user message is pending, and sends no event before the answer', async () => {
    const log: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const chat = chatService(recordingFs(log, held));
    const requested = provider.nextRequest();
    const events: ChatRunEvent[] = [];
    let answered = false;
    const sent = chat
      .send({ sessionId: 's1', message: 'hi' }, (event) => events.push(event))
      .then(() => {
        answered = true;
      });
    // The first token is not delayed by the disk: the request goes out during the fsync.
    await within(OUTCOME_WAIT_MS, requested, 'the provider request while the fsync is held');
    expect(log, 'the file ops so far').not.toContain('sync s1.jsonl');
    for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(answered, 'answered before the fsync').toBe(false);
    expect(events, 'events before the answer').toEqual([]);
    release();
    await within(OUTCOME_WAIT_MS, sent, 'chat.send answer after the fsync');
    await expect.poll(() => events.at(-1)?.state, { timeout: OUTCOME_WAIT_MS }).toBe('final');
    expect(events.at(-1)).toMatchObject({ state: 'final', text: 'Hello' });
    await chat.close();
  });

  it('fails chat.send when the user message cannot be saved, drops the provider request and sends no event', async () => {
    // The reply never ends, so the request is still open to be dropped however slow we are.
    provider.behaviour.hang = true;
    const requested = provider.nextRequest();
    const failing = sessionFsWith({
      sync: async () => {
        // Fails only once the provider was asked, so its request is there to be dropped.
        await requested;
        throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
      },
    });
    const chat = chatService(failing);
    const disconnected = provider.nextDisconnect();
    const events: ChatRunEvent[] = [];
    const sent = chat.send({ sessionId: 's1', message: 'hi' }, (event) => events.push(event));
    const error = await within(
      OUTCOME_WAIT_MS,
      sent.then(
        () => undefined,
        (failure: unknown) => failure,
      ),
      'chat.send to fail',
    );
    expect(error, 'the chat.send failure').toMatchObject({ code: 'EIO' });
    await within(OUTCOME_WAIT_MS, disconnected, 'the provider request to be dropped');
    for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(events, 'chat events of the failed send').toEqual([]);
    expect(chat.activeRuns).toBe(0);
    await chat.close();
  });

  it('resolves sessions.patch and sessions.delete only after their change is fsynced', async () => {
    const log: string[] = [];
    const sessions = new SessionStore({
      sessionsDir: join(root, 'sessions'),
      clock: { now: () => 1 },
      fs: recordingFs(log),
    });
    await sessions.open('s1', 'main');
    await sessions.append('s1', { role: 'user', content: 'hi' });
    log.length = 0;
    await sessions.patch('s1', { title: 'Named' });
    log.push('patched');
    await sessions.delete('s1');
    log.push('deleted');
    expect(log).toEqual([
      expect.stringMatching(/^write s1\.jsonl: .*"title":"Named"/) as string,
      'sync s1.jsonl',
      'patched',
      'sync-dir',
      'deleted',
    ]);
  });
});
