import assert from "node:assert/strict";
import { errorExcerpt, MAX_EXCERPT } from "./_error_excerpt.ts";

Deno.test("errorExcerpt: an HTML page becomes its title", () => {
  const page = "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n" +
    "<body><center><h1>503 Service Temporarily Unavailable</h1></center></body></html>";
  assert.equal(errorExcerpt(page), "503 Service Temporarily Unavailable");
  assert.equal(
    errorExcerpt("<!DOCTYPE html><html><head><TITLE>\n  Bad &amp; Gateway\n</TITLE></head></html>"),
    "Bad & Gateway",
  );
});

Deno.test("errorExcerpt: an HTML page without a title becomes its first line of text", () => {
  const page =
    "<html><head><style>p { color: red }</style></head>\n<body>\n\n<h1>Gateway\nTimeout</h1>" +
    "<p>The upstream did not answer.</p></body></html>";
  assert.equal(errorExcerpt(page), "Gateway");
  assert.equal(errorExcerpt("<html><body></body></html>"), "");
});

Deno.test("errorExcerpt: other bodies on one line, capped", () => {
  assert.equal(
    errorExcerpt('{\n  "error": "Model is overloaded",\r\n  "error_type": "overloaded"\n}\n'),
    '{ "error": "Model is overloaded", "error_type": "overloaded" }',
  );
  assert.equal(errorExcerpt("  plain\ttext  "), "plain text");
  const long = errorExcerpt("x".repeat(1000));
  assert.equal(long.length, MAX_EXCERPT);
  assert.ok(long.endsWith("…"));
  assert.equal(errorExcerpt("a < b and <b>bold</b>"), "a < b and <b>bold</b>");
});
