/**
 * Chat with an agent: a list of saved chats, the open one's history (kept across reloads
 * and reconnects), streamed answers rendered as Markdown (no raw HTML), Stop or Escape,
 * a per-chat model override, and errors in place of the answer with what to do.
 * Loaded lazily; the Markdown renderer is a further lazy chunk (chat-markdown.tsx).
 */
import type { FormEvent, KeyboardEvent, ReactElement } from 'react';
import { useEffect, useRef, useState } from 'react';
import type { SessionSummary } from '../../shared/protocol.js';
import type { ConfirmRequest } from '../components/confirm-dialog.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { Icon } from '../components/icons.js';
import { EmptyState, ErrorNote, Loading, PageHeader } from '../components/ui.js';
import { asGatewayError, useGatewayQuery } from '../hooks/connection-context.js';
import type { AgentsList } from '../lib/api-types.js';
import { routeHref } from '../lib/route.js';
import { MessageList } from './chat-messages.js';
import { OverrideBar } from './chat-override.js';
import { RenameChatDialog } from './chat-rename-dialog.js';
import { chatTitle, SessionList } from './chat-sessions.js';
import { useChat } from './chat-state.js';

const CONFIG_EVENTS = ['config.changed'];

/** Where the open chat's id is remembered; a store that forgets when storage is off. */
function browserStorage(): Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> {
  try {
    return window.localStorage;
  } catch {
    return { getItem: () => null, setItem: () => undefined, removeItem: () => undefined };
  }
}

