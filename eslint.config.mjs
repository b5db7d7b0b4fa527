// ESLint (flat config) with typescript-eslint's type-aware rules: the promise rules catch a rejection nobody handles
// (an unhandled rejection in the extension host) and an async callback where VS Code expects a plain one.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'test-results/**', '**/*.mjs', '**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.ts', 'test/**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test's test/describe/it return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }],
      }],
      '@typescript-eslint/no-misused-promises': 'error',
      // markdown-it has no types and the build's scripts are CommonJS: both are loaded by a typed require; a node:
      // built-in is required where it is first used, so activation does not load it.
      '@typescript-eslint/no-require-imports': ['error', { allow: ['^markdown-it$', '\\.cjs$', '^node:'] }],
      // A server's handler reads the simulator it is assigned to once listening: a `let` on purpose.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
