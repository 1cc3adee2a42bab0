/**
 * The ingest tests as `pnpm mutate` runs them (see stryker.config.mjs), each test file in a
 * process of its own.
 */
import { defineConfig, type Plugin } from 'vitest/config'
import base from './vitest.config.js'

/**
 * The tests run against mutants: the unit tests, and the quickest service suites that drive the
 * group commit over HTTP. The other suites start a service per file and would make each run of
 * a mutant take minutes.
 */
const tests = [
  'src/**/*.test.ts',
  'test/group-commit.test.ts',
  'test/partial-insert.test.ts',
  'test/write-api.test.ts',
]

/**
 * Stryker's vitest runner asks for worker threads, but chDB opens one store per process and
 * crashes when a thread that loaded it ends: keep every test file in a process of its own.
 */
const forks: Plugin = {
  name: 'lastseen:forks-for-chdb',
  configureVitest({ vitest }) {
    vitest.config.pool = 'forks'
    for (const project of vitest.projects) project.config.pool = 'forks'
  },
}

export default defineConfig({
  ...base,
  plugins: [forks],
  test: { ...base.test, include: tests },
})
