/**
 * @module
 * Benchmark 2, browser bundle size: what a web app ships when it imports each SDK. Every
 * package is bundled the same way with esbuild (browser platform, ESM, minified, code
 * splitting so lazily loaded chunks are counted apart), then gzip (level 9) and brotli
 * sizes are measured. Writes the `bundle-size` section of docs/benchmarks.md.
 *
 * Usage: tsx bundle/size.ts [--no-write]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { kb, ratio, table } from '../lib/format.js'
import { runContext, writeSection } from '../lib/report.js'

const { values } = parseArgs({ options: { 'no-write': { type: 'boolean', default: false } } })

const GOAL = 8 * 1024
const benchDir = fileURLToPath(new URL('..', import.meta.url))
const require = createRequire(join(benchDir, 'package.json'))

interface Subject {
  name: string
  /** A lighter build than the package's main entry. */
  variant?: string
  /** What an application writes to use it. */
  entry: string
}

const SUBJECTS: Subject[] = [
  { name: '@lastseen/sdk', entry: `export * from '@lastseen/sdk'` },
  { name: 'posthog-js', entry: `export { default, posthog } from 'posthog-js'` },
  {
    name: '@segment/analytics-next',
    entry: `export { AnalyticsBrowser } from '@segment/analytics-next'`,
  },
  { name: 'mixpanel-browser', entry: `export { default } from 'mixpanel-browser'` },
  { name: '@amplitude/analytics-browser', entry: `export * from '@amplitude/analytics-browser'` },
  // Lighter builds that peers ship as deep imports, for a fair floor.
  {
    name: 'posthog-js',
    variant: 'slim build, `posthog-js/dist/module.slim`',
    entry: `export { default } from 'posthog-js/dist/module.slim.js'`,
  },
  {
    name: 'mixpanel-browser',
    variant: 'core build, `mixpanel-browser/dist/mixpanel-core.cjs.js`',
    entry: `export { default } from 'mixpanel-browser/dist/mixpanel-core.cjs.js'`,
  },
]

const version = (name: string): string => {
  if (name === '@lastseen/sdk') return 'workspace'
  try {
    const pkg = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8'))
    return pkg.version as string
  } catch {
    return '?'
  }
}

interface Size {
  name: string
  variant?: string
  version: string
  raw: number
  gzip: number
  brotli: number
  lazyGzip: number
  /** Minified bytes each source module puts in the initial bundle, largest first. */
  modules: Array<[module: string, bytes: number]>
  error?: string
}

/** `node_modules/.pnpm/ky@1.5.0/node_modules/ky/x.js` → `ky/x.js`; `../packages/sdk/src/x.ts` → `sdk/src/x.ts`. */
const moduleName = (path: string): string =>
  path
    .replace(/^.*node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?/, '')
    .replace(/^(\.\.\/)+packages\//, '')

async function measure(subject: Subject): Promise<Size> {
  const outdir = mkdtempSync(join(tmpdir(), 'lastseen-bundle-'))
  try {
    const result = await build({
      stdin: { contents: subject.entry, resolveDir: benchDir, loader: 'ts' },
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      outdir,
      entryNames: 'entry',
      write: false,
      metafile: true,
      logLevel: 'silent',
      define: { 'process.env.NODE_ENV': '"production"' },
    })
    let raw = 0
    let gzip = 0
    let brotli = 0
    let lazyGzip = 0
    let modules: Array<[string, number]> = []
    for (const [path, output] of Object.entries(result.metafile.outputs)) {
      if (!path.endsWith('entry.js')) continue
      modules = Object.entries(output.inputs)
        .map(([input, { bytesInOutput }]): [string, number] => [moduleName(input), bytesInOutput])
        .filter(([, bytes]) => bytes > 0)
        .sort((a, b) => b[1] - a[1])
    }
    for (const file of result.outputFiles) {
      if (!file.path.endsWith('.js')) continue
      const z = gzipSync(file.contents, { level: 9 }).length
      if (file.path.endsWith('entry.js')) {
        raw = file.contents.length
        gzip = z
        brotli = brotliCompressSync(file.contents, {
          params: { [constants.BROTLI_PARAM_QUALITY]: 11 },
        }).length
      } else {
        lazyGzip += z
      }
    }
    return {
      name: subject.name,
      ...(subject.variant ? { variant: subject.variant } : {}),
      version: version(subject.name),
      raw,
      gzip,
      brotli,
      lazyGzip,
      modules,
    }
  } catch (err) {
    const message = (err as Error).message.split('\n')[0] ?? 'build failed'
    return {
      name: subject.name,
      ...(subject.variant ? { variant: subject.variant } : {}),
      version: version(subject.name),
      raw: Number.NaN,
      gzip: Number.NaN,
      brotli: Number.NaN,
      lazyGzip: Number.NaN,
      modules: [],
      error: message,
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true })
  }
}

