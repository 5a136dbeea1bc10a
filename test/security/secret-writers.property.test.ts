/**
 * Property (fast-check): whoever writes the config — the gateway's `config.set`/`unset`,
 * `models.providers.upsert`/`setKey`, or the CLI's `configure set` (run in-process) — and
 * whatever path and object shape carries a secret, no canary secret ever reaches
 * config.json5, a response, an event or a gateway/CLI log line. A secret a writer reported
 * as stored is in the keychain. Real gateway, real Secret Service (isolated service name).
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/cli-context.js';
import { runCli } from '../../src/cli/program.js';
import { resolvePaths } from '../../src/main/config/paths.js';
import { OsKeychain } from '../../src/main/secrets/keychain.js';
import { systemClock } from '../../src/main/util/clock.js';
import type { GatewayClient } from '../../src/shared/gateway-client.js';
import {
  connectDevice,
  hasSecretService,
  startTestGateway,
  type TestGateway,
} from '../helpers/gateway.js';

const RUNS = 50;
const IDS = ['p1', 'p2', '7'] as const;
const keychain = new OsKeychain({
  service: `special-agent-test-writers-${randomBytes(4).toString('hex')}`,
});
const PROVIDER = { type: 'openai', baseUrl: 'https://api.example.invalid/v1' };
const ACCOUNTS = [...IDS.map((id) => `provider:${id}`), 'gateway:token', 'gateway:password'];

/** How a generated secret is shaped: a good string, or a bad value with a canary inside. */
type SecretShape = 'string' | 'nested' | 'list' | 'number' | 'empty';
const secretShape = fc.oneof(
  { arbitrary: fc.constant<SecretShape>('string'), weight: 6 },
  { arbitrary: fc.constantFrom<SecretShape>('nested', 'list', 'number', 'empty'), weight: 1 },
);

/** A value with `secret` placeholders, filled with fresh canaries when a command runs. */
type Template =
  | { kind: 'secret'; shape: SecretShape }
  | { kind: 'object'; entries: [string, Template][] }
  | { kind: 'literal'; value: unknown };

const secret = secretShape.map((shape): Template => ({ kind: 'secret', shape }));
const object = (entries: [string, Template | undefined][]): Template => ({
  kind: 'object',
  entries: entries.filter((entry): entry is [string, Template] => entry[1] !== undefined),
});
const literal = (value: unknown): Template => ({ kind: 'literal', value });
const maybe = (arb: fc.Arbitrary<Template>) => fc.option(arb, { nil: undefined });
const providerId = fc.constantFrom(...IDS);

const provider = fc
  .record({
    type: fc.constantFrom('openai', 'anthropic', 'openai', 'anthropic', 'bogus'),
    key: maybe(secret),
    models: fc.boolean(),
  })
  .map(({ type, key, models }) =>
    object([
      ['type', literal(type)],
      ['baseUrl', literal('https://api.example.invalid/v1')],
      ['apiKey', key],
      ['models', models ? literal(['m1']) : undefined],
    ]),
  );
const auth = fc
  .record({ token: maybe(secret), password: maybe(secret) })
  .map(({ token, password }) =>
    object([
      ['mode', literal('token')],
      ['token', token],
      ['password', password],
    ]),
  );

/** Every place a secret can ride along: the secret path itself or any object above it. */
const setTarget = fc.oneof(
  fc.record({ path: providerId.map((id) => `models.providers.${id}`), value: provider }),
  fc.record({ path: providerId.map((id) => `models.providers.${id}.apiKey`), value: secret }),
  fc.record({
    path: fc.constant('models'),
    value: fc
      .uniqueArray(fc.tuple(providerId, provider), { selector: ([id]) => id, maxLength: 3 })
      .map((entries) => object([['providers', object(entries)]])),
  }),
  fc.record({ path: fc.constant('gateway.auth'), value: auth }),
  fc.record({
    path: fc.constantFrom('gateway.auth.token', 'gateway.auth.password'),
    value: secret,
  }),
  fc.record({
    path: fc.constant('gateway'),
    value: fc.record({ auth, ttl: fc.integer({ min: 10, max: 600 }) }).map((g) =>
      object([
        ['port', literal(0)],
        ['auth', g.auth],
        ['pairing', object([['pendingTtlSeconds', literal(g.ttl)]])],
      ]),
    ),
  }),
);

const command = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      writer: fc.constantFrom('gateway', 'cli', 'cli-json'),
      target: setTarget,
    }),
    weight: 4,
  },
  fc.record({
    kind: fc.constant('unset' as const),
    path: fc.oneof(
      providerId.map((id) => `models.providers.${id}`),
      providerId.map((id) => `models.providers.${id}.apiKey`),
      fc.constantFrom('gateway.auth.token', 'gateway.auth.password', 'gateway.auth'),
    ),
  }),
  fc.record({ kind: fc.constant('upsert' as const), id: providerId }),
  fc.record({ kind: fc.constant('setKey' as const), id: providerId }),
);

type Command = typeof command extends fc.Arbitrary<infer T> ? T : never;

/** The secret path → keychain account, for the good canaries a command carried. */
function accountOf(path: string): string {
  const parts = path.split('.');
  return parts[0] === 'models' ? `provider:${parts[2]}` : `gateway:${parts[2]}`;
}

