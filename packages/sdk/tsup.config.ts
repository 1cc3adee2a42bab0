import { readFileSync } from 'node:fs'
import { defineConfig } from 'tsup'

const { version } = JSON.parse(
  readFileSync(new URL('./package.json', import.meta.url), 'utf8'),
) as {
  version: string
}

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
  define: { __LASTSEEN_VERSION__: JSON.stringify(version) },
})
