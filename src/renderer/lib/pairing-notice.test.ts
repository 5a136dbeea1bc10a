import { describe, expect, it } from 'vitest';
import {
  MAX_NOTICE_NAME_CHARS,
  noticeName,
  pairingAnnouncement,
  pairingNotification,
} from './pairing-notice.js';

const REQUEST = {
  requestId: 'r-1',
  displayName: 'Anna’s phone',
  clientId: 'special-agent-control-ui',
  remoteIp: '203.0.113.7',
  isRepair: false,
};

describe('pairing notice text', () => {
  it('names the device and its address, tagged by request so the OS shows it once', () => {
    expect(pairingNotification(REQUEST)).toEqual({
      title: 'Pairing request',
      body: 'Anna’s phone wants to connect from 203.0.113.7.',
      tag: 'pairing-r-1',
    });
    expect(pairingAnnouncement(REQUEST)).toBe('New pairing request from Anna’s phone');
  });

  it('says a paired device asks for more access', () => {
    const repair = { ...REQUEST, isRepair: true };
    expect(pairingNotification(repair).title).toBe('Device asks for more access');
    expect(pairingNotification(repair).body).toBe(
      'Anna’s phone asks for more access from 203.0.113.7.',
    );
    expect(pairingAnnouncement(repair)).toBe('Anna’s phone asks for more access');
  });

  it('shows a bidi override and line breaks in the name as visible escapes', () => {
    const name = noticeName({ ...REQUEST, displayName: 'Bank\u202egpj.exe\nApproved ✓' });
    expect(name).toBe('Bank\\u202egpj.exe\\nApproved ✓');
  });

  it('falls back to the client id for a device with no (or a blank) name', () => {
    expect(noticeName({ clientId: 'e2e-remote' })).toBe('e2e-remote');
    expect(noticeName({ displayName: '   ', clientId: 'e2e-remote' })).toBe('e2e-remote');
  });

  it('cuts a long name at a character boundary, never inside an emoji', () => {
    const name = noticeName({ ...REQUEST, displayName: '📱'.repeat(100) });
    expect(Array.from(name)).toHaveLength(MAX_NOTICE_NAME_CHARS);
    expect(name.endsWith('📱…')).toBe(true);
    expect(noticeName({ ...REQUEST, displayName: 'x'.repeat(MAX_NOTICE_NAME_CHARS) })).toBe(
      'x'.repeat(MAX_NOTICE_NAME_CHARS),
    );
  });
});
