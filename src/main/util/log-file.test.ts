import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RotatingLogFile, gatewayLogPath } from './log-file.js';

let home: string;
let path: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'sa-log-file-'));
  path = gatewayLogPath(home);
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

const mode = async (file: string) => (await stat(file)).mode & 0o777;
const linesOf = async (file: string) => (await readFile(file, 'utf8')).split('\n').filter(Boolean);

describe('RotatingLogFile', () => {
  it('creates <home>/logs/gateway.log (folder 0700, file 0600) with one line per write', async () => {
    const log = new RotatingLogFile({ path });
    log.write('first');
    log.write('second');
    log.close();
    expect(await readFile(path, 'utf8')).toBe('first\nsecond\n');
    expect(await mode(join(home, 'logs'))).toBe(0o700);
    expect(await mode(path)).toBe(0o600);
  });

  it('rotates at the size limit and keeps at most maxFiles files, each 0600, losing no recent line', async () => {
    // Each line is 10 bytes with its newline; 30 bytes hold three of them.
    const log = new RotatingLogFile({ path, maxBytes: 30, maxFiles: 3 });
    const written = Array.from({ length: 20 }, (_, n) => `line-${String(n).padStart(4, '0')}`);
    for (const line of written) log.write(line);
    log.close();

    expect((await readdir(join(home, 'logs'))).sort()).toEqual([
      'gateway.log',
      'gateway.log.1',
      'gateway.log.2',
    ]);
    for (const file of ['gateway.log', 'gateway.log.1', 'gateway.log.2']) {
      expect(await mode(join(home, 'logs', file)), file).toBe(0o600);
      expect((await stat(join(home, 'logs', file))).size, file).toBeLessThanOrEqual(30);
    }
    // Oldest to newest: .2, .1, current, with the last lines in order and none split.
    const kept = [
      ...(await linesOf(`${path}.2`)),
      ...(await linesOf(`${path}.1`)),
      ...(await linesOf(path)),
    ];
    expect(kept).toEqual(written.slice(-kept.length));
    expect(kept.length).toBeGreaterThanOrEqual(7);
  });

  it('appends to an existing log and tightens a file left more open than 0600', async () => {
    await mkdir(join(home, 'logs'), { recursive: true });
    await writeFile(path, 'old\n', { mode: 0o644 });
    await chmod(path, 0o644);
    const log = new RotatingLogFile({ path });
    log.write('new');
    log.close();
    expect(await readFile(path, 'utf8')).toBe('old\nnew\n');
    expect(await mode(path)).toBe(0o600);
  });

  it('starts a new file when someone deletes the log while it is open', async () => {
    const log = new RotatingLogFile({ path });
    log.write('before');
    await rm(path);
    log.write('after');
    log.close();
    expect(await readFile(path, 'utf8')).toBe('after\n');
  });

  it('reports a write it cannot do instead of throwing, and writes again once it can', async () => {
    const errors: unknown[] = [];
    // A file where the logs folder belongs: creating the log fails for anyone, root included.
    await writeFile(join(home, 'logs'), 'not a folder');
    const log = new RotatingLogFile({ path, onError: (error) => errors.push(error) });
    expect(() => log.write('lost')).not.toThrow();
    expect(errors).toHaveLength(1);
    expect((errors[0] as NodeJS.ErrnoException).code).toMatch(/^(EEXIST|ENOTDIR)$/);

    await rm(join(home, 'logs'));
    log.write('kept');
    log.close();
    expect(await readFile(path, 'utf8')).toBe('kept\n');
  });
});
