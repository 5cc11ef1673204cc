// Lint: ESLint's and typescript-eslint's recommended rules over all our code.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-artifacts/**', '.tmp/**', 'reports/**', '.stryker-tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // Stash's log protocol is built from control characters.
      'no-control-regex': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The background worker runs in V8's lite mode, which has no WebAssembly,
    // and fetch's HTTP parser is WebAssembly; node:http also costs less memory.
    files: ['src/**/*.ts'],
    rules: { 'no-restricted-globals': ['error', { name: 'fetch', message: 'Use exchange() from src/net/http.ts: fetch fails in the lite-mode worker.' }] },
  },
  {
    files: ['ui/**/*.js', 'test/ui/fixtures/**/*.js'],
    languageOptions: { globals: { ...globals.browser }, sourceType: 'script' },
  },
  {
    files: ['test/ui/fixtures/**/*.mjs'],
    languageOptions: { globals: { ...globals.browser }, sourceType: 'module' },
  },
);
