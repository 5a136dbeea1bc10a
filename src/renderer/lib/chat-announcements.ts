/**
 * The few words a screen reader hears about this tab's chat answers: "Answer streaming"
 * when the first text arrives, then "Answer complete", or "Stopped" when the person
 * stopped it (chat.abort). The gateway ends a stopped run with an ordinary `final`, so
 * the abort request is what tells the two apart. Errors are not announced here: the
 * Chat page shows them as an alert, which screen readers read already.
 */
import type { ChatEvent } from '../../shared/protocol.js';

export const CHAT_ANNOUNCEMENTS = {
  streaming: 'Answer streaming',
  complete: 'Answer complete',
  stopped: 'Stopped',
} as const;

/** Runs remembered at once; a run whose end never arrived (a lost connection) ages out. */
export const MAX_TRACKED_RUNS = 50;

/** Turns `chat` events (and `chat.abort` requests) into announcements. */
export class ChatAnnouncements {
  readonly #streaming = new Set<string>();
  readonly #stopping = new Set<string>();

  /** The person asked to stop `runId`. */
  stopping(runId: string): void {
    remember(this.#stopping, runId);
  }

  /** The announcement for `event`, if it changes what the person should know. */
  event(event: Pick<ChatEvent, 'runId' | 'state' | 'error'>): string | undefined {
    const { runId } = event;
    if (event.state === 'delta') {
      if (this.#streaming.has(runId)) return undefined;
      remember(this.#streaming, runId);
      return CHAT_ANNOUNCEMENTS.streaming;
    }
    const stopped =
      this.#stopping.has(runId) ||
      event.error?.code === 'aborted' ||
      event.error?.details?.code === 'aborted';
    this.#streaming.delete(runId);
    this.#stopping.delete(runId);
    if (stopped) return CHAT_ANNOUNCEMENTS.stopped;
    return event.state === 'final' ? CHAT_ANNOUNCEMENTS.complete : undefined;
  }
}

function remember(set: Set<string>, runId: string): void {
  set.add(runId);
  // A Set iterates in insertion order: the first entry is the oldest.
  if (set.size > MAX_TRACKED_RUNS) set.delete(set.values().next().value as string);
}
