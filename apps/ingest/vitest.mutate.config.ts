/**
 * The ingest tests as `pnpm mutate` runs them: the test files stryker.config.mjs lists for the
 * target being mutated, each in a process of its own.
 */
import { defineConfig, type Plugin } from 'vitest/config'
import base from './vitest.config.js'

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
  test: {
    ...base.test,
    include: (process.env.LASTSEEN_MUTATE_TESTS ?? 'src/**/*.test.ts').split(','),
  },
})
