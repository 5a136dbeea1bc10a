/** The dashboard link as the desktop app builds it and as the Control UI reads it back. */
import { describe, expect, it } from 'vitest';
import { controlUiUrl, devicesRoute } from '../../src/main/desktop/control-ui-url.js';
import { takeHandoverFromHash } from '../../src/renderer/lib/session-secrets.js';
import { DASHBOARD_INVITE, dashboardInviteUrl } from '../../src/shared/dashboard-invite.js';

describe('the dashboard link', () => {
  it('is a 2-minute admin invite named "dashboard"', () => {
    expect(DASHBOARD_INVITE).toEqual({
      role: 'operator',
      scopes: ['operator.admin'],
      ttlSeconds: 120,
      label: 'dashboard',
    });
  });

  it('puts the code in the fragment of the origin, with or without a trailing slash', () => {
    expect(dashboardInviteUrl('http://127.0.0.1:18789/', 'C0de_-x')).toBe(
      'http://127.0.0.1:18789/#invite=C0de_-x',
    );
    expect(dashboardInviteUrl('http://127.0.0.1:18789', 'C0de')).toBe(
      'http://127.0.0.1:18789/#invite=C0de',
    );
  });

  it("the tray's deep link keeps the route, and the Control UI takes the code out of it", () => {
    const url = controlUiUrl(
      dashboardInviteUrl('http://127.0.0.1:18789/', 'C0de'),
      devicesRoute('req-1'),
    );
    expect(url).toBe('http://127.0.0.1:18789/#/devices?request=req-1&invite=C0de');
    expect(takeHandoverFromHash(new URL(url).hash)).toEqual({
      token: undefined,
      invite: 'C0de',
      hash: '#/devices?request=req-1',
    });
  });
});
