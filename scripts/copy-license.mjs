// prepack of each published package: the repository's LICENSE goes into the tarball (npm and
// pnpm pack take a LICENSE only from the package's own folder).
import { copyFileSync } from 'node:fs'

copyFileSync(new URL('../LICENSE', import.meta.url), 'LICENSE')
