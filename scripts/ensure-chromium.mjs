// Browser tests drive a real Chromium. Debian's package is the one that installs on a machine
// with only a package registry (browser downloads are not reachable), so install it when missing.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chromiumPath as path } from './chromium.mjs'

if (existsSync(path)) process.exit(0)

const isRoot = process.getuid?.() === 0
const sudo = isRoot ? [] : ['sudo', '-n']
if (!existsSync('/usr/bin/apt-get')) {
  console.error(`Chromium not found at ${path}. Install it, or set CHROMIUM_PATH to its binary.`)
  process.exit(1)
}
console.log('Installing Chromium from Debian (apt-get install chromium) for the browser tests…')
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
const apt = (args) => {
  const [cmd, ...rest] = [...sudo, 'apt-get', ...args]
  execFileSync(cmd, rest, { stdio: 'inherit', env })
}
try {
  apt(['update', '-qq'])
  apt(['install', '-y', '-qq', '--no-install-recommends', 'chromium'])
} catch {
  console.error(
    `Could not install Chromium (needs root or passwordless sudo). Run: sudo apt-get install chromium, or set CHROMIUM_PATH.`,
  )
  process.exit(1)
}
if (!existsSync(path)) {
  console.error(
    `apt-get finished but ${path} is missing; set CHROMIUM_PATH to the Chromium binary.`,
  )
  process.exit(1)
}
