import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'data/**', '**/*.d.ts', '**/generated/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error', 'warn'] }],
    },
  },
  {
    // A failing assert.ok with no message makes node read the test's TypeScript source and parse it
    // with acorn for a message; on a large file that spins for minutes instead of failing.
    files: ['**/*.test.ts', '**/*.test.tsx', 'packages/*/test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='assert'][callee.property.name='ok'][arguments.length<2]",
          message: 'assert.ok needs a message (without one, a failure makes node parse the TypeScript source).',
        },
        {
          selector: "CallExpression[callee.name='assert'][arguments.length<2]",
          message: 'assert() needs a message (without one, a failure makes node parse the TypeScript source).',
        },
      ],
    },
  },
);
