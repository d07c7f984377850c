/**
 * The start of a result file, as format detection sees it.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { firstLine } from "../io/lines.ts";
import type { FileHead } from "./types.ts";

type Parsed = { value: unknown; error?: undefined } | { value?: undefined; error: string };

function parse(text: string): Parsed {
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/**
 * Reads the {@link FileHead} of `path`: its first line and, when the file is
 * a JSON object over several lines, the whole file parsed (once: readers take
 * it from the head).
 *
 * @throws {UsageError} naming the file when it cannot be read.
 */
export async function readHead(path: string): Promise<FileHead> {
  let first: string;
  try {
    first = await firstLine(path) ?? "";
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound
      ? "no such file"
      : (error as Error).message;
    throw new UsageError(path, `cannot read the file (${reason})`);
  }
  const line = parse(first);
  if (line.error === undefined) return { path, firstLine: first, json: line.value, jsonLine: true };
  // An array over several lines is a seed file, which its reader streams.
  if (!first.trimStart().startsWith("{")) {
    return { path, firstLine: first, json: undefined, jsonLine: false };
  }
  const whole = parse(await Deno.readTextFile(path));
  return { path, firstLine: first, json: whole.value, jsonLine: false, jsonError: whole.error };
}
