/**
 * The Chat page's state: the chat list, the open chat (its id remembered across reloads),
 * its history from `sessions.get` (loaded again after every reconnect), live runs from
 * `chat` events, and the actions on them.
 */
import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { ChatSendResult } from '../../shared/api-results.js';
import type { GatewayClientError } from '../../shared/gateway-client.js';
import type {
  ChatEvent,
  SessionOverride,
  SessionsGetPayload,
  SessionsListPayload,
  SessionSummary,
} from '../../shared/protocol.js';
import {
  asGatewayError,
  useConnection,
  useConnectionState,
  useGatewayEvent,
  useGatewayQuery,
} from '../hooks/connection-context.js';
import { chatRunsOf } from '../lib/chat-runs.js';
import type { AssistantItem, ChatFailure, RunState, ThreadItem } from '../lib/chat-thread.js';
import { isAnswering, threadFromHistory } from '../lib/chat-thread.js';
import { readLastChat, writeLastChat } from '../lib/last-chat.js';

type KeyValueStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

function failureOf(error: unknown): ChatFailure {
  const failure = asGatewayError(error);
  return {
    code: failure.code,
    message: failure.message,
    details: failure.details,
    retryAfterMs: failure.retryAfterMs,
  };
}

export interface ChatState {
  sessions: SessionSummary[];
  /** Loads the next older page of chats; undefined when there is none to load. */
  loadOlder: (() => void) | undefined;
  sessionsError: GatewayClientError | undefined;
  reloadSessions: () => void;
  /** The open chat; undefined for a new one (saved by its first message). */
  sessionId: string | undefined;
  session: SessionSummary | undefined;
  items: ThreadItem[];
  runs: Record<string, RunState>;
  historyLoading: boolean;
  historyError: GatewayClientError | undefined;
  answering: boolean;
  /** The override in force: the session's, or the one waiting for a new chat's first message. */
  override: SessionOverride | undefined;
  open: (session: SessionSummary) => void;
  startNew: () => void;
  /** Sends `text`; `onRefused` gets it back when the gateway refused it (nothing was saved). */
  send: (agentId: string, text: string, onRefused: (text: string) => void) => void;
  stop: () => void;
  setOverride: (override: SessionOverride | null) => Promise<void>;
  remove: (session: SessionSummary) => Promise<void>;
  renamed: (session: SessionSummary) => void;
}

/** The gateway's page of `sessions.list` (session-limits.ts `listPageSize`). */
const SESSIONS_PAGE = 50;

/**
 * The first page (kept fresh by events) and the older pages loaded since, newest first; a
 * chat on both (it moved up since its older page loaded) counts once, where it is now.
 */
function mergePages(first: SessionSummary[], older: SessionSummary[]): SessionSummary[] {
  const seen = new Set(first.map((session) => session.sessionId));
  const rest = older.filter((session) => {
    if (seen.has(session.sessionId)) return false;
    seen.add(session.sessionId);
    return true;
  });
  return [...first, ...rest];
}