const sizes: Size[] = []
for (const subject of SUBJECTS) {
  const size = await measure(subject)
  sizes.push(size)
  console.log(
    `${(size.variant ? `${size.name} (slim/core)` : size.name).padEnd(30)} ${kb(size.raw).padStart(10)} min  ${kb(size.gzip).padStart(10)} gzip  ${kb(size.brotli).padStart(10)} brotli` +
      (size.error ? `  (${size.error})` : ''),
  )
}

const own = sizes[0] as Size
const fromKy = own.modules.filter(([name]) => name.startsWith('ky/'))
const ourModules = own.modules.filter(([name]) => !name.startsWith('ky/'))
const sum = (list: Array<[string, number]>) => list.reduce((n, [, bytes]) => n + bytes, 0)
for (const [name, bytes] of own.modules) console.log(`${String(bytes).padStart(8)}  ${name}`)
const rows = sizes.map((s) => [
  s.name === '@lastseen/sdk'
    ? '**@lastseen/sdk** (browser entry, with ky)'
    : s.variant
      ? `${s.name} (${s.variant})`
      : s.name,
  s.version,
  kb(s.raw),
  `**${kb(s.gzip)}**`,
  kb(s.brotli),
  s.lazyGzip > 0 ? kb(s.lazyGzip) : '—',
  s.name === '@lastseen/sdk' ? '1×' : ratio(s.gzip / own.gzip),
])
const verdict =
  own.gzip <= GOAL
    ? `Goal ≤ 8 KB min+gzip: **met** (${kb(own.gzip)}).`
    : `Goal ≤ 8 KB min+gzip: **missed** (${kb(own.gzip)}).`
const markdown = `
${runContext('cd bench && npx tsx bundle/size.ts')}

${table(
  [
    'package',
    'version',
    'min',
    'min + gzip',
    'min + brotli',
    'lazy chunks (gzip)',
    'gzip size vs lastseen',
  ],
  rows,
)}

${verdict} Each row is what \`import\`ing the package's browser entry puts in the initial
bundle: esbuild 0.28, \`platform: 'browser'\`, ESM, minified, code splitting on (chunks a
package loads later with \`import()\` are listed apart, not in the initial size), gzip level 9,
brotli quality 11. Peers installed from npm in \`bench/\` at the versions shown. Sizes only
count code from npm; some peers fetch more at run time from their CDN (PostHog's recorder and
surveys, Segment's destinations), which is not counted here.

Where the minified bytes of \`@lastseen/sdk\`'s browser entry come from (esbuild's metafile,
before gzip): ky ${sum(fromKy).toLocaleString('en-US')} bytes in ${fromKy.length} modules, the SDK's own code and the protocol's
${sum(ourModules).toLocaleString('en-US')} bytes, of which:

${table(
  ['module', 'bytes, minified'],
  ourModules.map(([name, bytes]) => [`\`${name}\``, bytes.toLocaleString('en-US')]),
)}
`
console.log(markdown)
if (!values['no-write']) writeSection('bundle-size', markdown)
