import { describe, expect, it } from 'vitest';
import { CHAT_ANNOUNCEMENTS, ChatAnnouncements, MAX_TRACKED_RUNS } from './chat-announcements.js';

describe('chat announcements', () => {
  it('says "Answer streaming" once per run, then "Answer complete"', () => {
    const chat = new ChatAnnouncements();
    expect(chat.event({ runId: 'a', state: 'delta' })).toBe(CHAT_ANNOUNCEMENTS.streaming);
    expect(chat.event({ runId: 'a', state: 'delta' })).toBeUndefined();
    expect(chat.event({ runId: 'a', state: 'final' })).toBe('Answer complete');
    // The next run streams again.
    expect(chat.event({ runId: 'b', state: 'delta' })).toBe('Answer streaming');
  });

  it('says "Stopped" for a run the person stopped, though the gateway ends it with a final', () => {
    const chat = new ChatAnnouncements();
    chat.event({ runId: 'a', state: 'delta' });
    chat.stopping('a');
    expect(chat.event({ runId: 'a', state: 'final' })).toBe('Stopped');
    expect(chat.event({ runId: 'b', state: 'final' })).toBe('Answer complete');
  });

  it('says "Stopped" for an aborted error, and nothing for other errors (the page alerts)', () => {
    const chat = new ChatAnnouncements();
    const aborted = { code: 'UNAVAILABLE', message: 'stopped', details: { code: 'aborted' } };
    expect(chat.event({ runId: 'a', state: 'error', error: aborted })).toBe('Stopped');
    const failed = { code: 'PROVIDER_ERROR', message: 'The agent failed to answer' };
    expect(chat.event({ runId: 'b', state: 'error', error: failed })).toBeUndefined();
  });

  it('forgets the oldest runs past its limit, so unfinished runs cannot pile up', () => {
    const chat = new ChatAnnouncements();
    chat.stopping('first');
    for (let i = 0; i < MAX_TRACKED_RUNS; i++) chat.stopping(`run-${i}`);
    expect(chat.event({ runId: 'first', state: 'final' })).toBe('Answer complete');
    expect(chat.event({ runId: 'run-0', state: 'final' })).toBe('Stopped');
  });
});
