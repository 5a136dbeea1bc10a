import { describe, expect, it } from 'vitest';
import { readLastChat, writeLastChat } from './last-chat.js';

/** A Storage stand-in over a Map (localStorage's contract, in memory). */
function memoryStorage() {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (key: string) => map.get(key) ?? null,
    setItem: (key: string, value: string) => void map.set(key, value),
    removeItem: (key: string) => void map.delete(key),
  };
}

describe('the remembered chat', () => {
  it('is read back after it was written, and forgotten when cleared', () => {
    const storage = memoryStorage();
    expect(readLastChat(storage)).toBeUndefined();
    writeLastChat(storage, 'abc_DEF-1');
    expect(readLastChat(storage)).toBe('abc_DEF-1');
    writeLastChat(storage, undefined);
    expect(readLastChat(storage)).toBeUndefined();
  });

  it('ignores a stored value that is no session id, and storage that throws', () => {
    const storage = memoryStorage();
    storage.map.set('special-agent.chat.session', '../../etc/passwd');
    expect(readLastChat(storage)).toBeUndefined();
    const broken = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => undefined,
    };
    expect(readLastChat(broken)).toBeUndefined();
    expect(() => writeLastChat(broken, 'abc')).not.toThrow();
  });
});
