/**
 * The import zones of eslint.config.js (STYLE.md), run through ESLint's own API on small
 * snippets: the CLI reaches src/main only through its public surface, src/main/local/, and
 * src/main never imports the CLI. A wrong arrow must fail `npm run lint`, whether it is a
 * static import, a re-export or an `import()` expression.
 */
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The rules that draw the zones; nothing else runs, so no type information is needed. */
const ZONE_RULES = new Set(['no-restricted-imports', 'no-restricted-syntax']);

const eslint = new ESLint({
  cwd: ROOT,
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
  ruleFilter: ({ ruleId }) => ZONE_RULES.has(ruleId),
});

/** The zone messages ESLint reports for `code` written at `filePath`. */
async function zoneErrors(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((message) => `${message.ruleId}: ${message.message}`);
}

// The existing zones, so an "allowed" answer below cannot come from a harness that lints nothing.
it('refuses an import of src/main in the renderer', async () => {
  const errors = await zoneErrors(
    "import { x } from '../main/config/load.js';\n",
    'src/renderer/x.ts',
  );
  expect(errors).toEqual([
    "no-restricted-imports: '../main/config/load.js' import is restricted from being used by a pattern. The renderer talks to the gateway only over the protocol.",
  ]);
});

describe('src/cli reaches src/main only through src/main/local', () => {
  it.each([
    ["import { loadConfig } from '../main/config/load.js';", 'src/cli/x.ts'],
    ["import type { AppPaths } from '../main/config/paths.js';", 'src/cli/x.ts'],
    ["export { loadConfig } from '../main/config/load.js';", 'src/cli/x.ts'],
    ["import { loadConfig } from '../../main/config/load.js';", 'src/cli/commands/x.ts'],
    ["const m = await import('../../main/run-gateway.js');", 'src/cli/commands/x.ts'],
    ["import { x } from '../main/local/deeper/x.js';", 'src/cli/x.ts'],
  ])('refuses %s in %s', async (code, filePath) => {
    const errors = await zoneErrors(`${code}\nexport {};\n`, filePath);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('src/cli imports src/main only through src/main/local/');
  });

  it.each([
    ["import { loadConfig } from '../main/local/config.js';", 'src/cli/x.ts'],
    ["import type { AppPaths } from '../../main/local/home.js';", 'src/cli/commands/x.ts'],
    ["const m = await import('../../main/local/gateway-process.js');", 'src/cli/commands/x.ts'],
    ["import { EXIT } from '../shared/exit-codes.js';", 'src/cli/x.ts'],
  ])('allows %s in %s', async (code, filePath) => {
    expect(await zoneErrors(`${code}\nexport {};\n`, filePath)).toEqual([]);
  });
});

it('refuses an import of src/renderer in src/cli', async () => {
  const errors = await zoneErrors("import { x } from '../renderer/app.js';\n", 'src/cli/x.ts');
  expect(errors).toHaveLength(1);
  expect(errors[0]).toContain('The CLI talks to the gateway over the protocol.');
});

describe('src/main never imports src/cli', () => {
  it.each([
    ["import { runCli } from '../cli/program.js';", 'src/main/x.ts'],
    ["import { runCli } from '../../cli/program.js';", 'src/main/desktop/x.ts'],
    ["const m = await import('../../cli/program.js');", 'src/main/local/x.ts'],
  ])('refuses %s in %s', async (code, filePath) => {
    const errors = await zoneErrors(`${code}\nexport {};\n`, filePath);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('src/main never imports src/cli');
  });
});
