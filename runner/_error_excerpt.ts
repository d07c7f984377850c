/**
 * The excerpt of an error response's body that a failed request records: one
 * line, an HTML page reduced to its title.
 *
 * @module
 */

/** Longest excerpt kept, in characters (longer ones end with "…"). */
export const MAX_EXCERPT = 200;

const HTML_START = /^\s*(<!doctype html|<html|<head|<body|<title)/i;
const TITLE = /<title[^>]*>([\s\S]*?)<\/title>/i;
const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  "#39": "'",
  nbsp: " ",
};

/** Text with its common HTML entities decoded. */
function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_, name: string) => ENTITIES[name]);
}

/** Whitespace runs (line ends included) as one space, trimmed, at most {@linkcode MAX_EXCERPT} characters. */
function oneLine(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length <= MAX_EXCERPT ? line : `${line.slice(0, MAX_EXCERPT - 1)}…`;
}

/**
 * The excerpt of an error body: an HTML page (a proxy's error page, say)
 * becomes its `<title>`, or without one its first line of text; anything
 * else is its text on one line. Either way at most {@linkcode MAX_EXCERPT}
 * characters.
 *
 * @example
 * ```ts
 * errorExcerpt("<html><head><title>502 Bad Gateway</title></head>…</html>"); // "502 Bad Gateway"
 * errorExcerpt('{"error":\n  "overloaded"}'); // '{"error": "overloaded"}'
 * ```
 */
export function errorExcerpt(body: string): string {
  if (!HTML_START.test(body)) return oneLine(body);
  const title = TITLE.exec(body)?.[1];
  if (title !== undefined && title.trim() !== "") return oneLine(decodeEntities(title));
  const text = body.replace(/<(script|style)[\s\S]*?<\/\1>/gi, "").replace(/<[^>]*>/g, "\n");
  const first = text.split("\n").find((line) => line.trim() !== "") ?? "";
  return oneLine(decodeEntities(first));
}
