import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // chDB opens one on-disk store per process: every test file runs in its own process.
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
})
