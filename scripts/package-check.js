#!/usr/bin/env node
// `npm run package:check`: pack the built app with electron-builder against a stub Electron
// (no download needed), then assert what the archive holds. Exits non-zero with one clear
// line per failure. Usage: node scripts/package-check.js [--project DIR] [--keep]
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { metadataProblems } from './package-metadata.js';

const args = process.argv.slice(2);
const projectIndex = args.indexOf('--project');
const PROJECT =
  projectIndex >= 0
    ? resolve(args[projectIndex + 1] ?? '.')
    : join(dirname(fileURLToPath(import.meta.url)), '..');
const KEEP = args.includes('--keep');
// The packaging tools come from this checkout (--project may point at a bare test copy).
const toolRequire = createRequire(import.meta.url);

/** What must be inside app.asar: [description, predicate over archive paths]. */
const REQUIRED_IN_ASAR = [
  [
    'the Electron main (dist/main/desktop/electron-main.js)',
    (p) => p === 'dist/main/desktop/electron-main.js',
  ],
  [
    'the headless gateway (dist/main/...)',
    (p) => p.startsWith('dist/main/') && p.endsWith('.js') && !p.startsWith('dist/main/desktop/'),
  ],
  ['the Control UI (dist/renderer/index.html)', (p) => p === 'dist/renderer/index.html'],
  ['the CLI (dist/cli/...)', (p) => p.startsWith('dist/cli/') && p.endsWith('.js')],
  ['package.json', (p) => p === 'package.json'],
  ['the tray images (assets/tray/tray.png)', (p) => p === 'assets/tray/tray.png'],
];
/** What must never be packed. */
const FORBIDDEN_IN_ASAR = [
  ['TypeScript sources (src/)', (p) => p.startsWith('src/')],
  ['tests (*.test.*)', (p) => /\.test\.[cm]?[jt]sx?$/.test(p) && !p.includes('node_modules/')],
  ['source maps of our build (dist/**/*.map)', (p) => p.startsWith('dist/') && p.endsWith('.map')],
];

function fail(message) {
  console.error(`package:check failed: ${message}`);
  process.exitCode = 1;
}

function electronVersion() {
  return JSON.parse(readFileSync(toolRequire.resolve('electron/package.json'), 'utf8')).version;
}

/** An Electron folder electron-builder accepts offline: an executable `electron` and `version`. */
function makeStubElectron(root, version) {
  const dir = join(root, 'electron-stub');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'electron'),
    '#!/bin/sh\necho "stub Electron: packaging check only" >&2\nexit 1\n',
  );
  chmodSync(join(dir, 'electron'), 0o755);
  writeFileSync(join(dir, 'version'), version);
  return dir;
}

/** Walk an asar header into [path, size, unpacked] rows. */
function asarEntries(header, prefix = '') {
  const rows = [];
  for (const [name, node] of Object.entries(header.files ?? {})) {
    const path = prefix ? `${prefix}/${name}` : name;
    if (node.files) rows.push(...asarEntries(node, path));
    else if (!node.link)
      rows.push({ path, size: Number(node.size ?? 0), unpacked: node.unpacked === true });
  }
  return rows;
}

function walk(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    return entry.isDirectory() ? walk(full) : [full];
  });
}

function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function summarise(entries, asarFile) {
  const byTop = new Map();
  for (const { path, size } of entries) {
    const top = path.split('/')[0];
    const row = byTop.get(top) ?? { files: 0, bytes: 0 };
    row.files += 1;
    row.bytes += size;
    byTop.set(top, row);
  }
  console.log(`app.asar: ${entries.length} files, ${formatBytes(statSync(asarFile).size)} on disk`);
  for (const [top, row] of [...byTop].sort((a, b) => b[1].bytes - a[1].bytes)) {
    console.log(
      `  ${top.padEnd(16)} ${String(row.files).padStart(6)} files  ${formatBytes(row.bytes).padStart(10)}`,
    );
  }
}

/** The parsed electron-builder.yml, or undefined when the project has none. */
function builderConfig() {
  const file = join(PROJECT, 'electron-builder.yml');
  if (!existsSync(file)) return undefined;
  return toolRequire('js-yaml').load(readFileSync(file, 'utf8'));
}

async function main() {
  const pkg = JSON.parse(readFileSync(join(PROJECT, 'package.json'), 'utf8'));
  // Before packing: an installer that names a placeholder maintainer is not worth building.
  const problems = metadataProblems(pkg, builderConfig());
  for (const problem of problems) fail(problem);
  if (problems.length > 0) return;
  const main = pkg.main;
  if (!existsSync(join(PROJECT, main))) {
    fail(`${main} is missing; run npm run build first`);
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'special-agent-package-'));
  try {
    const version = electronVersion();
    const stub = makeStubElectron(work, version);
    const output = join(work, 'release');
    const { build, Platform } = toolRequire('electron-builder');
    // Merged over electron-builder.yml, like `-c.electronDist=<stub> -c.npmRebuild=false`.
    await build({
      projectDir: PROJECT,
      targets: Platform.LINUX.createTarget('dir'),
      config: {
        electronDist: stub,
        electronVersion: version,
        npmRebuild: false,
        directories: { output },
      },
    });
    const resources = join(output, 'linux-unpacked', 'resources');
    const asarFile = join(resources, 'app.asar');
    if (!existsSync(asarFile)) {
      fail(`electron-builder produced no ${relative(work, asarFile)}`);
      return;
    }
    const asar = toolRequire('@electron/asar');
    const entries = asarEntries(asar.getRawHeader(asarFile).header);
    const packed = entries.filter((e) => !e.unpacked).map((e) => e.path);
    for (const [what, test] of REQUIRED_IN_ASAR) {
      if (!packed.some(test)) fail(`app.asar does not contain ${what}`);
    }
    for (const [what, test] of FORBIDDEN_IN_ASAR) {
      const hit = packed.find(test);
      if (hit) fail(`app.asar contains ${what}, e.g. ${hit}`);
    }
    const unpackedDir = join(resources, 'app.asar.unpacked');
    const keyring = walk(unpackedDir).filter(
      (file) =>
        file.endsWith('.node') &&
        file.split(sep).join('/').includes('/node_modules/@napi-rs/keyring'),
    );
    if (keyring.length === 0) {
      fail(
        'the @napi-rs/keyring .node binary is not unpacked under app.asar.unpacked (check asarUnpack)',
      );
    }
    summarise(entries, asarFile);
    for (const file of keyring) console.log(`  unpacked: ${relative(resources, file)}`);
    if (!process.exitCode) console.log('package:check ok');
  } finally {
    if (KEEP) console.log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (error) {
  fail(error instanceof Error ? error.message.split('\n')[0] : String(error));
}
// electron-builder leaves handles behind; the verdict is already printed.
process.exit(process.exitCode ?? 0);
