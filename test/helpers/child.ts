import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { within } from './within.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const GATEWAY_ENTRY = fileURLToPath(new URL('../../src/main/gateway-main.ts', import.meta.url));
const CLI_ENTRY = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A child process running a TypeScript entry through tsx, with output captured. */
export class ChildRun {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<ChildResult>;

  constructor(entry: string, args: string[], env: NodeJS.ProcessEnv, input?: string) {
    this.child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
      cwd: REPO_ROOT,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    if (input !== undefined) this.child.stdin?.end(input);
    else this.child.stdin?.end();
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code, signal) =>
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr }),
      ),
    );
  }

  /** Waits until stdout matches, or rejects with everything printed when the child exits first. */
  async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.stdout.match(pattern);
      if (match) return match;
      if (this.child.exitCode !== null || Date.now() > deadline) {
        throw new Error(
          `no ${pattern} in output (exit ${this.child.exitCode}):\n${this.stdout}\n${this.stderr}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

/** Long enough for tsx to compile and start a gateway on a loaded machine; under vitest's 30 s. */
export const CHILD_EXIT_WAIT_MS = 15_000;

/** What the gateway prints once it serves (src/main/run-gateway.ts). */
const LISTENING = /listening on /;

/**
 * The end of a child that should refuse to start. If it starts serving instead, it is
 * killed at once (its result then has `listening: true` and no exit code), so the test's
 * assertions fail on what happened rather than on a timeout; after `ms` the wait rejects
 * naming `what`.
 */
export function refusalOf(
  run: ChildRun,
  what: string,
  ms = CHILD_EXIT_WAIT_MS,
): Promise<ChildResult & { listening: boolean }> {
  const killIfListening = () => {
    if (!LISTENING.test(run.stdout)) return;
    run.child.stdout?.off('data', killIfListening);
    run.child.kill('SIGKILL');
  };
  run.child.stdout?.on('data', killIfListening);
  killIfListening();
  const ended = run.exited.then((result) => ({
    ...result,
    listening: LISTENING.test(result.stdout),
  }));
  return within(ms, ended, what);
}

/** The headless gateway entry in a child process. */
export function runGateway(env: NodeJS.ProcessEnv, args: string[] = []): ChildRun {
  return new ChildRun(GATEWAY_ENTRY, args, env);
}

/** The `special-agent` CLI in a child process; resolves when it exits. */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  input?: string,
): Promise<ChildResult> {
  return new ChildRun(CLI_ENTRY, args, env, input).exited;
}

/** Environment for a child with its own home, isolated from the developer's. */
export function childEnv(
  home: string,
  extra: Record<string, string | undefined> = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SPECIAL_AGENT_HOME: home,
    SPECIAL_AGENT_CONFIG: '',
  };
  delete env.SPECIAL_AGENT_GATEWAY_TOKEN;
  delete env.SPECIAL_AGENT_GATEWAY_PASSWORD;
  delete env.SPECIAL_AGENT_GATEWAY_URL;
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}
