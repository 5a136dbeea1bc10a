/**
 * What `sessions.list` shows of a session, kept in memory for every session on disk so a
 * list never re-reads messages. The same functions fold a file's lines at load time and
 * each new line as it is written, so the two can never disagree.
 */
import type { SessionOverride, SessionSummary } from '../../shared/protocol.js';

/** Characters of the first user message that make a session's default title. */
export const DEFAULT_TITLE_CHARS = 60;

/** The summary of one session, folded from its lines. */
export interface SessionMeta {
  agentId: string;
  createdAtMs: number;
  updatedAtMs: number;
  messageCount: number;
  /** Set by `sessions.patch`; else `autoTitle` is shown. */
  title: string | undefined;
  /** The start of the first user message. */
  autoTitle: string | undefined;
  override: SessionOverride | undefined;
  /** Who gave the last answer: the next run asks that profile first (DESIGN.md). */
  answeredBy: { provider: string; profile: string | null } | undefined;
}

/** A message line, as far as the summary cares. */
export interface MessageFacts {
  role: 'user' | 'assistant';
  content: string;
  ts: number;
  /** What answered (assistant messages). */
  provider?: string | undefined;
  profile?: string | null | undefined;
  /** The provider broke the reply off: that profile failed, it does not lead the next run. */
  failed?: boolean | undefined;
}

/** A `meta` line: a `sessions.patch`. An absent key leaves that field as it was. */
export interface MetaLine {
  type: 'meta';
  ts: number;
  title?: string;
  /** `null` clears the override. */
  override?: SessionOverride | null;
}

/** The summary of a session with no lines yet. */
export function newMeta(agentId: string, createdAtMs: number): SessionMeta {
  return {
    agentId,
    createdAtMs,
    updatedAtMs: createdAtMs,
    messageCount: 0,
    title: undefined,
    autoTitle: undefined,
    override: undefined,
    answeredBy: undefined,
  };
}

/** Folds one message into the summary. */
export function noteMessage(meta: SessionMeta, message: MessageFacts): void {
  meta.messageCount += 1;
  meta.updatedAtMs = Math.max(meta.updatedAtMs, message.ts);
  if (meta.autoTitle === undefined && message.role === 'user')
    meta.autoTitle = defaultTitle(message.content);
  if (message.role === 'assistant' && message.provider !== undefined && !message.failed)
    meta.answeredBy = { provider: message.provider, profile: message.profile ?? null };
}

/** Folds one patch into the summary: the last line that sets a field wins. */
export function noteMeta(meta: SessionMeta, line: MetaLine): void {
  meta.updatedAtMs = Math.max(meta.updatedAtMs, line.ts);
  if (line.title !== undefined) meta.title = line.title;
  if (line.override !== undefined) {
    meta.override = line.override ?? undefined;
    // A new pin, or back to the agent's choice: what answered before no longer leads.
    meta.answeredBy = undefined;
  }
}

/** The first {@link DEFAULT_TITLE_CHARS} characters of `text` on one line, `…` when cut. */
export function defaultTitle(text: string): string {
  const chars = Array.from(text.replace(/\s+/g, ' ').trim());
  if (chars.length <= DEFAULT_TITLE_CHARS) return chars.join('');
  return `${chars.slice(0, DEFAULT_TITLE_CHARS).join('').trimEnd()}…`;
}

/** The wire form of a session. */
export function toSummary(sessionId: string, meta: SessionMeta): SessionSummary {
  return {
    sessionId,
    agentId: meta.agentId,
    title: meta.title ?? meta.autoTitle ?? '',
    createdAtMs: meta.createdAtMs,
    updatedAtMs: meta.updatedAtMs,
    messageCount: meta.messageCount,
    ...(meta.override ? { override: { ...meta.override } } : {}),
  };
}

/** What `sessions.list` asks for. */
export interface ListQuery {
  agentId?: string | undefined;
  limit: number;
  /** Only sessions updated strictly before this (the last `updatedAtMs` of the previous page). */
  before?: number | undefined;
}

/**
 * One page, newest first. The cursor is a time, so a page never ends inside a run of equal
 * `updatedAtMs`: those would be skipped by the next page's `before`. The run is left for
 * the next page instead (unless it fills the whole page).
 */
export function pageSessions(
  all: Iterable<[string, SessionMeta]>,
  query: ListQuery,
): SessionSummary[] {
  const { agentId, before, limit } = query;
  const matching = [...all]
    .filter(([, meta]) => agentId === undefined || meta.agentId === agentId)
    .filter(([, meta]) => before === undefined || meta.updatedAtMs < before)
    .sort(
      ([idA, a], [idB, b]) => b.updatedAtMs - a.updatedAtMs || (idA < idB ? -1 : idA > idB ? 1 : 0),
    );
  let end = Math.min(limit, matching.length);
  const next = matching[end]?.[1].updatedAtMs;
  if (next !== undefined) {
    let cut = end;
    while (cut > 0 && matching[cut - 1]?.[1].updatedAtMs === next) cut -= 1;
    if (cut > 0) end = cut;
  }
  return matching.slice(0, end).map(([id, meta]) => toSummary(id, meta));
}
