/**
 * @huggingface/gguf, the GGUF header reader: the one place mib names the
 * package, so one line swaps it (a full `npm:` specifier, so the library
 * imports from anywhere). Imported lazily by `_gguf.ts`.
 *
 * @module
 */
export * from "npm:@huggingface/gguf@^0.4.6";
