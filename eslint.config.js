// Type-checked lint with the import zones from STYLE.md: a wrong arrow between
// src/shared, src/main, src/renderer, src/cli and electron fails `npm run lint`
// (test/conformance/import-zones.test.ts checks the src/cli and src/main ones).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const nodeBuiltins = { group: ['node:*'], message: 'src/shared runs anywhere: no node:* imports.' };
const electronOnlyInDesktop = {
  name: 'electron',
  message: 'Only src/main/desktop may import electron.',
};
const mainNeverCli = { group: ['**/cli/**'], message: 'src/main never imports src/cli.' };
/** A path into src/main that is not a file directly in src/main/local/. */
const CLI_REACHES_MAIN_PAST_SURFACE = '(^|[/])main[/](?!local[/][^/]+$)';
const CLI_SURFACE_MESSAGE =
  'src/cli imports src/main only through src/main/local/ (src/main/local/README.md).';
/**
 * `no-restricted-imports` sees static imports and re-exports only; these catch an
 * `import()` of a literal path that crosses the same zone boundary.
 */
const dynamicImportOf = (pattern, message) => ({
  selector: `ImportExpression[source.value=${pattern}]`,
  message,
});

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'release/**',
      'node_modules/**',
      'test-results/**',
      'playwright-report/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': ['error', { paths: [electronOnlyInDesktop] }],
    },
  },
  {
    // Asymmetric matchers (expect.any, expect.stringContaining) are typed `any` by design.
    files: ['**/*.test.ts', '**/*.test.tsx', 'e2e/**/*.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['src/shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            electronOnlyInDesktop,
            { name: 'ws', message: 'Inject the WebSocket constructor.' },
          ],
          patterns: [
            nodeBuiltins,
            {
              group: ['**/main/**', '**/renderer/**', '**/cli/**'],
              message: 'src/shared imports nothing of the app.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/main/**'],
    ignores: ['src/main/desktop/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronOnlyInDesktop],
          patterns: [
            { group: ['**/renderer/**'], message: 'src/main never imports src/renderer.' },
            mainNeverCli,
          ],
        },
      ],
      'no-restricted-syntax': ['error', dynamicImportOf('/[/]cli[/]/', mainNeverCli.message)],
    },
  },
  {
    files: ['src/main/desktop/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/renderer/**'], message: 'src/main never imports src/renderer.' },
            mainNeverCli,
          ],
        },
      ],
      'no-restricted-syntax': ['error', dynamicImportOf('/[/]cli[/]/', mainNeverCli.message)],
    },
  },
  {
    // The CLI's local (no-gateway) commands use src/main through one small surface, a
    // handful of entry files grouped by what the CLI does; the rest of src/main can change
    // without the CLI noticing.
    files: ['src/cli/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electronOnlyInDesktop],
          patterns: [
            { regex: CLI_REACHES_MAIN_PAST_SURFACE, message: CLI_SURFACE_MESSAGE },
            {
              group: ['**/renderer/**'],
              message: 'The CLI talks to the gateway over the protocol.',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        dynamicImportOf(`/${CLI_REACHES_MAIN_PAST_SURFACE}/`, CLI_SURFACE_MESSAGE),
      ],
    },
  },
  {
    files: ['src/renderer/**'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: [electronOnlyInDesktop],
          patterns: [
            nodeBuiltins,
            {
              group: ['**/main/**', '**/cli/**'],
              message: 'The renderer talks to the gateway only over the protocol.',
            },
          ],
        },
      ],
    },
  },
);
