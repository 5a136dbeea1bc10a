/**
 * The session file format, `<sessionsDir>/<sessionId>.jsonl`, one JSON object a line:
 *
 * - line 1, the header: `{type:"session", agentId, createdAtMs}`;
 * - a message: `{role, content, ts, runId?, aborted?, failed?, provider?, model?, profile?}`;
 * - a patch: `{type:"meta", ts, title?, override?}` (`override: null` clears it; for each
 *   field the last line that sets it wins).
 *
 * Lines are only ever appended, so a crash leaves at most one torn last line: reading
 * ignores it and the next append cuts it off first. Any other unreadable line is skipped.
 */
import { sessionOverrideSchema } from '../../shared/protocol-schemas.js';
import type { SessionOverride } from '../../shared/protocol.js';
import { newMeta, noteMessage, noteMeta, type MetaLine, type SessionMeta } from './session-meta.js';

/** One stored message line. */
export interface SessionMessage {
  role: 'user' | 'assistant';
  content: string;
  ts: number;
  runId?: string;
  /** The run was aborted; `content` is what had arrived by then. */
  aborted?: boolean;
  /** The provider failed mid-reply; `content` is what had arrived by then. */
  failed?: boolean;
  /** What answered (assistant messages). `profile` is null for a provider with no key. */
  provider?: string;
  model?: string;
  profile?: string | null;
}

/** A session file, read. */
export interface ParsedSessionFile {
  meta: SessionMeta;
  /** The last `keep` messages. */
  messages: SessionMessage[];
  /** Bytes up to the end of the last whole line, when a torn line follows; else undefined. */
  tornAt: number | undefined;
}

/**
 * Reads a session file's bytes. Undefined when it holds nothing that was ever acknowledged
 * (a torn header, or a header and no other whole line: the first write was cut short);
 * `damaged` when its header is unreadable, or no line after it is.
 */
export function parseSessionFile(
  data: Buffer,
  keep: number,
): ParsedSessionFile | 'damaged' | undefined {
  const end = data.lastIndexOf(0x0a) + 1;
  if (end === 0) return undefined;
  const lines = data.subarray(0, end).toString('utf8').split('\n');
  lines.pop();
  const header = parseLine(lines[0] ?? '');
  if (!isHeader(header)) return 'damaged';
  const meta = newMeta(header.agentId, header.createdAtMs);
  const messages: SessionMessage[] = [];
  let patches = 0;
  for (const line of lines.slice(1)) {
    const value = parseLine(line);
    if (isMessage(value)) {
      noteMessage(meta, value);
      messages.push(value);
      if (messages.length > keep) messages.shift();
    } else if (isMetaLine(value)) {
      noteMeta(meta, value);
      patches += 1;
    }
  }
  // A header alone: the first write was cut short. Lines after it that none of this
  // version can read (another version's, a hand edit) are not this version's to overwrite.
  if (meta.messageCount === 0 && patches === 0) return lines.length === 1 ? undefined : 'damaged';
  return { meta, messages, tornAt: end < data.length ? end : undefined };
}

/** The newest `messages` whose lines add up to at most `maxBytes`, and how many older ones did not fit. */
export function newestWithin(
  messages: SessionMessage[],
  maxBytes: number,
): { messages: SessionMessage[]; omitted: number } {
  let bytes = 0;
  let first = messages.length;
  while (first > 0) {
    bytes += Buffer.byteLength(toLine(messages[first - 1] as SessionMessage));
    if (bytes > maxBytes) break;
    first -= 1;
  }
  return { messages: messages.slice(first), omitted: first };
}

/** The header line of a new session file. */
export function headerLine(agentId: string, createdAtMs: number): string {
  return `${JSON.stringify({ type: 'session', agentId, createdAtMs })}\n`;
}

/** A line as written. */
export function toLine(value: SessionMessage | MetaLine): string {
  return `${JSON.stringify(value)}\n`;
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

function isHeader(value: unknown): value is { agentId: string; createdAtMs: number } {
  const v = value as { type?: unknown; agentId?: unknown; createdAtMs?: unknown } | undefined;
  return (
    v?.type === 'session' && typeof v.agentId === 'string' && typeof v.createdAtMs === 'number'
  );
}

const OPTIONAL_TEXT = ['runId', 'provider', 'model'] as const;

function isMessage(value: unknown): value is SessionMessage {
  const v = value as Record<string, unknown> | undefined;
  return (
    (v?.role === 'user' || v?.role === 'assistant') &&
    typeof v.content === 'string' &&
    typeof v.ts === 'number' &&
    OPTIONAL_TEXT.every((key) => v[key] === undefined || typeof v[key] === 'string') &&
    (v.profile === undefined || v.profile === null || typeof v.profile === 'string')
  );
}

function isMetaLine(value: unknown): value is MetaLine {
  const v = value as { type?: unknown; ts?: unknown; title?: unknown; override?: unknown } | null;
  if (v?.type !== 'meta' || typeof v.ts !== 'number') return false;
  if (v.title !== undefined && typeof v.title !== 'string') return false;
  return v.override === undefined || v.override === null || isOverride(v.override);
}

function isOverride(value: unknown): value is SessionOverride {
  return sessionOverrideSchema.safeParse(value).success;
}
