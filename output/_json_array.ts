/**
 * The elements of a file holding one JSON array, parsed one at a time as the
 * file streams by, so the array is never held whole.
 *
 * @module
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * Each element of the JSON array in file `path`, in order. Only the bytes of
 * one element are held at a time (plus a read chunk): the scanner tracks
 * nesting outside strings and hands each top-level element's text to
 * `JSON.parse`.
 *
 * @throws {SyntaxError} when the file is not one JSON array.
 */
export async function* jsonArrayElements(path: string): AsyncGenerator<unknown> {
  const file = await Deno.open(path);
  const decoder = new TextDecoder();
  let depth = 0;
  let inString = false;
  let escaped = false;
  let closed = false;
  // The current element's text: its earlier chunks' parts, and where it starts in this chunk.
  const pieces: string[] = [];
  for await (const chunk of file.readable) {
    const text = decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) inString = false;
        continue;
      }
      if (c === QUOTE) inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        if (depth === 0) {
          if (c !== OPEN_BRACKET || closed) throw new SyntaxError("not a JSON array");
          start = i + 1;
        }
        depth++;
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        depth--;
        if (depth < 0) throw new SyntaxError("unbalanced brackets");
      }
      // A comma or the array's end closes the element at depth 1.
      if ((c === COMMA && depth === 1) || (c === CLOSE_BRACKET && depth === 0)) {
        pieces.push(text.slice(start, i));
        const element = pieces.join("").trim();
        pieces.length = 0;
        start = i + 1;
        if (element !== "") yield JSON.parse(element);
        else if (c === COMMA) throw new SyntaxError("an empty array element");
        if (depth === 0) closed = true;
      } else if (depth === 0 && c > 0x20) throw new SyntaxError("not a JSON array");
    }
    if (depth > 0) pieces.push(text.slice(start));
  }
  if (decoder.decode().trim() !== "" || !closed || inString) {
    throw new SyntaxError("the JSON array ends early");
  }
}
