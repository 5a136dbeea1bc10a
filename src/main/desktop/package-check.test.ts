import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Packs a bare copy of the project (built output faked, real keyring module) against a
// stub Electron, as `npm run package:check` does for the real build.
const REPO = resolve(import.meta.dirname, '../../..');
const PACK_TIMEOUT_MS = 120_000;

/** The installer metadata of the real package.json (who made it, where it lives). */
async function realMetadata(): Promise<Record<string, unknown>> {
  const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  return { author: pkg.author, homepage: pkg.homepage, repository: pkg.repository };
}

let project: string;
beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), 'special-agent-pack-'));
  await writeFile(
    join(project, 'package.json'),
    JSON.stringify({
      name: 'special-agent-desktop',
      productName: 'special-agent',
      version: '0.1.0',
      description: 'packaging test copy',
      private: true,
      type: 'module',
      main: 'dist/main/desktop/electron-main.js',
      ...(await realMetadata()),
      dependencies: { '@napi-rs/keyring': '^2.1.2' },
    }),
  );
  await cp(join(REPO, 'electron-builder.yml'), join(project, 'electron-builder.yml'));
  await cp(join(REPO, 'scripts', 'after-pack.js'), join(project, 'scripts', 'after-pack.js'));
  await cp(join(REPO, 'assets'), join(project, 'assets'), { recursive: true });
  for (const pkg of ['keyring', 'keyring-linux-x64-gnu']) {
    await cp(
      join(REPO, 'node_modules', '@napi-rs', pkg),
      join(project, 'node_modules', '@napi-rs', pkg),
      {
        recursive: true,
      },
    );
  }
  const files: Record<string, string> = {
    'dist/main/desktop/electron-main.js': 'export {};\n',
    'dist/main/gateway-main.js': 'export {};\n',
    'dist/main/gateway-main.js.map': '{}',
    'dist/cli/main.js': 'export {};\n',
    'dist/renderer/index.html': '<!doctype html><title>special-agent</title>\n',
  };
  for (const [file, text] of Object.entries(files)) {
    await mkdir(join(project, file, '..'), { recursive: true });
    await writeFile(join(project, file), text);
  }
}, PACK_TIMEOUT_MS);

afterAll(async () => {
  await rm(project, { recursive: true, force: true });
});

function packageCheck(dir = project): Promise<{ code: number | null; output: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [
      join(REPO, 'scripts', 'package-check.js'),
      '--project',
      dir,
    ]);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, output }));
  });
}

describe.skipIf(process.platform !== 'linux' || process.arch !== 'x64')('package:check', () => {
  it(
    'packs main, UI, CLI and assets into app.asar with the keyring binary unpacked',
    async () => {
      const { code, output } = await packageCheck();
      expect(output).toContain(
        'after-pack: special-agent is not a real Electron binary (no fuse wire); fuses not flipped',
      );
      expect(output).toMatch(
        /unpacked: app\.asar\.unpacked\/node_modules\/@napi-rs\/keyring-linux-x64-gnu\/keyring\.linux-x64-gnu\.node/,
      );
      expect(output).toMatch(/^ {2}dist +\d+ files/m);
      expect(output).toContain('package:check ok');
      expect(code).toBe(0);
    },
    PACK_TIMEOUT_MS,
  );

  it(
    'fails with a clear line when the Control UI is missing from the build',
    async () => {
      await rm(join(project, 'dist', 'renderer'), { recursive: true });
      const { code, output } = await packageCheck();
      expect(output).toContain(
        'package:check failed: app.asar does not contain the Control UI (dist/renderer/index.html)',
      );
      expect(output).not.toContain('package:check ok');
      expect(code).toBe(1);
    },
    PACK_TIMEOUT_MS,
  );
});

describe('package:check installer metadata', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  /** A project whose package.json is the real one with `change` applied; nothing is built. */
  async function projectWith(change: Record<string, unknown>): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'special-agent-meta-'));
    dirs.push(dir);
    const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as object;
    await writeFile(join(dir, 'package.json'), JSON.stringify({ ...pkg, ...change }));
    await cp(join(REPO, 'electron-builder.yml'), join(dir, 'electron-builder.yml'));
    return dir;
  }

  it('the real package.json and electron-builder.yml name a maintainer, homepage and repository', async () => {
    const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as {
      author?: { name?: string; email?: string };
      homepage?: string;
      repository?: unknown;
    };
    expect(pkg.author).toEqual({
      name: 'special-agent maintainers',
      email: 'maintainers@special-agent.dev',
      url: 'https://special-agent.dev',
    });
    expect(pkg.homepage).toBe('https://special-agent.dev');
    expect(pkg.repository).toBeDefined();
    // The deb's maintainer comes from package.json, not a second copy in the builder config.
    expect(await readFile(join(REPO, 'electron-builder.yml'), 'utf8')).not.toMatch(
      /^\s*maintainer:/m,
    );
    const { code, output } = await packageCheck(await projectWith({}));
    expect(output).not.toContain('placeholder');
    expect(output).not.toContain('is missing from');
    // Nothing was built in this copy: the check goes on to say so, past the metadata.
    expect(output).toContain('run npm run build first');
    expect(code).toBe(1);
  });

  it.each([
    ['author.email', { author: { name: 'x', email: 'maintainers@special-agent.invalid' } }],
    ['author.name', { author: { name: 'Your Name', email: 'me@special-agent.dev' } }],
    ['homepage', { homepage: 'https://example.com/special-agent' }],
    ['description', { description: 'TODO: describe the app' }],
  ])(
    'fails on a placeholder in %s, naming the field, before packing anything',
    async (field, change) => {
      const { code, output } = await packageCheck(await projectWith(change));
      expect(output).toContain(`package:check failed: package.json ${field} is a placeholder`);
      expect(output).not.toContain('run npm run build first');
      expect(code).toBe(1);
    },
  );

  it('fails when the homepage or the maintainer email is missing', async () => {
    const { code, output } = await packageCheck(
      await projectWith({ homepage: undefined, author: 'special-agent maintainers' }),
    );
    expect(output).toContain('package:check failed: package.json homepage is missing');
    expect(output).toContain('package:check failed: package.json author.email is missing');
    expect(code).toBe(1);
  });

  it('fails on a placeholder in electron-builder.yml metadata', async () => {
    const dir = await projectWith({});
    const yml = await readFile(join(dir, 'electron-builder.yml'), 'utf8');
    await writeFile(
      join(dir, 'electron-builder.yml'),
      yml.replace(/^linux:\n/m, 'linux:\n  vendor: TODO vendor\n'),
    );
    const { code, output } = await packageCheck(dir);
    expect(output).toContain(
      'package:check failed: electron-builder.yml linux.vendor is a placeholder ("TODO vendor")',
    );
    expect(code).toBe(1);
  });
});
