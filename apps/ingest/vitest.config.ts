import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // chDB opens one on-disk store per process: every test file runs in its own process.
    pool: 'forks',
    // Two files at a time even on two cores: most of a file's time is spent waiting (on the
    // engine's disk writes, on timers of checks and caches), not computing.
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
})
