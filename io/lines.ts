/**
 * Reading a text file line by line, so its size is not bounded by memory.
 *
 * @module
 */

/**
 * The file's lines (without `\n` / `\r\n`), decoded as UTF-8 while streaming.
 * Opening errors are thrown as they come (`Deno.errors.NotFound`, …).
 *
 * @example
 * ```ts
 * for await (const line of readLines("run.jsonl")) console.log(line.length);
 * ```
 */
export async function* readLines(path: string): AsyncGenerator<string> {
  const file = await Deno.open(path);
  // The readable closes the file at its end, or when the loop stops early.
  const decoder = new TextDecoder();
  // The line read so far, in pieces: searching or growing one string would
  // cost the whole line again at every chunk (a vLLM result is one long line).
  const pieces: string[] = [];
  for await (const chunk of file.readable) {
    const text = decoder.decode(chunk, { stream: true });
    let start = 0;
    let newline: number;
    while ((newline = text.indexOf("\n", start)) !== -1) {
      pieces.push(text.slice(start, newline));
      const line = pieces.join("");
      pieces.length = 0;
      yield line.replace(/\r$/, "");
      start = newline + 1;
    }
    if (start < text.length) pieces.push(text.slice(start));
  }
  const rest = pieces.join("") + decoder.decode();
  if (rest !== "") yield rest.replace(/\r$/, "");
}

/** The file's first line that is not blank, if any. */
export async function firstLine(path: string): Promise<string | undefined> {
  for await (const line of readLines(path)) if (line.trim() !== "") return line;
  return undefined;
}
