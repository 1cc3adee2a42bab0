/** The Chromium binary: `CHROMIUM_PATH`, or Debian's. */
export declare const chromiumPath: string
/** Options for playwright-core's `chromium.launch()`. */
export declare const chromiumLaunchOptions: { executablePath: string; args: string[] }