describe.skipIf(!hasSecretService)(
  'no writer puts a secret in the file, a response or a log (property; real Secret Service, run npm test)',
  () => {
    let gateway: TestGateway;
    let client: GatewayClient;
    const seen: string[] = [];
    const canaries: string[] = [];
    const prefix = randomBytes(4).toString('hex');
    let counter = 0;

    const fresh = () => {
      const value = `sk-canary-${prefix}-${(counter += 1)}-${randomBytes(8).toString('hex')}`;
      canaries.push(value);
      return value;
    };

    /** Fills the template; `good` collects [path, canary] of each well-formed secret. */
    const fill = (template: Template, path: string, good: [string, string][]): unknown => {
      if (template.kind === 'literal') return template.value;
      if (template.kind === 'object') {
        return Object.fromEntries(
          template.entries.map(([key, child]) => [key, fill(child, `${path}.${key}`, good)]),
        );
      }
      const canary = fresh();
      if (template.shape === 'string') good.push([path, canary]);
      if (template.shape === 'nested') return { value: canary };
      if (template.shape === 'list') return [canary];
      if (template.shape === 'number') return canary.length;
      return template.shape === 'empty' ? '' : canary;
    };

    const cliContext = (): CliContext => {
      const env = { SPECIAL_AGENT_HOME: gateway.home, SPECIAL_AGENT_CONFIG: '' };
      return {
        env,
        paths: resolvePaths(env),
        clock: systemClock,
        io: {
          out: (text) => seen.push(text),
          err: (text) => seen.push(text),
          readStdin: () => Promise.reject(new Error('no stdin in this test')),
          stdinIsTty: false,
          stdin: new PassThrough(),
          stdout: new PassThrough(),
          stderr: new PassThrough(),
        },
        version: '0.0.0',
        keychain: () => keychain,
        openUrl: () => Promise.reject(new Error('no browser in this test')),
        onInterrupt: () => () => undefined,
        exitCode: 0,
      };
    };

    /** Runs a gateway request; records the answer or the error either way. */
    const request = async (method: string, params: Record<string, unknown>): Promise<boolean> => {
      try {
        seen.push(JSON.stringify(await client.request(method, params)));
        return true;
      } catch (error) {
        seen.push(JSON.stringify(error), error instanceof Error ? error.message : String(error));
        return false;
      }
    };

    const run = async (cmd: Command): Promise<void> => {
      if (cmd.kind === 'unset') {
        await request('config.unset', { path: cmd.path });
        return;
      }
      if (cmd.kind === 'upsert') {
        await request('models.providers.upsert', {
          id: cmd.id,
          type: 'openai',
          baseUrl: 'https://api.example.invalid/v1',
        });
        return;
      }
      if (cmd.kind === 'setKey') {
        const key = fresh();
        if (await request('models.providers.setKey', { id: cmd.id, apiKey: key })) {
          expect(await keychain.get(`provider:${cmd.id}`)).toBe(key);
        }
        return;
      }
      const good: [string, string][] = [];
      const value = fill(cmd.target.value, cmd.target.path, good);
      let ok: boolean;
      if (cmd.writer === 'gateway') {
        ok = await request('config.set', { path: cmd.target.path, value });
      } else {
        const raw = typeof value === 'string' ? value : JSON.stringify(value);
        const args = [
          'configure',
          'set',
          cmd.target.path,
          raw,
          ...(cmd.writer === 'cli-json' ? ['--json'] : []),
        ];
        ok = (await runCli(args, cliContext())) === 0;
      }
      if (!ok) return;
      const text = await readFile(join(gateway.home, 'config.json5'), 'utf8');
      for (const [path, canary] of good) {
        expect(text, `${path} written to config.json5`).not.toContain(canary);
        expect(await keychain.get(accountOf(path)), `${path} in the keychain`).toBe(canary);
      }
    };

    /** Each run starts from one provider, no auth secrets and an empty keychain service. */
    const reset = async () => {
      await client.request('config.set', {
        path: 'models',
        value: { providers: { p1: PROVIDER } },
      });
      await client.request('config.unset', { path: 'gateway.auth' });
      for (const account of ACCOUNTS) await keychain.delete(account);
      seen.length = 0;
      canaries.length = 0;
    };

    beforeAll(async () => {
      gateway = await startTestGateway({
        config: `// written by hand\n{\n  gateway: { port: 0 }, // any port\n  models: { providers: { p1: ${JSON.stringify(PROVIDER)} } },\n}\n`,
        keychain,
      });
      client = (await connectDevice(gateway)).client;
      client.on('*', (_payload, frame) => seen.push(JSON.stringify(frame)));
    });

    afterAll(async () => {
      client?.close();
      await gateway?.stop();
      for (const account of ACCOUNTS) await keychain.delete(account);
    });

    it('holds for random writers, paths and object shapes', async () => {
      const file = join(gateway.home, 'config.json5');
      await fc.assert(
        fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 3 }), async (commands) => {
          await reset();
          const logsFrom = gateway.logs.length;
          for (const cmd of commands) await run(cmd);
          const text = await readFile(file, 'utf8');
          const everything = [text, ...seen, ...gateway.logs.slice(logsFrom)].join('\n');
          for (const canary of canaries) {
            if (!everything.includes(canary)) continue;
            const where = text.includes(canary) ? 'config.json5' : 'a response, event or log line';
            expect.fail(`canary ${canary} found in ${where}: ${JSON.stringify(commands)}`);
          }
        }),
        { numRuns: RUNS },
      );
      expect(await readFile(file, 'utf8')).toContain('// written by hand');
    });
  },
);
