/**
 * commander with typed options: the one place mib names the package, so one
 * line swaps it (a full `npm:` specifier, so the library imports from anywhere).
 *
 * @module
 */
export * from "npm:@commander-js/extra-typings@^15.1.0";
