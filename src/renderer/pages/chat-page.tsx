/**
 * Chat with an agent: streamed answers rendered as Markdown (no raw HTML), Stop, and
 * errors that link to their fix. Loaded lazily: react-markdown stays out of startup.
 */
import type { FormEvent, KeyboardEvent, ReactElement } from 'react';
import { useEffect, useRef, useState } from 'react';
import Markdown from 'react-markdown';
import type { ChatEvent } from '../../shared/protocol.js';
import { Icon } from '../components/icons.js';
import { EmptyState, ErrorNote, Loading, PageHeader } from '../components/ui.js';
import {
  asGatewayError,
  useConnection,
  useGatewayEvent,
  useGatewayQuery,
} from '../hooks/connection-context.js';
import type { AgentsList } from '../lib/api-types.js';
import { routeHref } from '../lib/route.js';

interface RunState {
  text: string;
  state: ChatEvent['state'];
  error?: ChatError;
}

interface ChatError {
  code: string;
  message: string;
  details?: Record<string, unknown> | undefined;
}

type Message =
  | { id: number; role: 'user'; text: string }
  | { id: number; role: 'assistant'; runId?: string; sendError?: ChatError; stopped?: boolean };

const CONFIG_EVENTS = ['config.changed'];

/** Applies one `chat` event to the run it belongs to. */
export function applyChatEvent(
  runs: Record<string, RunState>,
  event: ChatEvent,
): Record<string, RunState> {
  const previous = runs[event.runId] ?? { text: '', state: 'delta' as const };
  if (previous.state !== 'delta') return runs;
  if (event.state === 'delta')
    return { ...runs, [event.runId]: { text: previous.text + (event.text ?? ''), state: 'delta' } };
  if (event.state === 'final')
    return { ...runs, [event.runId]: { text: event.text ?? previous.text, state: 'final' } };
  const error = event.error ?? { code: 'PROVIDER_ERROR', message: 'The agent failed to answer' };
  return { ...runs, [event.runId]: { text: previous.text, state: 'error', error } };
}

function ErrorFix({ error }: { error: ChatError }): ReactElement | null {
  const detail = typeof error.details?.code === 'string' ? error.details.code : error.code;
  const provider = typeof error.details?.provider === 'string' ? error.details.provider : undefined;
  if (!provider) return null;
  const href = routeHref('providers', { edit: provider });
  if (detail === 'PROVIDER_NO_CREDENTIALS')
    return <a href={href}>Add an API key for “{provider}”</a>;
  if (detail === 'PROVIDER_REJECTED_KEY')
    return <a href={href}>Replace the API key of “{provider}”</a>;
  if (detail === 'PROVIDER_UNREACHABLE')
    return <a href={href}>Check the base URL of “{provider}”</a>;
  return null;
}

function AssistantMessage({
  message,
  run,
}: {
  message: Extract<Message, { role: 'assistant' }>;
  run: RunState | undefined;
}): ReactElement {
  const error = message.sendError ?? run?.error;
  const streaming = !error && (!run || run.state === 'delta');
  // The gateway ends a stopped run with `final` and the text so far; an error may say aborted.
  const aborted =
    message.stopped === true || error?.code === 'aborted' || error?.details?.code === 'aborted';
  return (
    <div className="message message-assistant" aria-busy={streaming}>
      <div className="message-body markdown">
        {run?.text ? <Markdown skipHtml>{run.text}</Markdown> : null}
        {streaming && !run?.text ? (
          <span className="typing" aria-label="The agent is answering" />
        ) : null}
      </div>
      {aborted && !streaming ? <p className="muted small">Stopped.</p> : null}
      {error && !aborted ? (
        <ErrorNote error={error.message}>
          <ErrorFix error={error} />
        </ErrorNote>
      ) : null}
    </div>
  );
}

