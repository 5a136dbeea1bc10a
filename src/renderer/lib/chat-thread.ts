/**
 * The Chat page's conversation as data: history from `sessions.get`, live runs from
 * `chat` events, and what each answer shows (its text, state, who answered, what failed).
 * Pure functions, so the rules are tested without a page.
 */
import type { ChatEvent, SessionMessageView } from '../../shared/protocol.js';

/** Who answered: the `final` event's (or a saved message's) provider, model and profile. */
export interface AnsweredBy {
  provider?: string | undefined;
  model?: string | undefined;
  /** Null (or absent) for a provider that needs no key. */
  profile?: string | null | undefined;
}

/** A failed send or run, as the gateway put it. */
export interface ChatFailure {
  code: string;
  message: string;
  details?: Record<string, unknown> | undefined;
  retryAfterMs?: number | undefined;
}

/** One run as its events built it. */
export interface RunState {
  text: string;
  state: ChatEvent['state'];
  error?: ChatFailure;
  by?: AnsweredBy;
}

export type UserItem = { key: string; role: 'user'; text: string };

/**
 * An answer: either saved (`saved` holds its text, from `sessions.get`) or live (`runId`
 * names its run once `chat.send` answered; `sendError` when `chat.send` itself failed).
 */
export type AssistantItem = {
  key: string;
  role: 'assistant';
  runId?: string;
  sendError?: ChatFailure;
  /** The user pressed Stop or Escape. */
  stopped?: boolean;
  saved?: { text: string; by: AnsweredBy; aborted: boolean; failed?: boolean };
};

export type ThreadItem = UserItem | AssistantItem;

/** A saved reply the provider broke off: the error itself is not kept, only that it failed. */
const BROKEN_OFF: ChatFailure = {
  code: 'PROVIDER_ERROR',
  message: 'The provider broke off this answer; this is the part that arrived.',
};

/** How an answer looks now. `waiting`: nothing arrived yet. */
export interface AnswerView {
  text: string;
  state: 'waiting' | 'streaming' | 'done' | 'stopped' | 'failed';
  by?: AnsweredBy | undefined;
  error?: ChatFailure | undefined;
}

/** Applies one `chat` event to the run it belongs to; events after the run ended are ignored. */
export function applyChatEvent(
  runs: Record<string, RunState>,
  event: ChatEvent,
): Record<string, RunState> {
  const previous = runs[event.runId] ?? { text: '', state: 'delta' as const };
  if (previous.state !== 'delta') return runs;
  if (event.state === 'delta')
    return { ...runs, [event.runId]: { text: previous.text + (event.text ?? ''), state: 'delta' } };
  if (event.state === 'final') {
    const by = { provider: event.provider, model: event.model, profile: event.profile };
    return { ...runs, [event.runId]: { text: event.text ?? previous.text, state: 'final', by } };
  }
  const error = event.error ?? { code: 'PROVIDER_ERROR', message: 'The agent failed to answer' };
  return { ...runs, [event.runId]: { text: previous.text, state: 'error', error } };
}

/** The items of a saved conversation, oldest first; keys are stable for one session. */
export function threadFromHistory(
  sessionId: string,
  messages: readonly SessionMessageView[],
): ThreadItem[] {
  return messages.map((message, index): ThreadItem => {
    const key = `${sessionId}:${index}`;
    if (message.role === 'user') return { key, role: 'user', text: message.text };
    const by = { provider: message.provider, model: message.model, profile: message.profile };
    return {
      key,
      role: 'assistant',
      saved: {
        text: message.text,
        by,
        aborted: message.aborted === true,
        ...(message.failed ? { failed: true } : {}),
      },
    };
  });
}

/** What an answer shows, from its item and (for a live one) its run. */
export function answerView(item: AssistantItem, run: RunState | undefined): AnswerView {
  if (item.sendError) return { text: '', state: 'failed', error: item.sendError };
  if (item.saved) {
    const { text, by, aborted, failed } = item.saved;
    if (failed) return { text, state: 'failed', by, error: BROKEN_OFF };
    return { text, state: aborted ? 'stopped' : 'done', by };
  }
  if (!run) return { text: '', state: 'waiting' };
  if (run.state === 'error') return { text: run.text, state: 'failed', error: run.error };
  if (run.state === 'final')
    return { text: run.text, state: item.stopped ? 'stopped' : 'done', by: run.by };
  return { text: run.text, state: run.text ? 'streaming' : 'waiting' };
}

/** True while the last answer is still on its way (Send becomes Stop). */
export function isAnswering(items: readonly ThreadItem[], runs: Record<string, RunState>): boolean {
  const last = items[items.length - 1];
  if (last?.role !== 'assistant') return false;
  const { state } = answerView(last, last.runId ? runs[last.runId] : undefined);
  return state === 'waiting' || state === 'streaming';
}

/** "fake · model-a · work": who answered, in the order a user picks them. */
export function answeredByText(by: AnsweredBy | undefined): string {
  return [by?.provider, by?.model, by?.profile].filter(Boolean).join(' · ');
}
