// How this project runs Chromium: Debian's build (downloaded browsers are not reachable), headless,
// without the background services whose connections a closed network refuses. Used by
// ensure-chromium.mjs and by every browser test.

/** The Chromium binary: `CHROMIUM_PATH`, or Debian's. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Options for playwright-core's `chromium.launch()`. */
export const chromiumLaunchOptions = {
  executablePath: chromiumPath,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
}
