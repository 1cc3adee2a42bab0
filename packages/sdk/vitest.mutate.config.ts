/**
 * The SDK's tests as `pnpm mutate` runs them: without the packaging suite (it installs the
 * built tarball, which a mutant never reaches) and without the type tests (no mutant changes a
 * type).
 */
import { defineConfig, mergeConfig } from 'vitest/config'
import base from './vitest.config.js'

export default mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: ['test/packaging.test.ts'],
      typecheck: { enabled: false },
    },
  }),
)
