/**
 * The list of chats (`sessions.list`, newest first): open one, rename it, delete it. On a
 * narrow window it folds into a "Chats" button above the conversation.
 */
import type { ReactElement } from 'react';
import { useId, useState } from 'react';
import type { SessionSummary } from '../../shared/protocol.js';
import { Icon } from '../components/icons.js';
import { useNow } from '../hooks/connection-context.js';
import { formatAge } from '../lib/format.js';

/** A session's title for people: the gateway's, else a neutral placeholder. */
export function chatTitle(session: Pick<SessionSummary, 'title'>): string {
  return session.title.trim() || 'Untitled chat';
}

export function SessionList(props: {
  sessions: readonly SessionSummary[];
  currentId: string | undefined;
  /** While an answer streams, the other chats wait (Stop or Escape first). */
  locked: boolean;
  /** Name each chat's agent (when there are several agents). */
  showAgent: boolean;
  onOpen: (session: SessionSummary) => void;
  onRename: (session: SessionSummary) => void;
  onDelete: (session: SessionSummary) => void;
  /** Shows the next older page of chats; absent when there is none. */
  onLoadOlder?: (() => void) | undefined;
}): ReactElement {
  const now = useNow(30_000);
  const listId = useId();
  // Narrow windows only (CSS shows the toggle there): the list folds above the conversation.
  const [unfolded, setUnfolded] = useState(false);
  return (
    <div className="chat-aside">
      <button
        type="button"
        className="chat-sessions-toggle"
        aria-expanded={unfolded}
        aria-controls={listId}
        onClick={() => setUnfolded(!unfolded)}
      >
        <span>
          Chats <span className="muted">({props.sessions.length})</span>
        </span>
        <Icon name="chevron" size={16} />
      </button>
      <nav id={listId} className={`chat-sessions${unfolded ? ' unfolded' : ''}`} aria-label="Chats">
        {props.sessions.length === 0 ? <p className="muted small">No saved chats yet.</p> : null}
        <ul className="session-list">
          {props.sessions.map((session) => {
            const current = session.sessionId === props.currentId;
            const title = chatTitle(session);
            return (
              <li key={session.sessionId} className={`session-row${current ? ' current' : ''}`}>
                <button
                  type="button"
                  className="session-open"
                  aria-current={current ? 'true' : undefined}
                  disabled={props.locked && !current}
                  onClick={() => props.onOpen(session)}
                >
                  <span className="session-title">{title}</span>
                  <span className="session-when">
                    {props.showAgent ? `${session.agentId} · ` : ''}
                    {formatAge(session.updatedAtMs, now)}
                  </span>
                </button>
                <span className="session-actions">
                  <button
                    type="button"
                    className="btn btn-ghost btn-icon btn-small"
                    aria-label={`Rename chat “${title}”`}
                    onClick={() => props.onRename(session)}
                  >
                    <Icon name="edit" size={16} />
                  </button>
                  <button
                    type="button"
                    className="btn btn-ghost btn-icon btn-small btn-danger-text"
                    aria-label={`Delete chat “${title}”`}
                    disabled={props.locked && current}
                    onClick={() => props.onDelete(session)}
                  >
                    <Icon name="trash" size={16} />
                  </button>
                </span>
              </li>
            );
          })}
        </ul>
        {props.onLoadOlder ? (
          <button type="button" className="btn btn-ghost btn-small" onClick={props.onLoadOlder}>
            Show older chats
          </button>
        ) : null}
      </nav>
    </div>
  );
}
