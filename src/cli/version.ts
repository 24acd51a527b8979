/**
 * The version of this package, for `tsmicroservice --version` and for the projects `new` makes,
 * and the versions of the tools those projects use. Written here rather than read from
 * package.json so the command runs from the sources and from dist/ alike, on every runtime; a test
 * checks they agree with package.json.
 *
 * @module
 */

/**
 * This package's version.
 *
 * @example
 * ```ts
 * import { VERSION } from "./version.ts";
 * console.log(`tsmicroservice ${VERSION}`);
 * ```
 */
export const VERSION = "0.1.0";

/**
 * The dev dependencies of a project made by `tsmicroservice new`: tsx runs its TypeScript on
 * Node.js, TypeScript checks it (`npm run typecheck`, part of `npm test`), and @types/node types
 * what it uses of Node.js. The same versions this repository develops with.
 *
 * @example
 * ```ts
 * import { PROJECT_DEV_DEPENDENCIES } from "./version.ts";
 * PROJECT_DEV_DEPENDENCIES.tsx; // "^4.23.15"
 * ```
 */
export const PROJECT_DEV_DEPENDENCIES: Readonly<Record<string, string>> = {
  "@types/node": "^20.19.43",
  tsx: "^4.23.15",
  typescript: "^5.9.3",
};
