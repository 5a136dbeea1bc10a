/**
 * Edits are never lost: two CLI processes and the gateway edit one config file at the same
 * time, each setting keys of its own. Every key lands, the file keeps its comments, and a
 * reader polling the file meanwhile never meets a partial write.
 *
 * The CLI side runs as two child processes that each run `configure set` 100 times through
 * the CLI's own entry (see fixtures/cli-set-loop.ts for why not 200 spawns); the gateway
 * side is a client calling `config.set` in a loop.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import JSON5 from 'json5';
import { afterEach, expect, it } from 'vitest';
import { ChildRun, childEnv } from '../helpers/child.js';
import { connectDevice, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { within } from '../helpers/within.js';

const LOOP = fileURLToPath(new URL('./fixtures/cli-set-loop.ts', import.meta.url));
/** Edits per CLI process, and by the gateway client. */
const CLI_EDITS = 100;
const GATEWAY_EDITS = 50;
/** Bound for the whole run of edits (about 10 s on a loaded 2-core machine). */
const RUN_WAIT_MS = 45_000;

const CONFIG = `// my config: the comments must survive every edit
{
  gateway: {
    port: 0, // chosen by the OS
  },
  models: {
    // one provider per writer and edit
    providers: {},
  },
}
`;

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});

it('keeps every key set by two CLI processes and the gateway at once, comments included, and never shows a partial file', async () => {
  gateway = await startTestGateway({ config: CONFIG });
  const file = join(gateway.home, 'config.json5');
  const { client } = await connectDevice(gateway);

  // A reader polling the file the whole time: every read must parse.
  let polling = true;
  let reads = 0;
  const unparsable: string[] = [];
  const reader = (async () => {
    while (polling) {
      const text = await readFile(file, 'utf8');
      reads += 1;
      try {
        JSON5.parse(text);
      } catch {
        unparsable.push(text);
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  })();

  const env = childEnv(gateway.home);
  const clis = ['a', 'b'].map((prefix) => new ChildRun(LOOP, [prefix, String(CLI_EDITS)], env));
  const viaGateway = (async () => {
    for (let n = 0; n < GATEWAY_EDITS; n += 1) {
      await client.request('config.set', {
        path: `models.providers.g${n}`,
        value: { type: 'openai', baseUrl: `http://127.0.0.1:9/g${n}` },
      });
    }
  })();
  const results = await within(
    RUN_WAIT_MS,
    Promise.all([...clis.map((cli) => cli.exited), viaGateway]),
    'two CLI processes and the gateway client to finish their edits',
  );
  polling = false;
  await reader;
  client.close();

  for (const [index, result] of results.slice(0, 2).entries()) {
    expect(result, `CLI process ${index} exits 0`).toMatchObject({ code: 0, stderr: '' });
  }
  const text = await readFile(file, 'utf8');
  const providers = Object.keys(
    JSON5.parse<{ models: { providers: Record<string, unknown> } }>(text).models.providers,
  );
  const wanted = [
    ...['a', 'b'].flatMap((prefix) => Array.from({ length: CLI_EDITS }, (_, n) => `${prefix}${n}`)),
    ...Array.from({ length: GATEWAY_EDITS }, (_, n) => `g${n}`),
  ];
  expect(
    wanted.filter((id) => !providers.includes(id)),
    'keys missing from the final file',
  ).toEqual([]);
  expect(text).toContain('// my config: the comments must survive every edit');
  expect(text).toContain('port: 0, // chosen by the OS');
  expect(text).toContain('// one provider per writer and edit');
  expect(reads, 'the reader read the file during the run').toBeGreaterThan(0);
  expect(unparsable, 'reads that did not parse').toEqual([]);
}, 60_000);
