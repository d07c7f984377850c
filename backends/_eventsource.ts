/**
 * eventsource-parser, the SSE event parser: the one place mib names the
 * package, so one line swaps it (a full `npm:` specifier, so the library
 * imports from anywhere).
 *
 * @module
 */
export { createParser, type EventSourceMessage } from "npm:eventsource-parser@^4.1.3";
