import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/special-agent.js', import.meta.url));

it('says in one line how to build when the compiled CLI is missing, and exits 1', async () => {
  const root = await mkdtemp(join(tmpdir(), 'special-agent-bin-'));
  try {
    await mkdir(join(root, 'bin'));
    await copyFile(BIN, join(root, 'bin', 'special-agent.js'));
    const result = spawnSync(
      process.execPath,
      [join(root, 'bin', 'special-agent.js'), 'gateway', 'status'],
      { encoding: 'utf8' },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      'special-agent is not built yet: run npm run build (npm ci does it too)\n',
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
