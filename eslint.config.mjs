// Lint rules, including the layering the project depends on: src/core stays free of VS Code, git and
// the CLI, and so does src/fs (the file-system adapters); the webview sees only the protocol types; the
// CLI never loads VS Code.
import js from '@eslint/js';
import regexp from 'eslint-plugin-regexp';
import tseslint from 'typescript-eslint';

const noVscode = { name: 'vscode', message: 'Only src/extension and the VS Code test suites may import vscode.' };

// Patterns every file of src/core obeys.
const corePatterns = [
  { group: ['**/extension', '**/extension/**'], message: 'src/core must not depend on the VS Code adapters.' },
  { group: ['**/cli', '**/cli/**'], message: 'src/core must not depend on the CLI.' },
  { group: ['**/git', '**/git/**', 'simple-git'], message: 'src/core must not depend on git; inject what it needs.' },
  { group: ['**/fs', '**/fs/**'], message: 'src/core must not depend on the Node adapters in src/fs; inject what it needs.' },
  // Pure core: file reading, workers and the OS come in through injected interfaces (FileReader, …).
  { regex: '^node:', message: 'src/core is pure TypeScript: Node built-ins belong in src/fs (or src/git), which core must not import.' },
  { group: ['fs', 'fs/*', 'path', 'os', 'child_process', 'worker_threads', 'crypto', 'util', 'url', 'stream', 'events', 'process'], message: 'src/core is pure TypeScript: Node built-ins belong in src/fs.' },
];

// Floors of src/core, bottom first; folders on one floor do not import each other.
const CORE_FLOORS = [['text'], ['runbook'], ['config'], ['incident'], ['index'], ['check', 'metrics', 'alert'], ['board'], ['postmortem']];

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'runbooks/**', 'test-results/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // A regex that backtracks super-linearly hangs the indexer on one hostile (or just unlucky) line:
    // `export` of a 36-letter name took hours (issue 14). Tests may use such patterns on fixed input.
    files: ['src/**/*.ts', 'webview/**/*.ts'],
    plugins: { regexp },
    rules: {
      'regexp/no-super-linear-backtracking': 'error',
      'regexp/no-super-linear-move': 'error',
    },
  },
  {
    // A file straight in src/core belongs in one of its folders; until it moves it obeys the core's rules.
    files: ['src/core/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [noVscode], patterns: corePatterns }] },
  },
  // The core's feature folders, bottom to top: a folder imports only folders on floors below it (docs/architecture.md).
  ...CORE_FLOORS.flatMap((floor, i) => floor.map((folder) => ({
    files: [`src/core/${folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noVscode],
        patterns: [
          ...corePatterns,
          ...[...floor.filter((f) => f !== folder), ...CORE_FLOORS.slice(i + 1).flat()].map((other) => ({
            group: [`../${other}`, `../${other}/**`],
            message: `src/core/${folder} must not import src/core/${other}: ${floor.includes(other) ? 'they are on the same floor' : 'it sits above'} (docs/architecture.md).`,
          })),
        ],
      }],
    },
  }))),
  {
    // Node adapters (file listing, atomic writes, the record lock, the summary cache, the index's worker threads), shared by the CLI and the extension.
    files: ['src/fs/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noVscode],
        patterns: [
  { group: ['**/extension', '**/extension/**'], message: 'src/fs runs without VS Code.' },
          { group: ['**/cli', '**/cli/**'], message: 'src/fs must not depend on the CLI.' },
          { group: ['**/git', '**/git/**', 'simple-git'], message: 'src/fs must not depend on git.' },
        ],
      }],
    },
  },
  {
    files: ['src/cli/**/*.ts', 'src/git/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noVscode],
        patterns: [{ group: ['**/extension', '**/extension/**'], message: 'The CLI and git adapter run without VS Code.' }],
      }],
    },
  },
  {
    files: ['webview/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noVscode],
        // Anything under src/ except src/core/board/protocol and the duration formatter the board shares with
        // `report` (a regex: gitignore-style negation cannot re-include them).
        patterns: [{ regex: '(^|/)src/(?!core/(?:board/protocol|metrics/durationText)(\\.ts)?$)', message: 'The webview may import only the protocol types from src/core/board/protocol and the formatter in src/core/metrics/durationText.' }],
      }],
    },
  },
);
