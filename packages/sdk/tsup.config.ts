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
  entry: [
    'src/index.ts',
    'src/node.ts',
    'src/browser.ts',
    'src/wire.ts',
    'src/hono.ts',
    'src/express.ts',
    'src/fastify.ts',
  ],
  format: ['esm', 'cjs'],
  dts: true,
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
