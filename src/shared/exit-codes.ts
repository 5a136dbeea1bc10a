/**
 * The one registry of process exit codes, for the CLI, the headless gateway and the
 * desktop shell (which reads the gateway's exit code). README "CLI reference" lists them;
 * test/conformance/exit-codes.test.ts keeps the two in step.
 */
export const EXIT = {
  ok: 0,
  failure: 1,
  /** Bad arguments or options. */
  usage: 2,
  /** `EX_CONFIG`: the config file or an app-owned store is invalid, or a setup cannot work. */
  config: 78,
  /** 128 + SIGINT, as shells report a Ctrl-C. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

const KNOWN: readonly number[] = Object.values(EXIT);

/**
 * The exit code an error asks for: its `exitCode` when that is a registered non-zero code,
 * else `failure`. An unregistered number is never passed on to the shell.
 */
export function exitCodeOf(error: unknown): ExitCode {
  const code = (error as { exitCode?: unknown } | null | undefined)?.exitCode;
  return typeof code === 'number' && code !== EXIT.ok && KNOWN.includes(code)
    ? (code as ExitCode)
    : EXIT.failure;
}
