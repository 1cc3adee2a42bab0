import { readFileSync } from 'node:fs'
import { build } from 'esbuild'
import { defineConfig } from 'tsup'

const { version } = JSON.parse(
  readFileSync(new URL('./package.json', import.meta.url), 'utf8'),
) as {
  version: string
}
const define = { __LASTSEEN_VERSION__: JSON.stringify(version) }

export default defineConfig({
  // Output name → source: one entry per published subpath.
  entry: {
    index: 'src/index.ts',
    node: 'src/node.ts',
    browser: 'src/browser.ts',
    wire: 'src/wire.ts',
    hono: 'src/middleware/hono.ts',
    express: 'src/middleware/express.ts',
    fastify: 'src/middleware/fastify.ts',
  },
  format: ['esm', 'cjs'],
  // The protocol package is private TypeScript source: inlined into the code and the types, so
  // the published package neither imports nor depends on it. The types find it by path, not
  // through node_modules: the declaration bundler keeps whatever a node_modules path imports.
  noExternal: ['@lastseen/protocol'],
  dts: { compilerOptions: { paths: { '@lastseen/protocol': ['../protocol/src/index.ts'] } } },
  clean: true,
  sourcemap: true,
  target: 'es2022',
  treeshake: true,
  define,
  // A self-contained browser build (ky included) for a plain <script type="module"> from a CDN.
  onSuccess: async () => {
    await build({
      entryPoints: ['src/browser.ts'],
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      sourcemap: true,
      define,
      outfile: 'dist/lastseen.min.js',
      logLevel: 'warning',
    })
  },
})
