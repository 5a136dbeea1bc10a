/**
 * Puts the peer (OpenClaw on Node 22, both from the npm registry) into a cache folder
 * outside the repository, once. The marker file is written last: a folder without it is
 * an interrupted install and is removed and redone, never half-used.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** The peer as the issue measured it: OpenClaw 2026.4.12 (engines: node >= 22.14) on Node 22. */
export const PEER_VERSIONS = { node: '22.23.3', openclaw: '2026.4.12' };
/** Written last; its content names the versions, so a version bump installs afresh. */
const MARKER = '.installed.json';
/** An `npm install` of OpenClaw (~720 packages) takes ~2.5 min here; give up after this. */
const INSTALL_TIMEOUT_MS = 15 * 60_000;

/**
 * The cache folder for these versions: `$BENCH_PEER_CACHE/<versions>`, by default
 * `${XDG_CACHE_HOME:-~/.cache}/special-agent-bench-peer/<versions>`. Refuses a folder
 * inside `repoRoot`: nothing of OpenClaw's may end up in the repository.
 */
export function peerCacheDir(repoRoot, env = process.env, versions = PEER_VERSIONS) {
  const base =
    env.BENCH_PEER_CACHE ||
    join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'special-agent-bench-peer');
  const dir = resolve(base, `node-${versions.node}_openclaw-${versions.openclaw}`);
  const inside = relative(resolve(repoRoot), dir);
  const outside = inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside);
  if (!outside)
    throw new Error(
      `the peer cache must be outside the repository (${dir} is inside it): set BENCH_PEER_CACHE`,
    );
  return dir;
}

/** The paths the bench runs, inside an install folder. */
function layout(dir) {
  return {
    dir,
    nodeBinDir: join(dir, 'node', 'node_modules', 'node', 'bin'),
    nodeBin: join(dir, 'node', 'node_modules', 'node', 'bin', 'node'),
    openclawEntry: join(dir, 'openclaw', 'node_modules', 'openclaw', 'openclaw.mjs'),
  };
}

/**
 * Returns the install's paths, installing first when the marker is missing or names other
 * versions. `log` gets one line per step.
 */
export async function ensurePeerInstalled(
  repoRoot,
  { env = process.env, versions = PEER_VERSIONS, log = () => {} } = {},
) {
  const paths = layout(peerCacheDir(repoRoot, env, versions));
  const marker = join(paths.dir, MARKER);
  if (
    markerMatches(marker, versions) &&
    existsSync(paths.nodeBin) &&
    existsSync(paths.openclawEntry)
  )
    return paths;

  log(`installing node@${versions.node} and openclaw@${versions.openclaw} into ${paths.dir}`);
  await rm(paths.dir, { recursive: true, force: true });
  await npmInstall(join(paths.dir, 'node'), `node@${versions.node}`, env);
  const nodeVersion = await output(paths.nodeBin, ['--version'], env);
  if (nodeVersion.trim() !== `v${versions.node}`)
    throw new Error(`node@${versions.node} installed ${nodeVersion.trim() || 'no binary'}`);
  // Node 22 first on PATH: OpenClaw's install scripts (and anything it spawns) run on it.
  const peerEnv = { ...env, PATH: `${paths.nodeBinDir}${delimiter}${env.PATH ?? ''}` };
  log('installing openclaw (a few minutes the first time)');
  await npmInstall(join(paths.dir, 'openclaw'), `openclaw@${versions.openclaw}`, peerEnv);
  if (!existsSync(paths.openclawEntry))
    throw new Error(`openclaw@${versions.openclaw} has no ${paths.openclawEntry}`);
  await writeFile(marker, `${JSON.stringify({ ...versions, at: new Date().toISOString() })}\n`);
  return paths;
}

function markerMatches(marker, versions) {
  try {
    const recorded = JSON.parse(readFileSync(marker, 'utf8'));
    return recorded.node === versions.node && recorded.openclaw === versions.openclaw;
  } catch {
    return false;
  }
}

/** `npm install <spec>` into its own folder (a private package.json, so npm never walks up). */
async function npmInstall(prefix, spec, env) {
  await mkdir(prefix, { recursive: true });
  await writeFile(join(prefix, 'package.json'), '{ "private": true }\n');
  // npm_* variables of `npm run` (e.g. a workspace or a dry-run flag) must not steer this npm.
  const clean = Object.fromEntries(
    Object.entries(env).filter(([key]) => !key.toLowerCase().startsWith('npm_')),
  );
  const npm = env.npm_execpath ? [process.execPath, env.npm_execpath] : ['npm'];
  const args = ['install', '--no-audit', '--no-fund', '--loglevel=error', '--prefix', prefix, spec];
  await output(npm[0], [...npm.slice(1), ...args], clean, prefix);
}

/** Runs a command to exit; resolves its stdout, rejects with its output on a non-zero exit. */
function output(command, args, env, cwd) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), INSTALL_TIMEOUT_MS);
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${command} did not start: ${error.message}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise(stdout);
      else
        reject(
          new Error(`${[command, ...args].join(' ')} exited ${code ?? signal}: ${stderr.trim()}`),
        );
    });
  });
}
