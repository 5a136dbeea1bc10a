/**
 * Tells the person what happens while they look elsewhere: a new pairing request (a
 * browser notification and an announcement), this tab's chat answers and a reconnect
 * (announcements). Mounted once, by the app shell.
 */
import { useEffect, useRef } from 'react';
import type { ChatEvent, PendingRequest } from '../../shared/protocol.js';
import { ChatAnnouncements } from '../lib/chat-announcements.js';
import { pairingAnnouncement } from '../lib/pairing-notice.js';
import { useBrowserServices } from './browser-services.js';
import { useConnection, useConnectionState } from './connection-context.js';

export const RECONNECTED = 'Connection to the gateway restored';

function hasRequestId(payload: unknown): payload is { requestId: string } {
  return (
    typeof payload === 'object' &&
    payload !== null &&
    typeof (payload as { requestId?: unknown }).requestId === 'string'
  );
}

export function useLiveNotices(): void {
  const connection = useConnection();
  const { notifier, announcer } = useBrowserServices();
  const { phase, generation } = useConnectionState();

  useEffect(() => {
    const chat = new ChatAnnouncements();
    const unsubscribe = [
      connection.on('device.pair.requested', (payload) => {
        if (!hasRequestId(payload)) return;
        const request = payload as PendingRequest;
        announcer.announce(pairingAnnouncement(request));
        notifier.requested(request);
      }),
      connection.on('device.pair.resolved', (payload) => {
        if (hasRequestId(payload)) notifier.resolved(payload.requestId);
      }),
      connection.on('chat', (payload) => {
        if (typeof payload !== 'object' || payload === null) return;
        const text = chat.event(payload as ChatEvent);
        if (text) announcer.announce(text);
      }),
      connection.onRequest((method, params) => {
        if (method === 'chat.abort' && typeof params?.runId === 'string')
          chat.stopping(params.runId);
      }),
    ];
    return () => unsubscribe.forEach((off) => off());
  }, [connection, notifier, announcer]);

  // The banner said "Disconnected" (it is a live region too); say when that is over.
  const announced = useRef(1);
  useEffect(() => {
    if (phase !== 'connected' || generation <= announced.current) return;
    announced.current = generation;
    announcer.announce(RECONNECTED);
  }, [phase, generation, announcer]);
}
