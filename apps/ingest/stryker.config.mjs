// @ts-check
/**
 * Mutation testing of the ingest modules where a silent bug loses, duplicates or wrongly
 * accepts data (`pnpm mutate` at the root, or `pnpm mutate` here). Scores are recorded in
 * docs/quality.md.
 *
 * Each target is run on its own (`MUTATE=validation stryker run`), with the tests that aim at
 * it: every request passes through validation and the key ring, so with the service suites in
 * the run each of their mutants would start a service to be tested.
 */

/**
 * The modules mutated, and the tests run against their mutants. When a module or a test
 * moves, change its path here.
 */
const targets = {
  validation: {
    mutate: ['src/ingest/validation.ts', 'src/ingest/event-check.ts'],
    tests: ['src/ingest/validation.test.ts', 'src/ingest/event-check.test.ts'],
  },
  keys: {
    mutate: ['src/keys/key-ring.ts'],
    tests: ['src/keys/keys.test.ts', 'src/dashboard/sessions.test.ts'],
  },
  'group-commit': {
    mutate: [
      'src/ingest/group-commit/writer.ts',
      'src/ingest/group-commit/duplicate-index.ts',
      'src/ingest/group-commit/stored-id-filter.ts',
      'src/ingest/group-commit/recent-ids.ts',
    ],
    // The unit tests: the writer's drive it on embedded chDB, failed inserts and their repair
    // included. The service suites (test/group-commit, test/partial-insert) start a service
    // per mutant and made a run take over an hour here.
    tests: [
      'src/ingest/group-commit/writer.test.ts',
      'src/ingest/group-commit/stored-id-filter.test.ts',
      'src/ingest/group-commit/recent-ids.test.ts',
    ],
  },
}

/** @type {keyof typeof targets} */
const target = /** @type {any} */ (process.env.MUTATE ?? 'validation')
const chosen = targets[target]
if (!chosen) throw new Error(`MUTATE must be one of ${Object.keys(targets).join(', ')}`)
// Read by vitest.mutate.config.ts in Stryker's test runner processes.
process.env.LASTSEEN_MUTATE_TESTS = chosen.tests.join(',')

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: chosen.mutate,
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.mutate.config.ts', related: true },
  coverageAnalysis: 'perTest',
  concurrency: Number(process.env.STRYKER_CONCURRENCY ?? 1),
  // A mutant that never ends the writer's loop or its waits is given up on after 20 s.
  timeoutMS: 20_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${target}.html` },
  jsonReporter: { fileName: `reports/mutation/${target}.json` },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  thresholds: { high: 90, low: 80, break: null },
}
