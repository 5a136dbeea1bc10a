/**
 * Which modules a child process loads: a `load` hook (node:module `register`) appends each
 * module URL to a file. Startup time is what a user notices, but this machine is too busy
 * for wall-clock assertions; what a command loads is the steady proxy for it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildResult } from './child.js';
import { REPO_ROOT } from './child.js';
import { within } from './within.js';

/** The file the hook appends to, passed to the hook thread through the environment. */
const LOG_ENV = 'SPECIAL_AGENT_TEST_MODULE_LOG';

const HOOKS = `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(process.env.${LOG_ENV}, url + '\\n');
  return next(url, context);
}`;
const REGISTER = `import { register } from 'node:module';
register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOKS)}`)});`;
/** `--import` this to log every module the process loads. */
const LOG_MODULES = `data:text/javascript,${encodeURIComponent(REGISTER)}`;

/** What a logged child printed, how it ended, and every module URL it loaded, in order. */
export interface LoggedResult extends ChildResult {
  modules: string[];
}

/** A Node child (cwd: the repository) whose module loads are logged. */
export class LoggedChild {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly #dir: string;
  readonly #exited: Promise<ChildResult>;

  private constructor(dir: string, nodeArgs: string[], env: NodeJS.ProcessEnv) {
    this.#dir = dir;
    this.child = spawn(process.execPath, ['--import', LOG_MODULES, ...nodeArgs], {
      cwd: REPO_ROOT,
      env: { ...env, [LOG_ENV]: join(dir, 'modules.log') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.#exited = new Promise((resolve) =>
      this.child.on('exit', (code, signal) =>
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr }),
      ),
    );
  }

  /** Starts `node --import <logger> ...nodeArgs`. */
  static async start(nodeArgs: string[], env: NodeJS.ProcessEnv): Promise<LoggedChild> {
    return new LoggedChild(await mkdtemp(join(tmpdir(), 'special-agent-modules-')), nodeArgs, env);
  }

  /** Resolves with the first match on stdout; rejects naming `what` after `ms` or at an exit. */
  async waitFor(pattern: RegExp, what: string, ms: number): Promise<RegExpMatchArray> {
    const seen = new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = this.stdout.match(pattern);
        if (match) {
          this.child.stdout?.off('data', check);
          resolve(match);
        }
      };
      this.child.stdout?.on('data', check);
      check();
      void this.#exited.then(() =>
        reject(new Error(`exited before ${what}:\n${this.stdout}\n${this.stderr}`)),
      );
    });
    return within(ms, seen, what);
  }

  /** The end of the child (within `ms`, naming `what`) and the modules it loaded. */
  async result(what: string, ms: number): Promise<LoggedResult> {
    try {
      const ended = await within(ms, this.#exited, what);
      const log = await readFile(join(this.#dir, 'modules.log'), 'utf8').catch(() => '');
      return { ...ended, modules: log.split('\n').filter((line) => line !== '') };
    } finally {
      if (this.child.exitCode === null && this.child.signalCode === null)
        this.child.kill('SIGKILL');
      await rm(this.#dir, { recursive: true, force: true });
    }
  }
}

/** Runs `node ...nodeArgs` to its end (within `ms`, naming `what`), logging its modules. */
export async function runLoggingModules(
  nodeArgs: string[],
  env: NodeJS.ProcessEnv,
  what: string,
  ms: number,
): Promise<LoggedResult> {
  return (await LoggedChild.start(nodeArgs, env)).result(what, ms);
}
