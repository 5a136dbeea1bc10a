/**
 * The messages of one conversation. An answer shows its text (Markdown), who answered in
 * small muted text, "Stopped." when cut short, and a failure in its place: never an empty
 * bubble, always the gateway's message and what to do about it.
 */
import type { ReactElement } from 'react';
import { lazy, Suspense } from 'react';
import { ErrorNote } from '../components/ui.js';
import { chatAdvice } from '../lib/chat-advice.js';
import type { AssistantItem, ChatFailure, RunState, ThreadItem } from '../lib/chat-thread.js';
import { answeredByText, answerView } from '../lib/chat-thread.js';
import { routeHref } from '../lib/route.js';

// The Markdown parser is the biggest part of the Chat page: fetched with the first answer.
const ChatMarkdown = lazy(() => import('./chat-markdown.js'));

function Advice({ error }: { error: ChatFailure }): ReactElement | null {
  const advice = chatAdvice(error);
  if (!advice.fix && !advice.retry) return null;
  return (
    <span className="chat-advice">
      {advice.provider && advice.fix ? (
        <a href={routeHref('providers', { edit: advice.provider })}>{advice.fix}</a>
      ) : null}
      {advice.retry ? <span className="muted"> {advice.retry}</span> : null}
    </span>
  );
}

function Answer({ item, run }: { item: AssistantItem; run: RunState | undefined }): ReactElement {
  const view = answerView(item, run);
  const busy = view.state === 'waiting' || view.state === 'streaming';
  const by = answeredByText(view.by);
  return (
    <div className="message message-assistant" aria-busy={busy}>
      {view.text ? (
        <div className="message-body markdown">
          <Suspense fallback={<p className="plain-answer">{view.text}</p>}>
            <ChatMarkdown text={view.text} />
          </Suspense>
        </div>
      ) : null}
      {view.state === 'waiting' ? (
        <span className="typing" role="status" aria-label="The agent is answering" />
      ) : null}
      {view.state === 'stopped' ? <p className="muted small">Stopped.</p> : null}
      {view.state === 'done' && !view.text ? (
        <p className="muted small">The agent sent an empty answer.</p>
      ) : null}
      {view.error ? (
        <ErrorNote error={view.error.message}>
          <Advice error={view.error} />
        </ErrorNote>
      ) : null}
      {by && !busy ? <p className="message-meta">Answered by {by}</p> : null}
    </div>
  );
}

export function MessageList(props: {
  items: readonly ThreadItem[];
  runs: Record<string, RunState>;
}): ReactElement {
  return (
    <>
      {props.items.map((item) =>
        item.role === 'user' ? (
          <div key={item.key} className="message message-user">
            <div className="message-body">{item.text}</div>
          </div>
        ) : (
          <Answer
            key={item.key}
            item={item}
            run={item.runId ? props.runs[item.runId] : undefined}
          />
        ),
      )}
    </>
  );
}