export default function ChatPage(): ReactElement {
  const agents = useGatewayQuery<AgentsList>('agents.list', undefined, CONFIG_EVENTS);
  const [storage] = useState(browserStorage);
  const chat = useChat(storage);
  const [picked, setPicked] = useState<string | undefined>(undefined);
  const [draft, setDraft] = useState('');
  const [renaming, setRenaming] = useState<SessionSummary | undefined>(undefined);
  const [confirm, setConfirm] = useState<ConfirmRequest | undefined>(undefined);
  const [failure, setFailure] = useState<string | undefined>(undefined);
  const logRef = useRef<HTMLDivElement>(null);

  const list = agents.data?.agents ?? [];
  // An open chat belongs to its agent; a new one to the agent picked (or the default).
  const agentId =
    chat.session?.agentId ?? picked ?? agents.data?.default ?? list[0]?.id ?? undefined;
  const agent = list.find((entry) => entry.id === agentId);
  const { items, answering, stop } = chat;
  const last = items[items.length - 1];
  const lastText = last?.role === 'assistant' && last.runId ? chat.runs[last.runId]?.text : '';

  useEffect(() => {
    const log = logRef.current;
    if (log) log.scrollTop = log.scrollHeight;
  }, [items.length, lastText]);

  // Escape stops the answer from anywhere on the page, unless a dialog takes it first.
  useEffect(() => {
    if (!answering) return;
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (event.key !== 'Escape' || event.defaultPrevented) return;
      if (document.querySelector('dialog[open]')) return;
      event.preventDefault();
      stop();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [answering, stop]);

  const send = (event?: FormEvent) => {
    event?.preventDefault();
    const text = draft.trim();
    if (!agentId || !text || answering) return;
    setDraft('');
    // A refused message is not saved anywhere: give it back unless something new was typed.
    chat.send(agentId, text, (refused) => setDraft((now) => (now === '' ? refused : now)));
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  };

  const askDelete = (session: SessionSummary) =>
    setConfirm({
      title: `Delete chat “${chatTitle(session)}”?`,
      body: <p>Its messages are deleted from the gateway. This cannot be undone.</p>,
      confirmLabel: 'Delete chat',
      danger: true,
      onConfirm: () => {
        setFailure(undefined);
        chat.remove(session).catch((error: unknown) => setFailure(asGatewayError(error).message));
      },
    });

  return (
    <div className="chat-page">
      <PageHeader
        title="Chat"
        subtitle="Talk to your agents. Answers stream in as they are written."
        actions={
          list.length > 0 ? (
            <>
              <label className="inline-field">
                <span>Agent</span>
                <select
                  value={agentId ?? ''}
                  onChange={(event) => {
                    setPicked(event.target.value);
                    chat.startNew();
                  }}
                  disabled={answering}
                >
                  {list.map((entry) => (
                    <option key={entry.id} value={entry.id}>
                      {entry.name ?? entry.id} · {entry.provider}
                      {entry.model ? `/${entry.model}` : ''}
                    </option>
                  ))}
                </select>
              </label>
              <button
                type="button"
                className="btn btn-secondary"
                onClick={chat.startNew}
                disabled={answering || chat.sessionId === undefined}
              >
                <Icon name="plus" /> New chat
              </button>
            </>
          ) : null
        }
      />
      {agents.error ? <ErrorNote error={agents.error} onRetry={agents.reload} /> : null}
      {chat.sessionsError ? (
        <ErrorNote error={chat.sessionsError} onRetry={chat.reloadSessions} />
      ) : null}
      {failure ? <ErrorNote error={failure} /> : null}
      {!agents.data && agents.loading ? <Loading /> : null}
      {agents.data && list.length === 0 && !chat.sessionId ? (
        <div className="card">
          <EmptyState icon="agents" title="No agent to talk to yet">
            <a href={routeHref('providers', { add: '1' })}>Add a provider</a>, then{' '}
            <a href={routeHref('agents')}>create an agent</a>.
          </EmptyState>
        </div>
      ) : null}
      {agentId ? (
        <div className="chat-layout">
          <SessionList
            sessions={chat.sessions}
            currentId={chat.sessionId}
            locked={answering}
            showAgent={list.length > 1}
            onOpen={chat.open}
            onRename={setRenaming}
            onDelete={askDelete}
            onLoadOlder={chat.loadOlder}
          />
          <section className="chat-panel" aria-label="Conversation">
            <div className="chat-panel-head">
              <h2 className="chat-title">{chat.session ? chatTitle(chat.session) : 'New chat'}</h2>
              <OverrideBar
                agent={agent}
                override={chat.override}
                disabled={answering}
                onChange={chat.setOverride}
              />
            </div>
            <div className="chat-log" ref={logRef} role="log" aria-label="Messages">
              {chat.historyError ? <ErrorNote error={chat.historyError} /> : null}
              {chat.historyLoading ? <Loading label="Loading the conversation…" /> : null}
              {items.length === 0 && !chat.historyLoading ? (
                <EmptyState icon="chat" title={`Ask ${agentId} anything`}>
                  Enter sends, Shift+Enter adds a line, Escape stops an answer.
                </EmptyState>
              ) : null}
              <MessageList items={items} runs={chat.runs} />
            </div>
            <form className="composer" onSubmit={send}>
              <label htmlFor="chat-input" className="visually-hidden">
                Message
              </label>
              <textarea
                id="chat-input"
                rows={2}
                value={draft}
                placeholder={`Message ${agentId}…`}
                onChange={(event) => setDraft(event.target.value)}
                onKeyDown={onKeyDown}
              />
              {answering ? (
                <button
                  type="button"
                  className="btn btn-secondary"
                  onClick={stop}
                  aria-keyshortcuts="Escape"
                >
                  <Icon name="stop" /> Stop
                </button>
              ) : (
                <button type="submit" className="btn btn-primary" disabled={draft.trim() === ''}>
                  <Icon name="send" /> Send
                </button>
              )}
            </form>
          </section>
        </div>
      ) : null}
      <RenameChatDialog
        session={renaming}
        onClose={() => setRenaming(undefined)}
        onRenamed={chat.renamed}
      />
      <ConfirmDialog request={confirm} onClose={() => setConfirm(undefined)} />
    </div>
  );
}
