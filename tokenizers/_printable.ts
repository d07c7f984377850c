/**
 * Text from a file or a library, made safe to print: an error that quotes a
 * binary file must not send its bytes to the terminal.
 *
 * @module
 */

/** Control characters but tab and line feed, and U+FFFD (undecodable bytes). */
// deno-lint-ignore no-control-regex
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufffd]/g;

/** What marks a text as a binary file's: NUL and other C0 controls, or U+FFFD. */
// deno-lint-ignore no-control-regex
const BINARY = /[\u0000-\u0008\u000e-\u001f\ufffd]/;

/**
 * `text` with control characters (but tab and line feed) and U+FFFD shown as
 * `\u{…}` escapes.
 *
 * @example
 * ```ts
 * printable('Unexpected token \'G\', "GGUF\u0003\u0000"'); // 'Unexpected token \'G\', "GGUF\\u{3}\\u{0}"'
 * ```
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}

/** Whether `text` (its start is enough) reads as a binary file rather than text. */
export function looksBinary(text: string): boolean {
  return BINARY.test(text.slice(0, 4096));
}