export default function ChatPage(): ReactElement {
  const connection = useConnection();
  const agents = useGatewayQuery<AgentsList>('agents.list', undefined, CONFIG_EVENTS);
  const [picked, setPicked] = useState<string | undefined>(undefined);
  const [sessions, setSessions] = useState<Record<string, string>>({});
  const [messages, setMessages] = useState<Record<string, Message[]>>({});
  const [runs, setRuns] = useState<Record<string, RunState>>({});
  const [draft, setDraft] = useState('');
  const nextId = useRef(1);
  const logRef = useRef<HTMLDivElement>(null);

  const list = agents.data?.agents ?? [];
  const agentId = picked ?? agents.data?.default ?? list[0]?.id;
  const thread = agentId ? (messages[agentId] ?? []) : [];
  const last = thread[thread.length - 1];
  const lastRun = last?.role === 'assistant' && last.runId ? runs[last.runId] : undefined;
  const running =
    last?.role === 'assistant' && !last.sendError && (!lastRun || lastRun.state === 'delta');

  useGatewayEvent('chat', (payload) =>
    setRuns((current) => applyChatEvent(current, payload as ChatEvent)),
  );

  useEffect(() => {
    const log = logRef.current;
    if (log) log.scrollTop = log.scrollHeight;
  }, [thread.length, lastRun?.text]);

  const patchAssistant = (
    agent: string,
    id: number,
    patch: Partial<Extract<Message, { role: 'assistant' }>>,
  ) =>
    setMessages((current) => ({
      ...current,
      [agent]: (current[agent] ?? []).map((m) =>
        m.id === id && m.role === 'assistant' ? { ...m, ...patch } : m,
      ),
    }));

  const send = (event?: FormEvent) => {
    event?.preventDefault();
    const text = draft.trim();
    if (!agentId || !text || running) return;
    const userId = nextId.current++;
    const replyId = nextId.current++;
    setMessages((current) => ({
      ...current,
      [agentId]: [
        ...(current[agentId] ?? []),
        { id: userId, role: 'user', text },
        { id: replyId, role: 'assistant' },
      ],
    }));
    setDraft('');
    const sessionId = sessions[agentId];
    connection
      .request<{ runId: string; sessionId: string }>('chat.send', {
        agentId,
        ...(sessionId ? { sessionId } : {}),
        message: text,
      })
      .then(
        (started) => {
          setSessions((current) => ({ ...current, [agentId]: started.sessionId }));
          patchAssistant(agentId, replyId, { runId: started.runId });
        },
        (error: unknown) => {
          const failure = asGatewayError(error);
          patchAssistant(agentId, replyId, {
            sendError: { code: failure.code, message: failure.message, details: failure.details },
          });
        },
      );
  };

  const stop = () => {
    if (!agentId || last?.role !== 'assistant' || !last.runId) return;
    patchAssistant(agentId, last.id, { stopped: true });
    // A run that finished meanwhile answers NOT_FOUND; there is nothing left to stop then.
    connection.request('chat.abort', { runId: last.runId }).catch(() => undefined);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  };

  const newChat = () => {
    if (!agentId) return;
    setMessages((current) => ({ ...current, [agentId]: [] }));
    setSessions((current) =>
      Object.fromEntries(Object.entries(current).filter(([key]) => key !== agentId)),
    );
  };

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
                  onChange={(event) => setPicked(event.target.value)}
                  disabled={running}
                >
                  {list.map((agent) => (
                    <option key={agent.id} value={agent.id}>
                      {agent.name ?? agent.id} · {agent.provider}
                      {agent.model ? `/${agent.model}` : ''}
                    </option>
                  ))}
                </select>
              </label>
              <button
                type="button"
                className="btn btn-secondary"
                onClick={newChat}
                disabled={running || thread.length === 0}
              >
                New chat
              </button>
            </>
          ) : null
        }
      />
      {agents.error ? <ErrorNote error={agents.error} onRetry={agents.reload} /> : null}
      {!agents.data && agents.loading ? <Loading /> : null}
      {agents.data && list.length === 0 ? (
        <div className="card">
          <EmptyState icon="agents" title="No agent to talk to yet">
            <a href={routeHref('providers', { add: '1' })}>Add a provider</a>, then{' '}
            <a href={routeHref('agents')}>create an agent</a>.
          </EmptyState>
        </div>
      ) : null}
      {agentId ? (
        <section className="chat-panel" aria-label="Conversation">
          <div className="chat-log" ref={logRef} role="log" aria-label="Messages">
            {thread.length === 0 ? (
              <EmptyState icon="chat" title={`Ask ${agentId} anything`}>
                Press Enter to send, Shift+Enter for a new line.
              </EmptyState>
            ) : null}
            {thread.map((message) =>
              message.role === 'user' ? (
                <div key={message.id} className="message message-user">
                  <div className="message-body">{message.text}</div>
                </div>
              ) : (
                <AssistantMessage
                  key={message.id}
                  message={message}
                  run={message.runId ? runs[message.runId] : undefined}
                />
              ),
            )}
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
            {running ? (
              <button type="button" className="btn btn-secondary" onClick={stop}>
                <Icon name="stop" /> Stop
              </button>
            ) : (
              <button type="submit" className="btn btn-primary" disabled={draft.trim() === ''}>
                <Icon name="send" /> Send
              </button>
            )}
          </form>
        </section>
      ) : null}
    </div>
  );
}
