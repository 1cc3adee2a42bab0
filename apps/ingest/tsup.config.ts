import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts', 'src/cli.ts'],
  format: ['esm'],
  dts: { entry: 'src/index.ts' },
  clean: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
  // The protocol package is TypeScript source and never published: always bundled in.
  noExternal: ['@lastseen/protocol'],
  // An optional dependency (tsup bundles those by default): the embedded engine is a native
  // module, loaded from node_modules only when no ClickHouse server is configured.
  external: ['chdb'],
})
