import { describe, expect, it } from 'vitest';
import type { PendingRequest } from '../../shared/protocol.js';
import type { NotificationApi, NotificationLike } from './pairing-notifier.js';
import { NOTIFICATIONS_KEY, PairingNotifier } from './pairing-notifier.js';
import { preferenceStore } from './preference-store.js';
import type { KeyValueStore } from './session-secrets.js';

function memoryStore(initial: Record<string, string> = {}): KeyValueStore {
  const data = new Map(Object.entries(initial));
  return {
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  };
}

interface Shown extends NotificationLike {
  title: string;
  options: NotificationOptions | undefined;
  closed: boolean;
}

/** A stand-in for `window.Notification` whose permission the test sets (the browser's part). */
function browserNotifications(initial: NotificationPermission, answer: NotificationPermission) {
  const shown: Shown[] = [];
  const state = { permission: initial, asked: 0, throws: false };
  const api = class {
    onclick: ((event: Event) => void) | null = null;
    closed = false;
    constructor(
      readonly title: string,
      readonly options?: NotificationOptions,
    ) {
      if (state.throws) throw new TypeError('Illegal constructor');
      shown.push(this as unknown as Shown);
    }
    static get permission() {
      return state.permission;
    }
    static requestPermission() {
      state.asked++;
      state.permission = answer;
      return Promise.resolve(answer);
    }
    close() {
      this.closed = true;
    }
  } satisfies NotificationApi;
  return { api, shown, state };
}

const REQUEST = {
  requestId: 'r-1',
  deviceId: 'd-1',
  displayName: 'Work laptop',
  clientId: 'special-agent-cli',
  remoteIp: '203.0.113.7',
  isRepair: false,
} as PendingRequest;

function notifier(
  browser: ReturnType<typeof browserNotifications>,
  storage = memoryStore(),
  watching = false,
) {
  const opened: string[] = [];
  const instance = new PairingNotifier({
    api: browser.api,
    store: preferenceStore(storage),
    open: (requestId) => opened.push(requestId),
    watching: () => watching,
  });
  return { instance, opened, storage };
}

describe('PairingNotifier', () => {
  it('shows one notification per new request; a click opens it on the Devices page', () => {
    const browser = browserNotifications('granted', 'granted');
    const { instance, opened } = notifier(browser);
    instance.requested(REQUEST);
    instance.requested(REQUEST);
    expect(browser.shown.map((n) => [n.title, n.options?.body, n.options?.tag])).toEqual([
      ['Pairing request', 'Work laptop wants to connect from 203.0.113.7.', 'pairing-r-1'],
    ]);
    browser.shown[0]?.onclick?.(new Event('click'));
    expect(opened).toEqual(['r-1']);
    expect(browser.shown[0]?.closed).toBe(true);
  });

  it('asks for permission only when enable() is called, and then shows notifications', async () => {
    const browser = browserNotifications('default', 'granted');
    const { instance } = notifier(browser);
    instance.requested(REQUEST);
    expect(browser.state.asked).toBe(0);
    expect(browser.shown).toHaveLength(0);
    await instance.enable();
    expect(browser.state.asked).toBe(1);
    expect(instance.getSnapshot()).toEqual({ permission: 'granted', enabled: true });
    instance.requested({ ...REQUEST, requestId: 'r-2' });
    expect(browser.shown).toHaveLength(1);
  });

  it('shows nothing once turned off, and the setting is kept for the next visit', () => {
    const browser = browserNotifications('granted', 'granted');
    const { instance, storage } = notifier(browser);
    instance.setEnabled(false);
    instance.requested(REQUEST);
    expect(browser.shown).toHaveLength(0);
    expect(storage.getItem(NOTIFICATIONS_KEY)).toBe('off');
    const next = notifier(browser, storage).instance;
    expect(next.getSnapshot().enabled).toBe(false);
  });

  it('stays quiet while the person already watches the Devices page', () => {
    const browser = browserNotifications('granted', 'granted');
    notifier(browser, memoryStore(), true).instance.requested(REQUEST);
    expect(browser.shown).toHaveLength(0);
  });

  it('a denied permission turns nothing on, and enable() does not ask again', async () => {
    const browser = browserNotifications('denied', 'denied');
    const { instance } = notifier(browser);
    await instance.enable();
    expect(browser.state.asked).toBe(0);
    instance.requested(REQUEST);
    expect(browser.shown).toHaveLength(0);
    expect(instance.getSnapshot()).toEqual({ permission: 'denied', enabled: true });
  });

  it('closes a request’s notification once it is decided elsewhere', () => {
    const browser = browserNotifications('granted', 'granted');
    const { instance } = notifier(browser);
    instance.requested(REQUEST);
    instance.resolved('r-1');
    expect(browser.shown[0]?.closed).toBe(true);
  });

  it('survives a browser that refuses page notifications (Chrome on Android throws)', () => {
    const browser = browserNotifications('granted', 'granted');
    browser.state.throws = true;
    const { instance } = notifier(browser);
    expect(() => instance.requested(REQUEST)).not.toThrow();
  });

  it('says unsupported where there is no Notification API', async () => {
    const instance = new PairingNotifier({
      api: undefined,
      store: preferenceStore(memoryStore()),
      open: () => undefined,
      watching: () => false,
    });
    await instance.enable();
    instance.requested(REQUEST);
    expect(instance.getSnapshot().permission).toBe('unsupported');
  });
});
