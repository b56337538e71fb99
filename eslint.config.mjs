// Lint: typed rules (no-floating-promises and friends) and the layer boundaries of ARCHITECTURE.md.
import tseslint from 'typescript-eslint';

const nodeBuiltins = [
  'assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises', 'http', 'http2',
  'https', 'module', 'net', 'os', 'path', 'perf_hooks', 'process', 'readline', 'stream', 'timers', 'tls', 'tty', 'url',
  'util', 'v8', 'vm', 'worker_threads', 'zlib',
];

/** no-restricted-imports patterns that keep one layer away from others. */
const layer = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: patterns.map((group) => ({ group: [group], message })) }],
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'bench/results.json', 'src/xen/sim/console-guest.cjs', '**/*.cjs', 'out/**'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: { allowDefaultProject: ['*.mjs', 'scripts/*.mjs'] }, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true, allowNullish: true }],
      '@typescript-eslint/no-empty-object-type': 'off',
      '@typescript-eslint/only-throw-error': 'off',
    },
  },
  {
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Small pieces (ARCHITECTURE.md): no function in src over 60 lines of code, no file over 400.
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    rules: {
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }],
      'max-lines': ['error', { max: 400, skipBlankLines: false, skipComments: false }],
    },
  },
  {
    files: ['src/renderer/**'],
    rules: layer(
      ['electron', 'electron/*', 'node:*', ...nodeBuiltins, 'node-pty', 'ws', '**/main/**', '**/xen/**', '**/preload/**'],
      'The renderer runs in a browser sandbox: import only src/shared and the renderer itself.',
    ),
  },
  {
    files: ['src/xen/**', 'src/shared/**'],
    rules: layer(['electron', 'electron/*', '**/main/**', '**/renderer/**', '**/preload/**'], 'src/xen and src/shared never import electron, main, preload or the renderer.'),
  },
  {
    files: ['src/shared/**'],
    rules: layer(
      ['electron', 'electron/*', 'node:*', ...nodeBuiltins, 'node-pty', 'ws', '**/main/**', '**/xen/**', '**/renderer/**', '**/preload/**'],
      'src/shared is plain TypeScript used on both sides: no Node, no Electron, no other layer.',
    ),
  },
  {
    files: ['src/main/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/renderer/**', '**/preload/**'], message: 'src/main never imports the renderer or the preload.' },
            { group: ['**/xen/*', '**/xen/**', '!**/xen/index'], message: 'src/main reaches src/xen only through src/xen/index.ts, its public face.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/preload/**'],
    rules: layer(['node:*', ...nodeBuiltins, '**/main/**', '**/xen/**', '**/renderer/**'], 'The preload imports only electron and src/shared.'),
  },
  {
    files: ['test/**', 'bench/**', 'scripts/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'Never require electron from tests or scripts; launch the built app instead.' }] }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
