// Type-checked linting, plus the module boundaries of docs/decisions/003-module-boundaries.md.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const serverOnly = ['**/server/db/**', '**/server/engine/**', '**/server/runs/**', '**/server/runtime/**', '**/server/auth/auth', '**/server/api/routers/**', '**/workers/**'];

export default tseslint.config(
  { ignores: ['.next/**', 'node_modules/**', 'server/db/generated/**', '.sluice/**', 'test-results/**', 'playwright-report/**', 'next-env.d.ts', 'bench/.data/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
    },
  },
  {
    files: ['**/*.tsx', 'components/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    // The browser side reaches the server only through tRPC and HTTP.
    files: ['components/**', 'app/**/*.tsx'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: serverOnly, message: 'Client code may import only pure modules (server/pipeline, server/compiler, server/sql) and types.', allowTypeImports: true }] }],
    },
  },
  {
    // The pure core does no I/O and knows nothing of the server around it.
    files: ['server/pipeline/**', 'server/compiler/**', 'server/sql/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['node:fs', 'node:fs/promises', 'node:child_process', 'node:net', 'node:http', 'pg', 'ioredis', 'bullmq', '@duckdb/node-api'].map((name) => ({ name, message: 'The pure core does no I/O.' })),
          patterns: [{ group: [...serverOnly, '**/server/api/**'], message: 'The pure core must not depend on the server around it.' }],
        },
      ],
    },
  },
  {
    // Tests may assert what they just checked.
    files: ['**/*.test.ts', '**/*.test.tsx', 'e2e/**', 'bench/**'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: globals.node },
  },
);
