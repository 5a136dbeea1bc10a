import { describe, expect, it } from 'vitest';
import type { DesktopPendingRequest } from './gateway-handle.js';
import { PairingNotifications } from './notification-model.js';

const request: DesktopPendingRequest = {
  requestId: 'req-1',
  deviceId: 'd'.repeat(64),
  displayName: 'Pixel 8',
  platform: 'android',
  remoteIp: '192.168.1.20',
  ts: 1,
};

describe('PairingNotifications', () => {
  it('shows one notification per request, however often the device retries', () => {
    const notes = new PairingNotifications();
    expect(notes.requested(request)).toEqual({
      show: {
        requestId: 'req-1',
        title: 'Pairing request',
        body: 'Pixel 8 (android) at 192.168.1.20 wants to connect. Click to review.',
      },
    });
    expect(notes.requested({ ...request, ts: 2 })).toBeUndefined();
    const other = notes.requested({
      requestId: 'req-2',
      deviceId: 'e'.repeat(64),
      remoteIp: '10.0.0.9',
      ts: 3,
    });
    expect(other).toMatchObject({
      show: {
        requestId: 'req-2',
        body: 'A new device at 10.0.0.9 wants to connect. Click to review.',
      },
    });
    expect(notes.showing).toEqual(['req-1', 'req-2']);
  });

  it.each(['approved', 'rejected', 'expired'] as const)(
    'withdraws the notification when %s',
    (decision) => {
      const notes = new PairingNotifications();
      notes.requested(request);
      expect(
        notes.resolved({ requestId: 'req-1', deviceId: request.deviceId, decision, ts: 5 }),
      ).toEqual({
        withdraw: 'req-1',
      });
      expect(notes.showing).toEqual([]);
      // A second resolve (or one for a request never shown) has nothing to take down.
      expect(
        notes.resolved({ requestId: 'req-1', deviceId: request.deviceId, decision, ts: 6 }),
      ).toBeUndefined();
    },
  );

  it("shows a device's hostile name and platform escaped in the notification", () => {
    const shown = new PairingNotifications().requested({
      ...request,
      displayName: 'evil\u001b[2J\nYour bank',
      platform: 'ios\u202e\u0007',
    });
    expect(shown).toMatchObject({
      show: {
        body: 'evil\\u001b[2J\\nYour bank (ios\\u202e\\u0007) at 192.168.1.20 wants to connect. Click to review.',
      },
    });
  });

  it('withdraws everything when the gateway stops', () => {
    const notes = new PairingNotifications();
    notes.requested(request);
    notes.requested({ ...request, requestId: 'req-2' });
    expect(notes.clear()).toEqual([{ withdraw: 'req-1' }, { withdraw: 'req-2' }]);
    expect(notes.showing).toEqual([]);
  });
});
