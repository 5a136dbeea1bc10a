/**
 * Which native notifications to show or withdraw for pairing events: one per request,
 * however often the device retries (a retry keeps its requestId and re-emits
 * `requested`), withdrawn once the request is approved, rejected or expires.
 */
import { printable } from '../../shared/printable.js';
import type { DesktopPendingRequest, PairingResolvedEvent } from './gateway-handle.js';

export interface NotificationContent {
  requestId: string;
  title: string;
  body: string;
}

/** An instruction for the Electron layer. */
export type NotificationCommand = { show: NotificationContent } | { withdraw: string };

/** Tracks which pairing requests have a notification on screen. */
export class PairingNotifications {
  #shown = new Set<string>();

  /** A `requested` event: show a notification unless this request already has one. */
  requested(request: DesktopPendingRequest): NotificationCommand | undefined {
    if (this.#shown.has(request.requestId)) return undefined;
    this.#shown.add(request.requestId);
    // Name and platform are the device's own words: escaped, like everywhere we show them.
    const who = printable(request.displayName?.trim() ?? '') || 'A new device';
    const platform = request.platform ? ` (${printable(request.platform)})` : '';
    return {
      show: {
        requestId: request.requestId,
        title: 'Pairing request',
        body: `${who}${platform} at ${printable(request.remoteIp)} wants to connect. Click to review.`,
      },
    };
  }

  /** A `resolved` event (approved, rejected or expired): take the notification down. */
  resolved(event: PairingResolvedEvent): NotificationCommand | undefined {
    if (!this.#shown.delete(event.requestId)) return undefined;
    return { withdraw: event.requestId };
  }

  /** The gateway stopped: every notification on screen is stale. */
  clear(): NotificationCommand[] {
    const commands = [...this.#shown].map((requestId) => ({ withdraw: requestId }));
    this.#shown.clear();
    return commands;
  }

  /** Request ids with a notification on screen. */
  get showing(): readonly string[] {
    return [...this.#shown];
  }
}