export function useChat(storage: KeyValueStore): ChatState {
  const connection = useConnection();
  const { phase, generation } = useConnectionState();
  const list = useGatewayQuery<SessionsListPayload>('sessions.list');
  // Pages past the first (the gateway sends 50 at a time), asked for by "Show older chats".
  const [older, setOlder] = useState<{
    /** The first page these were loaded after. */
    after?: SessionsListPayload | undefined;
    sessions: SessionSummary[];
    exhausted: boolean;
  }>({ sessions: [], exhausted: false });
  const [sessionId, setSessionId] = useState(() => readLastChat(storage));
  const [session, setSession] = useState<SessionSummary | undefined>(undefined);
  const [items, setItems] = useState<ThreadItem[]>([]);
  const runStore = chatRunsOf(connection);
  const runs = useSyncExternalStore(runStore.subscribe, runStore.getSnapshot);
  // `${sessionId}@${generation}` of the history on screen: a reconnect loads it again.
  const [loaded, setLoaded] = useState<string | undefined>(undefined);
  const [historyError, setHistoryError] = useState<GatewayClientError | undefined>(undefined);
  const [pending, setPending] = useState<SessionOverride | undefined>(undefined);
  const nextKey = useRef(1);

  const select = (id: string | undefined) => {
    setSessionId(id);
    writeLastChat(storage, id);
  };

  const wanted = sessionId && phase === 'connected' ? `${sessionId}@${generation}` : undefined;
  useEffect(() => {
    if (!sessionId || !wanted || wanted === loaded) return;
    let cancelled = false;
    connection.request<SessionsGetPayload>('sessions.get', { sessionId }).then(
      (payload) => {
        if (cancelled) return;
        // An answer still streaming (the page was left and opened again) goes on showing.
        const live = runStore
          .streamingIn(sessionId, generation)
          .map((runId): ThreadItem => ({ key: `run-${runId}`, role: 'assistant', runId }));
        setItems([...threadFromHistory(sessionId, payload.messages), ...live]);
        setSession(payload.session);
        setHistoryError(undefined);
        setLoaded(wanted);
      },
      (error: unknown) => {
        if (cancelled) return;
        const failure = asGatewayError(error);
        setLoaded(wanted);
        // Deleted elsewhere (or a stale id): start a new chat instead of showing an error.
        if (failure.code !== 'NOT_FOUND') return setHistoryError(failure);
        setSessionId(undefined);
        writeLastChat(storage, undefined);
        setItems([]);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [connection, sessionId, wanted, loaded, storage, runStore, generation]);

  useGatewayEvent('chat', (payload) => {
    // A finished run changed its session's time (and, for a first message, made its title).
    if ((payload as ChatEvent).state !== 'delta') list.reload();
  });

  const patchItem = (key: string, patch: Partial<AssistantItem>) =>
    setItems((current) =>
      current.map((item) =>
        item.key === key && item.role === 'assistant' ? { ...item, ...patch } : item,
      ),
    );

  const listed = list.data?.sessions.find((entry) => entry.sessionId === sessionId);
  const current = session?.sessionId === sessionId ? session : listed;

  const send: ChatState['send'] = (agentId, text, onRefused) => {
    const userKey = `live-${nextKey.current++}`;
    const replyKey = `live-${nextKey.current++}`;
    setItems((existing) => [
      ...existing,
      { key: userKey, role: 'user', text },
      { key: replyKey, role: 'assistant' },
    ]);
    const target = sessionId;
    const override = target ? undefined : pending;
    connection
      .request<ChatSendResult>('chat.send', {
        agentId,
        ...(target ? { sessionId: target } : {}),
        message: text,
        ...(override ? { override } : {}),
      })
      .then(
        (started) => {
          patchItem(replyKey, { runId: started.runId });
          if (!target) {
            // The history on screen is this new session's: no need to load it.
            select(started.sessionId);
            setLoaded(`${started.sessionId}@${generation}`);
            if (override) void keepOverride(started.sessionId, override);
          }
          list.reload();
        },
        (error: unknown) => {
          patchItem(replyKey, { sendError: failureOf(error) });
          onRefused(text);
        },
      );
  };

  /** A new chat's override went with its first message; now it stays with the session. */
  const keepOverride = (id: string, override: SessionOverride) =>
    connection
      .request<{ session: SessionSummary }>('sessions.patch', { sessionId: id, override })
      .then(
        (patched) => {
          setSession(patched.session);
          setPending(undefined);
        },
        (error: unknown) => setHistoryError(asGatewayError(error)),
      );

  const stop = () => {
    const last = items[items.length - 1];
    if (last?.role !== 'assistant' || !last.runId) return;
    patchItem(last.key, { stopped: true });
    // A run that finished meanwhile answers NOT_FOUND; there is nothing left to stop then.
    connection.request('chat.abort', { runId: last.runId }).catch(() => undefined);
  };

  const startNew = () => {
    select(undefined);
    setItems([]);
    setSession(undefined);
    setPending(undefined);
    setHistoryError(undefined);
  };

  const open = (summary: SessionSummary) => {
    if (summary.sessionId === sessionId) return;
    select(summary.sessionId);
    setItems([]);
    setSession(summary);
    setPending(undefined);
    setHistoryError(undefined);
  };

  const setOverride = async (override: SessionOverride | null) => {
    if (!sessionId) return setPending(override ?? undefined);
    const patched = await connection.request<{ session: SessionSummary }>('sessions.patch', {
      sessionId,
      override,
    });
    setSession(patched.session);
    list.reload();
  };

  const remove = async (summary: SessionSummary) => {
    await connection.request('sessions.delete', { sessionId: summary.sessionId });
    if (summary.sessionId === sessionId) startNew();
    list.reload();
  };

  const renamed = (summary: SessionSummary) => {
    if (summary.sessionId === sessionId) setSession(summary);
    list.reload();
  };

  // Older pages belong to the first page they were loaded after: once it changed (a chat
  // moved up, one was deleted) they may miss or repeat chats, so the list folds back.
  const olderNow = older.after === list.data ? older : { sessions: [], exhausted: false };
  const firstPage = list.data?.sessions ?? [];
  const sessions = mergePages(firstPage, olderNow.sessions);
  const loadOlder = () => {
    const first = list.data;
    const before = sessions.at(-1)?.updatedAtMs;
    connection
      .request<SessionsListPayload>('sessions.list', {
        limit: SESSIONS_PAGE,
        ...(before === undefined ? {} : { before }),
      })
      .then(
        (page) =>
          setOlder({
            after: first,
            sessions: [...olderNow.sessions, ...page.sessions],
            exhausted: page.sessions.length === 0,
          }),
        () => setOlder({ ...olderNow, after: first, exhausted: true }),
      );
  };

  return {
    sessions,
    // A full first page may have more behind it; an empty older page says there is none.
    loadOlder: firstPage.length >= SESSIONS_PAGE && !olderNow.exhausted ? loadOlder : undefined,
    sessionsError: list.error,
    reloadSessions: list.reload,
    sessionId,
    session: current,
    items,
    runs,
    historyLoading: Boolean(wanted && wanted !== loaded),
    historyError,
    answering: isAnswering(items, runs),
    override: sessionId ? current?.override : pending,
    open,
    startNew,
    send,
    stop,
    setOverride,
    remove,
    renamed,
  };
}
