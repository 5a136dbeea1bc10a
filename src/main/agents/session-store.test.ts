import {
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  rm,
  stat,
  writeFile,
  appendFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../../shared/errors.js';
import type { Clock } from '../util/clock.js';
import { OUTCOME_WAIT_MS, within } from '../../../test/helpers/within.js';
import type { SessionFs } from './session-fs.js';
import { sessionFsWith } from './session-fs.test-support.js';
import { SessionStore } from './session-store.js';

let root: string;
let dir: string;
let time = 1_700_000_000_000;
const clock: Clock = { now: () => time++ };

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'sa-sessions-'));
  dir = join(root, 'state', 'sessions');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const lines = async (id: string) =>
  (await readFile(join(dir, `${id}.jsonl`), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('SessionStore memory', () => {
  it('keeps at most maxCachedChars of message text in memory, dropping the least recently used sessions first', async () => {
    const store = new SessionStore({ sessionsDir: dir, clock, limits: { maxCachedChars: 150 } });
    for (const id of ['old', 'new']) {
      await store.open(id, 'main');
      await store.append(id, { role: 'user', content: `${id} `.padEnd(100, 'x') });
    }
    // 200 characters cached is over the budget: `old` went back to disk, `new` stayed.
    await writeFile(
      join(dir, 'old.jsonl'),
      `${(await readFile(join(dir, 'old.jsonl'), 'utf8')).replace('old x', 'OLD x')}`,
    );
    await writeFile(
      join(dir, 'new.jsonl'),
      `${(await readFile(join(dir, 'new.jsonl'), 'utf8')).replace('new x', 'NEW x')}`,
    );
    // `new` first: reading `old` back makes it the session in use, and `new` the one to go.
    const [newFirst] = await store.history('new');
    const [oldFirst] = await store.history('old');
    expect(oldFirst?.content.slice(0, 5), 'old was read from disk again').toBe('OLD x');
    expect(newFirst?.content.slice(0, 5), 'new was still in memory').toBe('new x');
  });
});

describe('SessionStore', () => {
  it('writes a header and one line per message, private to the user, and reloads them after a restart', async () => {
    const store = new SessionStore({ sessionsDir: dir, clock });
    await store.open('s1', 'main');
    await store.append('s1', { role: 'user', content: 'hi €', runId: 'r1' });
    await store.append('s1', { role: 'assistant', content: 'hello 👋', runId: 'r1' });

    const written = await lines('s1');
    expect(written[0]).toMatchObject({ type: 'session', agentId: 'main' });
    expect(written.slice(1)).toMatchObject([
      { role: 'user', content: 'hi €', runId: 'r1' },
      { role: 'assistant', content: 'hello 👋', runId: 'r1' },
    ]);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, 's1.jsonl'))).mode & 0o777).toBe(0o600);

    const restarted = new SessionStore({ sessionsDir: dir, clock });
    await restarted.open('s1', 'main');
    expect(await restarted.history('s1')).toEqual([
      { role: 'user', content: 'hi €' },
      { role: 'assistant', content: 'hello 👋' },
    ]);
  });

  it('creates no file for a session that never got a message', async () => {
    const store = new SessionStore({ sessionsDir: dir, clock });
    await store.open('empty', 'main');
    await expect(readdir(dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('ignores a torn last line from a crash, and the next message still lands on its own line', async () => {
    const store = new SessionStore({ sessionsDir: dir, clock });
    await store.open('s1', 'main');
    await store.append('s1', { role: 'user', content: 'first' });
    await appendFile(join(dir, 's1.jsonl'), '{"role":"assistant","content":"half a rep');

    const restarted = new SessionStore({ sessionsDir: dir, clock });
    await restarted.open('s1', 'main');
    expect(await restarted.history('s1')).toEqual([{ role: 'user', content: 'first' }]);
    await restarted.append('s1', { role: 'user', content: 'second' });

    const again = new SessionStore({ sessionsDir: dir, clock });
    await again.open('s1', 'main');
    expect(await again.history('s1')).toEqual([
      { role: 'user', content: 'first' },
      { role: 'user', content: 'second' },
    ]);
  });

  it('cuts off a torn last line before the next write, so a message never acknowledged cannot come back later', async () => {
    const store = new SessionStore({ sessionsDir: dir, clock });
    await store.open('s1', 'main');
    await store.append('s1', { role: 'user', content: 'first' });
    // The crash cut the append just before its newline: the JSON itself is whole.
    await appendFile(join(dir, 's1.jsonl'), '{"role":"assistant","content":"unsaved","ts":1}');

    const restarted = new SessionStore({ sessionsDir: dir, clock });
    await restarted.open('s1', 'main');
    expect(await restarted.history('s1')).toEqual([{ role: 'user', content: 'first' }]);
    await restarted.append('s1', { role: 'user', content: 'second' });

    const again = new SessionStore({ sessionsDir: dir, clock });
    expect((await again.readAll('s1'))?.messages.map((message) => message.content)).toEqual([
      'first',
      'second',
    ]);
  });

  it('keeps a session bound to the agent it started with', async () => {
    const store = new SessionStore({ sessionsDir: dir, clock });
    await store.open('s1', 'main');
    await store.append('s1', { role: 'user', content: 'hi' });
    const other = new SessionStore({ sessionsDir: dir, clock });
    await expect(other.open('s1', 'writer')).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(store.open('s1', 'writer')).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it.each(['../escape', 'a/b', '', 'x'.repeat(65), 'dot.dot', 'nul\0'])(
    'refuses the session id %j',
    async (id) => {
      const store = new SessionStore({ sessionsDir: dir, clock });
      await expect(store.open(id, 'main')).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    },
  );

  it('sends only the most recent messages upstream, starting at a user turn', async () => {
    const store = new SessionStore({ sessionsDir: dir, clock, limits: { historyLimit: 4 } });
    await store.open('s1', 'main');
    for (let turn = 1; turn <= 5; turn++) {
      await store.append('s1', { role: 'user', content: `q${turn}` });
      await store.append('s1', { role: 'assistant', content: `a${turn}` });
    }
    await store.append('s1', { role: 'user', content: 'q6' });
    // The last four are a4 q5 a5 q6; the window drops the leading assistant turn.
    expect((await store.history('s1')).map((message) => message.content)).toEqual([
      'q5',
      'a5',
      'q6',
    ]);
    expect((await store.readAll('s1'))?.messages).toHaveLength(11);
  });

  it('sets aside a file whose header is unreadable and says so, then starts afresh', async () => {
    const store = new SessionStore({ sessionsDir: dir, clock });
    await store.open('s1', 'main');
    await store.append('s1', { role: 'user', content: 'hi' });
    await writeFile(join(dir, 's1.jsonl'), 'garbage\n{"role":"user","content":"x","ts":1}\n');

    const restarted = new SessionStore({ sessionsDir: dir, clock });
    const error = await restarted.open('s1', 'main').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).message).toContain('set aside');
    expect((await readdir(dir)).some((name) => name.startsWith('s1.jsonl.damaged-'))).toBe(true);
    await restarted.open('s1', 'main');
    expect(await restarted.history('s1')).toEqual([]);
  });

  it('sets aside, never overwrites, a file with a good header whose other lines it cannot read', async () => {
    await mkdir(dir, { recursive: true });
    const header = '{"type":"session","agentId":"main","createdAtMs":1}\n';
    // Another version's message format (ts as text): not this version's to throw away.
    const foreign = `${header}{"role":"user","content":"keep me","ts":"2026-01-01"}\n`;
    await writeFile(join(dir, 's1.jsonl'), foreign);

    const store = new SessionStore({ sessionsDir: dir, clock });
    const error = await store.open('s1', 'main').catch((caught: unknown) => caught);
    expect(error, 'opening the session').toBeInstanceOf(GatewayError);
    const copy = (await readdir(dir)).find((name) => name.startsWith('s1.jsonl.damaged-'));
    expect(copy, 'the set-aside copy').toBeDefined();
    expect(await readFile(join(dir, copy ?? ''), 'utf8')).toBe(foreign);
  });
});

describe('SessionStore after a failed first write', () => {
  it('keeps nothing of a session whose first message never reached the disk: the id is free for any agent', async () => {
    let fail = true;
    const fs = sessionFsWith({
      writeFile: async (write) => {
        if (fail)
          throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
        await write();
      },
    });
    const store = new SessionStore({ sessionsDir: dir, clock, fs });
    await store.open('s1', 'a');
    await expect(store.append('s1', { role: 'user', content: 'hi' })).rejects.toMatchObject({
      code: 'ENOSPC',
    });
    fail = false;
    // Nothing is on disk under s1, so it is no session of agent a.
    await expect(store.open('s1', 'b'), 'opening s1 for agent b').resolves.toMatchObject({
      agentId: 'b',
    });
  });
});

describe('SessionStore concurrency', () => {
  /** The real files, with each fsync of `held.jsonl` waiting until `release` is called. */
  function holdingFs(): { fs: SessionFs; release: () => void } {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const fs = sessionFsWith({
      sync: async (sync, path) => {
        if (basename(path) === 'held.jsonl') await released;
        await sync();
      },
    });
    return { fs, release };
  }

  it('saves one session while another waits on its fsync, and keeps each session in order', async () => {
    const { fs, release } = holdingFs();
    const store = new SessionStore({ sessionsDir: dir, clock, fs });
    await store.open('held', 'main');
    await store.open('free', 'main');
    const order: string[] = [];
    const first = store.append('held', { role: 'user', content: 'one' }).then(() => {
      order.push('held one');
    });
    const second = store.append('held', { role: 'user', content: 'two' }).then(() => {
      order.push('held two');
    });
    await within(
      OUTCOME_WAIT_MS,
      store.append('free', { role: 'user', content: 'other' }),
      'the other session saved while the first one waits on its fsync',
    );
    expect(order, 'the held session is still waiting').toEqual([]);
    release();
    await within(OUTCOME_WAIT_MS, Promise.all([first, second]), 'the held session saved');
    expect(order).toEqual(['held one', 'held two']);
    expect((await lines('held')).slice(1).map((line) => line.content)).toEqual(['one', 'two']);
    expect((await lines('free')).slice(1).map((line) => line.content)).toEqual(['other']);
  });
});
