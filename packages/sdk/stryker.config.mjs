// @ts-check
/**
 * Mutation testing of the SDK's delivery core (`pnpm mutate` at the root): a surviving mutant
 * is a bug the tests would let through. Scores are recorded in docs/quality.md.
 */

/** The modules mutated: where a silent bug loses or duplicates events. */
const modules = [
  'src/core/scheduler.ts',
  'src/core/delivery.ts',
  'src/core/heartbeat.ts',
  'src/core/backoff.ts',
  'src/core/queue.ts',
]

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: modules,
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.mutate.config.ts', related: true },
  coverageAnalysis: 'perTest',
  concurrency: Number(process.env.STRYKER_CONCURRENCY ?? 2),
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  thresholds: { high: 90, low: 80, break: null },
}
