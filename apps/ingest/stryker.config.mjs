// @ts-check
/**
 * Mutation testing of the ingest modules where a silent bug loses, duplicates or wrongly
 * accepts data (`pnpm mutate` at the root). Scores are recorded in docs/quality.md.
 */

/**
 * The modules mutated. When a module moves, change its path here; the tests run against the
 * mutants are listed in vitest.mutate.config.ts.
 */
const modules = [
  // group commit
  'src/ingest/group-commit/writer.ts',
  'src/ingest/group-commit/stored-id-filter.ts',
  'src/ingest/group-commit/recent-ids.ts',
  // validation
  'src/ingest/validation.ts',
  'src/ingest/event-check.ts',
  // key ring
  'src/keys/key-ring.ts',
]

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: modules,
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.mutate.config.ts', related: true },
  coverageAnalysis: 'perTest',
  concurrency: Number(process.env.STRYKER_CONCURRENCY ?? 1),
  // A service starts per test file: slower than Stryker's default allowance.
  timeoutMS: 60_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  thresholds: { high: 90, low: 80, break: null },
}
