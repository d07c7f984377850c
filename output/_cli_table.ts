/**
 * cli-table3, the console tables: the one place mib names the package, so
 * one line swaps it (a full `npm:` specifier, so the library imports from anywhere).
 *
 * @module
 */
export { default } from "npm:cli-table3@^0.6.5";
