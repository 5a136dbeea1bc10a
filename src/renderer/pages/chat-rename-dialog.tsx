/**
 * "Rename chat": a small modal (components/text-prompt-dialog) that sets a session's title
 * with `sessions.patch`. It stays open with the gateway's message when refused.
 */
import type { ReactElement } from 'react';
import type { SessionSummary } from '../../shared/protocol.js';
import { TextPromptDialog } from '../components/text-prompt-dialog.js';
import { useConnection } from '../hooks/connection-context.js';
import { chatTitle } from './chat-sessions.js';

/** The gateway's limit on a title (SESSION_DEFAULTS.maxTitleChars). */
const MAX_TITLE_CHARS = 200;

export function RenameChatDialog(props: {
  /** The chat to rename; undefined keeps the dialog closed. */
  session: SessionSummary | undefined;
  onClose: () => void;
  onRenamed: (session: SessionSummary) => void;
}): ReactElement {
  const connection = useConnection();
  const { session, onRenamed } = props;
  const prompt = session && {
    key: session.sessionId,
    title: 'Rename chat',
    label: 'Title',
    hint: `Now: “${chatTitle(session)}”`,
    initial: session.title,
    maxLength: MAX_TITLE_CHARS,
    emptyError: 'Enter a title',
    submitLabel: 'Rename',
    save: (title: string) =>
      connection
        .request<{ session: SessionSummary }>('sessions.patch', {
          sessionId: session.sessionId,
          title,
        })
        .then((patched) => onRenamed(patched.session)),
  };
  return <TextPromptDialog prompt={prompt} onClose={props.onClose} />;
}
