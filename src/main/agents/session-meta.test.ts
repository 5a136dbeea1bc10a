import { describe, expect, it } from 'vitest';
import { newMeta, noteMessage } from './session-meta.js';

describe("a session's last-answering profile", () => {
  it('is the last profile whose answer completed, not one that broke its reply off', () => {
    const meta = newMeta('main', 0);
    noteMessage(meta, { role: 'user', content: 'hi', ts: 1 });
    noteMessage(meta, { role: 'assistant', content: 'ok', ts: 2, provider: 'p', profile: 'a' });
    noteMessage(meta, { role: 'user', content: 'more', ts: 3 });
    noteMessage(meta, {
      role: 'assistant',
      content: 'par',
      ts: 4,
      provider: 'p',
      profile: 'b',
      failed: true,
    });
    expect(meta.answeredBy, 'the profile that leads the next run').toEqual({
      provider: 'p',
      profile: 'a',
    });
  });
});
