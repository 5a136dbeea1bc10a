import { appendFile, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../util/clock.js';
import { SessionStore } from './session-store.js';

let root: string;
let dir: string;
let time: number;
const clock: Clock = { now: () => time++ };

beforeEach(async () => {
  time = 1_700_000_000_000;
  root = await mkdtemp(join(tmpdir(), 'sa-session-index-'));
  dir = join(root, 'state', 'sessions');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function store(extra: Partial<ConstructorParameters<typeof SessionStore>[0]> = {}) {
  return new SessionStore({ sessionsDir: dir, clock, ...extra });
}

/** A session with `turns` question/answer pairs. */
async function converse(sessions: SessionStore, id: string, agentId: string, ...texts: string[]) {
  await sessions.open(id, agentId);
  for (const [index, text] of texts.entries())
    await sessions.append(id, { role: index % 2 === 0 ? 'user' : 'assistant', content: text });
}

describe('SessionStore list', () => {
  it('lists sessions newest first with their agent, title, times and message count, the same after a restart', async () => {
    const sessions = store();
    await converse(sessions, 'old', 'main', '  How do I\n  bake   bread?  ', 'Like this.');
    await converse(sessions, 'new', 'writer', 'Write a poem', 'Roses…', 'Another');
    const listed = await sessions.list({});
    expect(listed.map((s) => s.sessionId)).toEqual(['new', 'old']);
    expect(listed[1]).toEqual({
      sessionId: 'old',
      agentId: 'main',
      title: 'How do I bake bread?',
      createdAtMs: expect.any(Number) as number,
      updatedAtMs: expect.any(Number) as number,
      messageCount: 2,
    });
    expect(listed[1]!.updatedAtMs).toBeGreaterThan(listed[1]!.createdAtMs);

    expect(await store().list({})).toEqual(listed);
    expect((await store().list({ agentId: 'writer' })).map((s) => s.sessionId)).toEqual(['new']);
  });

  it('titles a session with the first 60 characters of its first user message', async () => {
    const sessions = store();
    const long = `${'é'.repeat(59)}👋 and more words after the cut`;
    await converse(sessions, 's1', 'main', long);
    expect((await sessions.list({}))[0]?.title).toBe(`${'é'.repeat(59)}👋…`);
  });

  it('pages with before: no session is skipped or repeated when several share an updatedAtMs', async () => {
    // Ten sessions written in the same millisecond, pairs at a time.
    const frozen = { now: () => time };
    const sessions = store({ clock: frozen });
    for (let n = 0; n < 10; n++) {
      if (n % 2 === 0) time += 10;
      await converse(sessions, `s${n}`, 'main', `q${n}`);
    }
    const seen: string[] = [];
    let before: number | undefined;
    for (let page = 0; page < 10; page++) {
      const sessionsPage = await sessions.list({ limit: 3, before });
      if (sessionsPage.length === 0) break;
      expect(sessionsPage.length).toBeLessThanOrEqual(3);
      seen.push(...sessionsPage.map((s) => s.sessionId));
      before = sessionsPage.at(-1)?.updatedAtMs;
    }
    expect(seen.sort()).toEqual(['s0', 's1', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9']);
  });

  it('caps a page at maxListPageSize whatever the caller asks', async () => {
    const sessions = store({ limits: { maxListPageSize: 2 } });
    for (const id of ['a', 'b', 'c']) await converse(sessions, id, 'main', 'hi');
    expect(await sessions.list({ limit: 50 })).toHaveLength(2);
  });

  it('leaves out a session whose first write was cut short, and starts it afresh on the next message', async () => {
    const sessions = store();
    await converse(sessions, 'full', 'main', 'hi');
    await writeFile(
      join(dir, 'cut.jsonl'),
      '{"type":"session","agentId":"main","createdAtMs":1}\n{"role":"us',
    );
    const restarted = store();
    expect((await restarted.list({})).map((s) => s.sessionId)).toEqual(['full']);
    await converse(restarted, 'cut', 'writer', 'again');
    expect((await store().readAll('cut'))?.messages.map((m) => m.content)).toEqual(['again']);
  });
});

describe('SessionStore patch, get and delete', () => {
  it('keeps the title and override in meta lines where the last one wins, and override null clears it', async () => {
    const sessions = store();
    await converse(sessions, 's1', 'main', 'hello', 'hi');
    await sessions.patch('s1', { override: { provider: 'local', profile: 'a' } });
    await sessions.patch('s1', { title: 'Renamed' });
    const pinned = await sessions.patch('s1', { override: { profile: 'b' } });
    expect(pinned).toMatchObject({ title: 'Renamed', override: { profile: 'b' }, messageCount: 2 });

    const restarted = store();
    expect((await restarted.list({}))[0]).toMatchObject({
      title: 'Renamed',
      override: { profile: 'b' },
    });
    expect(await restarted.overrideOf('s1')).toEqual({ profile: 'b' });
    const cleared = await restarted.patch('s1', { override: null });
    expect(cleared).not.toHaveProperty('override');
    expect(await store().overrideOf('s1')).toBeUndefined();
    expect((await store().get('s1')).session).toMatchObject({ title: 'Renamed', messageCount: 2 });
  });

  it('gets every message in order with what answered, and says NOT_FOUND for a session never written', async () => {
    const sessions = store();
    await sessions.open('s1', 'main');
    await sessions.append('s1', { role: 'user', content: 'q1' });
    await sessions.append('s1', {
      role: 'assistant',
      content: 'a1',
      provider: 'local',
      model: 'm',
      profile: 'b',
    });
    await sessions.append('s1', { role: 'user', content: 'q2' });
    // A provider that needs no key answers with no profile.
    await sessions.append('s1', {
      role: 'assistant',
      content: 'a2',
      provider: 'ollama',
      model: 'llama',
      profile: null,
    });
    const { session, messages } = await store().get('s1');
    expect(session).toMatchObject({ sessionId: 's1', messageCount: 4 });
    expect(messages).toMatchObject([
      { role: 'user', content: 'q1' },
      { role: 'assistant', content: 'a1', provider: 'local', model: 'm', profile: 'b' },
      { role: 'user', content: 'q2' },
      { role: 'assistant', content: 'a2', provider: 'ollama', model: 'llama', profile: null },
    ]);
    await sessions.open('unsent', 'main');
    await expect(sessions.get('unsent')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(sessions.patch('unsent', { title: 'x' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('gets only the newest messages that fit in maxGetBytes, saying how many older ones it left out', async () => {
    const sessions = store({ limits: { maxGetBytes: 300 } });
    await converse(
      sessions,
      's1',
      'main',
      ...Array.from({ length: 10 }, (_, n) => `message ${n} ${'x'.repeat(40)}`),
    );
    const { session, messages, omitted } = await sessions.get('s1');
    expect(session.messageCount).toBe(10);
    expect(messages.length).toBeGreaterThan(0);
    expect(omitted + messages.length).toBe(10);
    expect(messages.at(-1)?.content).toMatch(/^message 9 /);
  });

  it('deletes the file and the list entry; the next message under that id starts a new session', async () => {
    const sessions = store();
    await converse(sessions, 's1', 'main', 'secret plans');
    await converse(sessions, 's2', 'main', 'keep me');
    await sessions.delete('s1');
    expect(await readdir(dir)).toEqual(['s2.jsonl']);
    expect((await sessions.list({})).map((s) => s.sessionId)).toEqual(['s2']);
    await expect(sessions.get('s1')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(sessions.delete('s1')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await converse(sessions, 's1', 'writer', 'fresh');
    expect((await store().get('s1')).messages.map((m) => m.content)).toEqual(['fresh']);
  });

  it.each(['../x', 'a/b', '', 'x'.repeat(65), 'x'.repeat(200), 'dot.dot'])(
    'refuses the malformed session id %j with INVALID_REQUEST everywhere',
    async (id) => {
      const sessions = store();
      for (const call of [
        () => sessions.get(id),
        () => sessions.patch(id, { title: 't' }),
        () => sessions.delete(id),
        () => sessions.overrideOf(id),
      ])
        await expect(call()).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    },
  );

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])(
    'finds no session named %s (NOT_FOUND, not an Object.prototype member)',
    async (id) => {
      const sessions = store();
      await converse(sessions, 'real', 'main', 'hi');
      await expect(sessions.get(id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(sessions.patch(id, { title: 't' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(sessions.delete(id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await sessions.overrideOf(id)).toBeUndefined();
    },
  );
});

describe('SessionStore crash safety of the index', () => {
  it('sets aside a file with an unreadable header when building the list, logs it, and reports it once on use', async () => {
    const sessions = store();
    await converse(sessions, 'good', 'main', 'hi');
    await converse(sessions, 'bad', 'main', 'precious');
    await writeFile(
      join(dir, 'bad.jsonl'),
      'garbage\n{"role":"user","content":"precious","ts":1}\n',
    );
    const warnings: string[] = [];
    const restarted = store({ logger: { warn: (line) => warnings.push(line) } });
    expect((await restarted.list({})).map((s) => s.sessionId)).toEqual(['good']);
    expect(warnings.join('\n')).toMatch(/session bad .*set aside/);
    const aside = (await readdir(dir)).find((name) => name.startsWith('bad.jsonl.damaged-'));
    expect(aside).toBeDefined();
    expect(await readFile(join(dir, aside!), 'utf8')).toContain('precious');
    await expect(restarted.open('bad', 'main')).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringContaining('set aside') as string,
    });
    await restarted.open('bad', 'main');
  });

  it('lists a session with a torn last line, counting only its whole messages', async () => {
    const sessions = store();
    await converse(sessions, 's1', 'main', 'q', 'a');
    await appendFile(join(dir, 's1.jsonl'), '{"role":"user","content":"half');
    const listed = await store().list({});
    expect(listed[0]).toMatchObject({ sessionId: 's1', messageCount: 2, title: 'q' });
  });
});
