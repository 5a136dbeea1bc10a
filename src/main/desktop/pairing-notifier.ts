/**
 * Native notifications for pairing requests, driven by the pure PairingNotifications.
 * Each shown Notification is kept referenced until withdrawn: a collected one loses its
 * click handler.
 */
import { Notification } from 'electron';
import type { DesktopPendingRequest, PairingResolvedEvent } from './gateway-handle.js';
import { PairingNotifications, type NotificationCommand } from './notification-model.js';

export interface PairingNotifierDeps {
  iconPath: string;
  /** The user clicked the notification of `requestId`. */
  onClick(requestId: string): void;
}

export class PairingNotifier {
  readonly #deps: PairingNotifierDeps;
  readonly #model = new PairingNotifications();
  readonly #open = new Map<string, Notification>();

  constructor(deps: PairingNotifierDeps) {
    this.#deps = deps;
  }

  requested(request: DesktopPendingRequest): void {
    this.#apply(this.#model.requested(request));
  }

  resolved(event: PairingResolvedEvent): void {
    this.#apply(this.#model.resolved(event));
  }

  /** Withdraw everything (gateway stopped or restarting). */
  clear(): void {
    for (const command of this.#model.clear()) this.#apply(command);
  }

  #apply(command: NotificationCommand | undefined): void {
    if (!command) return;
    if ('withdraw' in command) {
      this.#open.get(command.withdraw)?.close();
      this.#open.delete(command.withdraw);
      return;
    }
    // Without a notification daemon the tray badge and count still tell the user.
    if (!Notification.isSupported()) return;
    const { requestId, title, body } = command.show;
    const notification = new Notification({ title, body, icon: this.#deps.iconPath });
    notification.on('click', () => this.#deps.onClick(requestId));
    notification.on('close', () => this.#open.delete(requestId));
    this.#open.set(requestId, notification);
    notification.show();
  }
}
