/**
 * Browser notifications for new pairing requests. Permission is asked only from a click
 * ({@link PairingNotifier.enable}), never on load; a setting in localStorage turns them
 * off. A click on one brings the window forward on the Devices page at that request.
 */
import type { PendingRequest } from '../../shared/protocol.js';
import { pairingNotification } from './pairing-notice.js';
import type { PreferenceStore } from './preference-store.js';

/** The localStorage key of the on/off setting (on unless the person turned it off). */
export const NOTIFICATIONS_KEY = 'special-agent.notifications';
/** Notifications kept to close when their request is decided; older ones stay as they are. */
export const MAX_OPEN_NOTIFICATIONS = 20;

/** The part of a `Notification` used here. */
export interface NotificationLike {
  onclick: ((event: Event) => void) | null;
  close(): void;
}

/** `window.Notification`, as much of it as is used here. */
export interface NotificationApi {
  readonly permission: NotificationPermission;
  requestPermission(): Promise<NotificationPermission>;
  new (title: string, options?: NotificationOptions): NotificationLike;
}

export type PermissionState = NotificationPermission | 'unsupported';

export interface NotifierSnapshot {
  readonly permission: PermissionState;
  /** The person's setting; notifications show only when this is on and permission granted. */
  readonly enabled: boolean;
}

export interface NotifierDeps {
  /** Undefined where the browser has no Notification API (some phones, older browsers). */
  api: NotificationApi | undefined;
  store: PreferenceStore;
  /** Brings the window forward on the Devices page at `requestId`. */
  open: (requestId: string) => void;
  /** True while the person looks at the Devices page in a focused window: no need to notify. */
  watching: () => boolean;
}

export class PairingNotifier {
  readonly #deps: NotifierDeps;
  readonly #watchers = new Set<() => void>();
  readonly #open = new Map<string, NotificationLike>();
  #snapshot: NotifierSnapshot;

  constructor(deps: NotifierDeps) {
    this.#deps = deps;
    this.#snapshot = this.#read();
  }

  readonly subscribe = (watcher: () => void): (() => void) => {
    this.#watchers.add(watcher);
    return () => this.#watchers.delete(watcher);
  };

  readonly getSnapshot = (): NotifierSnapshot => this.#snapshot;

  /** Whether a request now would raise a notification (setting on, permission granted). */
  get active(): boolean {
    return this.#snapshot.enabled && this.#snapshot.permission === 'granted';
  }

  /** Turns notifications on, asking for permission first if the browser has not been asked. */
  async enable(): Promise<void> {
    const api = this.#deps.api;
    if (!api) return;
    let permission = api.permission;
    if (permission === 'default') {
      try {
        permission = await api.requestPermission();
      } catch {
        // Older Safari answers through a callback only; the re-read below sees its answer.
        permission = api.permission;
      }
    }
    if (permission === 'granted') this.#deps.store.set(NOTIFICATIONS_KEY, 'on');
    this.refresh();
  }

  /** Turns notifications off (or on again, when permission was granted before). */
  setEnabled(on: boolean): void {
    this.#deps.store.set(NOTIFICATIONS_KEY, on ? 'on' : 'off');
    this.refresh();
  }

  /** Re-reads the permission, which the person may change in the browser's site settings. */
  refresh(): void {
    const next = this.#read();
    if (next.permission === this.#snapshot.permission && next.enabled === this.#snapshot.enabled)
      return;
    this.#snapshot = next;
    for (const watcher of this.#watchers) watcher();
  }

  /** A `device.pair.requested` arrived. */
  requested(request: PendingRequest): void {
    this.refresh();
    const api = this.#deps.api;
    if (!api || !this.active || this.#open.has(request.requestId) || this.#deps.watching()) return;
    const { title, body, tag } = pairingNotification(request);
    let notification: NotificationLike;
    try {
      notification = new api(title, { body, tag });
    } catch {
      // Chrome on Android allows notifications only from a service worker: the badge and
      // the announcement still tell the person.
      return;
    }
    notification.onclick = () => {
      notification.close();
      this.#open.delete(request.requestId);
      this.#deps.open(request.requestId);
    };
    this.#open.set(request.requestId, notification);
    if (this.#open.size > MAX_OPEN_NOTIFICATIONS)
      this.#open.delete(this.#open.keys().next().value as string);
  }

  /** A request was decided (here, in another tab or on the CLI): its notification goes. */
  resolved(requestId: string): void {
    this.#open.get(requestId)?.close();
    this.#open.delete(requestId);
  }

  #read(): NotifierSnapshot {
    return {
      permission: this.#deps.api?.permission ?? 'unsupported',
      enabled: this.#deps.store.get(NOTIFICATIONS_KEY) !== 'off',
    };
  }
}
