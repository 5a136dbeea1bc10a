import { describe, expect, it } from 'vitest';
import type { ChatEvent } from '../../shared/protocol.js';
import type { AssistantItem, RunState } from './chat-thread.js';
import {
  answeredByText,
  answerView,
  applyChatEvent,
  isAnswering,
  threadFromHistory,
} from './chat-thread.js';

const event = (patch: Partial<ChatEvent> & Pick<ChatEvent, 'state'>): ChatEvent => ({
  runId: 'r1',
  sessionId: 's1',
  ...patch,
});

describe('chat events', () => {
  it('add deltas up, end with the final text and who answered, and ignore anything after', () => {
    let runs: Record<string, RunState> = {};
    runs = applyChatEvent(runs, event({ state: 'delta', text: 'Hel' }));
    runs = applyChatEvent(runs, event({ state: 'delta', text: 'lo' }));
    expect(runs.r1).toEqual({ text: 'Hello', state: 'delta' });
    runs = applyChatEvent(
      runs,
      event({ state: 'final', text: 'Hello!', provider: 'fake', model: 'm', profile: null }),
    );
    expect(runs.r1).toEqual({
      text: 'Hello!',
      state: 'final',
      by: { provider: 'fake', model: 'm', profile: null },
    });
    expect(applyChatEvent(runs, event({ state: 'delta', text: 'late' }))).toBe(runs);
  });

  it('keep the text that arrived before an error', () => {
    const runs = applyChatEvent(
      { r1: { text: 'part', state: 'delta' } },
      event({ state: 'error', error: { code: 'PROVIDER_ERROR', message: 'boom' } }),
    );
    expect(runs.r1).toEqual({
      text: 'part',
      state: 'error',
      error: { code: 'PROVIDER_ERROR', message: 'boom' },
    });
  });
});

describe('an answer’s view', () => {
  const live: AssistantItem = { key: 'k', role: 'assistant', runId: 'r1' };

  it('is waiting, then streaming, then done with who answered', () => {
    expect(answerView(live, undefined).state).toBe('waiting');
    expect(answerView(live, { text: '', state: 'delta' }).state).toBe('waiting');
    expect(answerView(live, { text: 'Hi', state: 'delta' })).toEqual({
      text: 'Hi',
      state: 'streaming',
    });
    const by = { provider: 'fake', model: 'm' };
    expect(answerView(live, { text: 'Hi', state: 'final', by })).toEqual({
      text: 'Hi',
      state: 'done',
      by,
    });
  });

  it('fails with no text when chat.send was refused, so no empty bubble is drawn', () => {
    const error = { code: 'PROVIDER_ERROR', message: 'no key' };
    expect(answerView({ key: 'k', role: 'assistant', sendError: error }, undefined)).toEqual({
      text: '',
      state: 'failed',
      error,
    });
  });

  it('is stopped when the user stopped it, and for a saved reply marked aborted', () => {
    expect(answerView({ ...live, stopped: true }, { text: 'Hi', state: 'final' }).state).toBe(
      'stopped',
    );
    const [, reply] = threadFromHistory('s1', [
      { role: 'user', text: 'q', ts: 1 },
      { role: 'assistant', text: 'part', ts: 2, provider: 'fake', model: 'm', aborted: true },
    ]);
    expect(answerView(reply as AssistantItem, undefined)).toEqual({
      text: 'part',
      state: 'stopped',
      by: { provider: 'fake', model: 'm', profile: undefined },
    });
  });

  it('is failed, with the text that arrived, for a saved reply the provider broke off', () => {
    const [, reply] = threadFromHistory('s1', [
      { role: 'user', text: 'q', ts: 1 },
      { role: 'assistant', text: 'part', ts: 2, provider: 'fake', model: 'm', failed: true },
    ]);
    expect(answerView(reply as AssistantItem, undefined)).toMatchObject({
      text: 'part',
      state: 'failed',
      error: { code: 'PROVIDER_ERROR', message: expect.stringContaining('broke off') },
    });
  });

  it('makes Send a Stop only while the last answer is on its way', () => {
    const items = [{ key: 'u', role: 'user' as const, text: 'q' }, live];
    expect(isAnswering(items, {})).toBe(true);
    expect(isAnswering(items, { r1: { text: 'a', state: 'final' } })).toBe(false);
    expect(isAnswering(items.slice(0, 1), {})).toBe(false);
  });
});

describe('history', () => {
  it('becomes user and saved assistant items with stable keys', () => {
    const items = threadFromHistory('s1', [
      { role: 'user', text: 'q', ts: 1 },
      { role: 'assistant', text: 'a', ts: 2, provider: 'p', model: 'm', profile: 'work' },
    ]);
    expect(items).toEqual([
      { key: 's1:0', role: 'user', text: 'q' },
      {
        key: 's1:1',
        role: 'assistant',
        saved: { text: 'a', by: { provider: 'p', model: 'm', profile: 'work' }, aborted: false },
      },
    ]);
  });
});

describe('who answered', () => {
  it('names provider, model and profile, leaving out a keyless provider’s null profile', () => {
    expect(answeredByText({ provider: 'fake', model: 'm', profile: 'work' })).toBe(
      'fake · m · work',
    );
    expect(answeredByText({ provider: 'fake', model: 'm', profile: null })).toBe('fake · m');
    expect(answeredByText(undefined)).toBe('');
  });
});
