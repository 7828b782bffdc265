import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The layers of src/, lowest first (docs/architecture.md explains them). A file imports its own
 * layer and the layers below it, never one above. Each layer names the directories (and root files)
 * that are its own; imports are relative, so a name is matched as a path segment of a relative
 * import. The database layer registers every module's entities (database/entities.ts): it may
 * import `<module>/entities/…` and nothing else of the modules.
 */
const LAYERS = [
  { name: 'config', files: ['src/config/**'], owns: ['config'] },
  { name: 'common', files: ['src/common/**'], owns: ['common'] },
  { name: 'infrastructure', files: ['src/infrastructure/**'], owns: ['infrastructure'] },
  { name: 'database', files: ['src/database/**'], owns: ['database'], entitiesAllowed: true },
  { name: 'audit', files: ['src/modules/audit/**'], owns: ['modules', 'audit'] },
  { name: 'notifications', files: ['src/modules/notifications/**'], owns: ['notifications'] },
  { name: 'challenges', files: ['src/modules/challenges/**'], owns: ['challenges'] },
  { name: 'accounts', files: ['src/modules/accounts/**'], owns: ['accounts'] },
  { name: 'verification', files: ['src/modules/verification/**'], owns: ['verification'] },
  { name: 'agents', files: ['src/modules/agents/**'], owns: ['agents'] },
  { name: 'appeals', files: ['src/modules/appeals/**'], owns: ['appeals'] },
  {
    name: 'pages and admin API',
    files: ['src/modules/{account-center,backoffice,admin,health,home}/**'],
    owns: ['account-center', 'backoffice', 'admin', 'health', 'home'],
  },
  {
    name: 'processes',
    files: ['src/{scheduling,demo,cli}/**', 'src/*.ts'],
    owns: ['scheduling', 'demo', 'cli', 'app.module', 'app.setup', 'service', 'workers.module', 'process-entry', 'main', 'worker'],
  },
];

const escape = (name) => name.replace(/[.]/g, '\\.');

/** One `no-restricted-imports` block per layer: every name owned by a layer above it. */
const layerRules = LAYERS.slice(0, -1).map((layer, index) => {
  const above = LAYERS.slice(index + 1).flatMap((higher) => higher.owns);
  const entities = layer.entitiesAllowed ? '(?!.*(?:^|/)modules/[\\w-]+/entities/)' : '';
  return {
    files: layer.files.map((glob) => glob.replace(/\*\*$/, '**/*.{ts,js}')),
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^${entities}\\.{1,2}/(?:.*/)?(?:${above.map(escape).join('|')})(?:/|$)`,
              message: `The ${layer.name} layer imports nothing from the layers above it (${LAYERS.slice(index + 1)
                .map((higher) => higher.name)
                .join(', ')}): docs/architecture.md lists them.`,
            },
          ],
        },
      ],
    },
  };
});

/**
 * The benchmarks and the tests share only `tools/` (sinks, bounded waits, database and Redis
 * helpers); neither imports the other, and `tools/` imports neither.
 */
const apart = (files, message, ...names) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: [{ regex: `^\\.{1,2}/(?:.*/)?(?:${names.join('|')})(?:/|$)`, message }] }],
  },
});
const sharedTools = [
  apart(['bench/**/*.ts'], 'bench/ imports src/ and tools/, never test/.', 'test'),
  apart(['tools/**/*.ts'], 'tools/ is shared by bench/ and test/ and imports neither.', 'test', 'bench'),
];

export default tseslint.config(
  { ignores: ['dist/**', 'dist-bench/**', 'coverage/**', 'node_modules/**', '.data/**', 'bench/results/**', 'test/lint-fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['**/*.js'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  ...layerRules,
  ...sharedTools,
);
