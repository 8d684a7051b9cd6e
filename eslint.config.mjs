// Lint with layer rules: src/core is editor-free (no 'vscode'), the webview is DOM-only and talks to
// the host only through the typed message protocol, and only src/vscode + src/extension.ts may import 'vscode'.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noVscode = {
  paths: [{ name: 'vscode', message: 'Only src/vscode/** and src/extension.ts may import vscode (layer rule).' }],
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'out/**',
      '.cache/**',
      '.vscode-test/**',
      'media/**/*.js',
      'screenshots/**',
      'test-results/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        fetch: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        Headers: 'readonly',
        Request: 'readonly',
        Response: 'readonly',
        structuredClone: 'readonly',
        setImmediate: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='Math'][property.name='random']",
          message: 'Use node:crypto for randomness.',
        },
      ],
    },
  },
  {
    files: [
      'src/core/**',
      'src/cli/**',
      'src/webview/**',
      'test/unit/**',
      'test/node/**',
      'test/support/**',
      'test/fixtures/**',
      'scripts/**',
    ],
    rules: {
      'no-restricted-imports': ['error', noVscode],
    },
  },
  {
    files: ['src/core/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...noVscode,
          patterns: [
            {
              group: ['**/vscode/**', '**/webview/**', '**/cli/**', '**/extension'],
              message: 'src/core depends on nothing outside src/core.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/webview/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...noVscode,
          patterns: [
            {
              group: ['node:*', '**/vscode/**', '**/cli/**'],
              message: 'The webview is browser code: DOM only, plus shared message types.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/**'],
    rules: { 'no-console': 'error' },
  },
  {
    files: ['src/cli/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // A test-only extension (CommonJS, loaded by the editor as is): it is an editor extension, so it uses vscode.
    files: ['test/fixtures/chatParticipant/**'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable' } },
    rules: { 'no-restricted-imports': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
);
