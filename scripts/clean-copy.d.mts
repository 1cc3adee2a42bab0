/** The repository's root directory. */
export declare const rootDir: string
/** The arguments of `npx` that run the pinned pnpm. */
export declare const pnpm: string[]
/** Copy the working tree without ignored files into `dest`, and install it offline. */
export declare function cleanCopy(dest: string, options?: { install?: boolean }): string
