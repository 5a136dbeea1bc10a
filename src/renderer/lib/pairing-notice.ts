/**
 * The words of a pairing request's notification and announcement. The device chose its
 * own name, so it is made printable (shared/printable.ts: a bidi override or a line
 * break shows as `\u202e`, `\n`) and cut short: an OS notification is plain text from
 * outside, shown next to the operator's other apps.
 */
import type { PendingRequest } from '../../shared/protocol.js';
import { printable } from '../../shared/printable.js';

/** Longest device name a notice shows, in characters (the gateway accepts 256). */
export const MAX_NOTICE_NAME_CHARS = 48;

type NoticeRequest = Pick<
  PendingRequest,
  'requestId' | 'displayName' | 'clientId' | 'remoteIp' | 'isRepair'
>;

/** The device's name as a notice shows it: printable, at most {@link MAX_NOTICE_NAME_CHARS}. */
export function noticeName(request: Pick<NoticeRequest, 'displayName' | 'clientId'>): string {
  const name = printable((request.displayName ?? '').trim() || request.clientId);
  // By code point, so an emoji is never cut in half.
  const chars = Array.from(name);
  return chars.length > MAX_NOTICE_NAME_CHARS
    ? `${chars.slice(0, MAX_NOTICE_NAME_CHARS - 1).join('')}…`
    : name;
}

/** A browser notification for `request`; `tag` lets the OS show it once across tabs. */
export function pairingNotification(request: NoticeRequest): {
  title: string;
  body: string;
  tag: string;
} {
  const name = noticeName(request);
  const ip = printable(request.remoteIp);
  return {
    title: request.isRepair ? 'Device asks for more access' : 'Pairing request',
    body: request.isRepair
      ? `${name} asks for more access from ${ip}.`
      : `${name} wants to connect from ${ip}.`,
    tag: `pairing-${request.requestId}`,
  };
}

/** What the live region says when `request` arrives. */
export function pairingAnnouncement(request: NoticeRequest): string {
  return request.isRepair
    ? `${noticeName(request)} asks for more access`
    : `New pairing request from ${noticeName(request)}`;
}
