import assert from "node:assert/strict";
import { classifyFailure } from "./failure.ts";

Deno.test("a connection closed before or while answering is a cut stream, never a parse error", () => {
  for (
    const [error, status] of [
      [
        "stream cut after 0 chunks: HttpProtocolError: connection closed before the response ended",
        200,
      ],
      ["HttpProtocolError: connection closed with no response", undefined],
    ] as const
  ) {
    assert.equal(classifyFailure({ error, status }), "stream_cut", error);
  }
  assert.equal(
    classifyFailure({ error: "HttpProtocolError: not an HTTP/1.x response: x" }),
    "parse",
  );
});
