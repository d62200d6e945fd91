// ESLint: typescript-eslint's recommended type-checked rules, plus a rule
// against import cycles (DESIGN.md: dependencies point one way). Formatting
// is Prettier's alone (eslint-config-prettier turns off the rules that would
// disagree with it). `npm run lint` runs both.
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import prettier from 'eslint-config-prettier';
import { importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // Build output, generated protobuf types and the Go module are not ours to lint.
  { ignores: ['**/dist/**', '**/node_modules/**', 'protos/src/generated/**', 'e2e/**', 'deploy/**'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX },
    settings: {
      // How import-x reads the modules it follows (TypeScript sources behind .js specifiers).
      'import-x/extensions': importX.flatConfigs.typescript.settings['import-x/extensions'],
      'import-x/parsers': importX.flatConfigs.typescript.settings['import-x/parsers'],
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: ['packages/*/tsconfig.json', 'protos/tsconfig.json', 'bench/tsconfig.json'] })],
    },
    rules: {
      // Type-only imports vanish at run time and cannot form a load-order cycle.
      'import-x/no-cycle': ['error', { ignoreExternal: true, allowUnsafeDynamicCyclicDependency: false }],
      // `const { dropped: _dropped, ...rest } = o` is how a field is left out of a copy; `_` marks it unused on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true, argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // Plain JavaScript (scripts, this file) is outside every tsconfig: lint it without type information.
  { files: ['**/*.js', '**/*.mjs', '**/*.cjs'], ...tseslint.configs.disableTypeChecked },
  prettier,
);
