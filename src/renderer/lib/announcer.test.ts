import { describe, expect, it } from 'vitest';
import { Announcer, MAX_ANNOUNCEMENTS } from './announcer.js';

describe('Announcer', () => {
  it('adds each announcement as a new entry, the same words twice included', () => {
    const announcer = new Announcer();
    let changes = 0;
    announcer.subscribe(() => changes++);
    announcer.announce('Answer complete');
    announcer.announce('Answer complete');
    const items = announcer.getSnapshot();
    expect(items.map((item) => item.text)).toEqual(['Answer complete', 'Answer complete']);
    expect(items[0]?.id).not.toBe(items[1]?.id);
    expect(changes).toBe(2);
  });

  it('keeps only the latest few and ignores blank text', () => {
    const announcer = new Announcer();
    for (let i = 1; i <= MAX_ANNOUNCEMENTS + 2; i++) announcer.announce(`message ${i}`);
    announcer.announce('   ');
    expect(announcer.getSnapshot().map((item) => item.text)).toEqual(
      Array.from({ length: MAX_ANNOUNCEMENTS }, (_, i) => `message ${i + 3}`),
    );
  });
});
