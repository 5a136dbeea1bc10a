import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RotatingLogFile, gatewayLogPath } from './log-file.js';
import { followLog, readLastLines, readLastLinesUpTo } from './log-tail.js';

let home: string;
let path: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'sa-log-tail-'));
  path = gatewayLogPath(home);
});
afterEach(() => rm(home, { recursive: true, force: true }));

const line = (n: number) => `line-${String(n).padStart(4, '0')}`;

/** Resolves once `received` holds `count` lines; fails naming them after 5 s. */
async function untilLines(received: string[], count: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while (received.length < count) {
    if (Date.now() > deadline)
      throw new Error(`only ${received.length} of ${count} lines followed`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('readLastLines', () => {
  it('reaches into rotated files, oldest first, when the current one holds fewer lines', async () => {
    const log = new RotatingLogFile({ path, maxBytes: 30, maxFiles: 3 });
    for (let n = 0; n < 8; n += 1) log.write(line(n));
    log.close();
    expect(await readLastLines(path, 5)).toEqual([3, 4, 5, 6, 7].map(line));
    expect(await readLastLines(path, 100)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map(line));
  });

  it('finds the last lines of a file larger than one read, and none of a missing file', async () => {
    const log = new RotatingLogFile({ path });
    const long = 'x'.repeat(1000);
    for (let n = 0; n < 200; n += 1) log.write(`${n} ${long}`);
    log.close();
    expect(await readLastLines(path, 3)).toEqual([197, 198, 199].map((n) => `${n} ${long}`));
    expect(await readLastLines(join(home, 'none.log'), 3)).toEqual([]);
  });
});

describe('followLog', () => {
  it('follows new lines across rotations, in order and without a gap', async () => {
    const log = new RotatingLogFile({ path, maxBytes: 50, maxFiles: 3 });
    log.write('before');
    const received: string[] = [];
    const follower = followLog({ path, onLine: (text) => received.push(text), intervalMs: 10 });
    try {
      // It opens the file at its end, so `before` is not followed.
      await follower.ready;
      for (let n = 0; n < 12; n += 1) {
        log.write(line(n));
        // One rotation at a time: with 5 lines per file, faster would drop whole files.
        await untilLines(received, n + 1);
      }
    } finally {
      await follower.stop();
      log.close();
    }
    expect(received).toEqual(Array.from({ length: 12 }, (_, n) => line(n)));
  });

  it('waits for a log that does not exist yet and reads it from its start', async () => {
    const received: string[] = [];
    const follower = followLog({ path, onLine: (text) => received.push(text), intervalMs: 10 });
    const log = new RotatingLogFile({ path });
    try {
      await follower.ready;
      log.write('first');
      log.write('second');
      await untilLines(received, 2);
    } finally {
      await follower.stop();
      log.close();
    }
    expect(received).toEqual(['first', 'second']);
  });

  it('starting where the tail ended, loses no line written in between and repeats none', async () => {
    const log = new RotatingLogFile({ path, maxBytes: 1000 });
    log.write('shown by the tail');
    const { lines, end } = await readLastLinesUpTo(path, 5);
    // Written after the tail was read and before the follower's first look.
    log.write('written in the gap');
    const received: string[] = [];
    const follower = followLog({
      path,
      from: end,
      onLine: (text) => received.push(text),
      intervalMs: 10,
    });
    try {
      await follower.ready;
      log.write('after');
      await untilLines(received, 2);
    } finally {
      await follower.stop();
      log.close();
    }
    expect(lines).toEqual(['shown by the tail']);
    expect(received).toEqual(['written in the gap', 'after']);
  });

  it('after a rotation in that gap, reads the rest of the rotated file first', async () => {
    // 20-byte lines, 2 to a file: the third write rotates.
    const log = new RotatingLogFile({ path, maxBytes: 45, maxFiles: 3 });
    log.write('tail line 000000000');
    const { end } = await readLastLinesUpTo(path, 1);
    log.write('gap line 1 000000000');
    log.write('gap line 2 000000000');
    const received: string[] = [];
    const follower = followLog({
      path,
      from: end,
      onLine: (text) => received.push(text),
      intervalMs: 10,
    });
    try {
      await untilLines(received, 2);
    } finally {
      await follower.stop();
      log.close();
    }
    expect(received).toEqual(['gap line 1 000000000', 'gap line 2 000000000']);
  });
});
