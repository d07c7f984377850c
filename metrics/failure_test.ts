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

Deno.test("requests ended on purpose keep their kind: aborted, timeout", () => {
  assert.equal(
    classifyFailure({
      error: "aborted: in flight at SIGTERM and still running after --grace 5 s",
      status: 200,
    }),
    "aborted",
  );
  assert.equal(
    classifyFailure({
      error: "timeout: no byte for 300 s mid-stream (--stall-timeout)",
      status: 200,
    }),
    "timeout",
  );
  assert.equal(
    classifyFailure({ error: "timeout: no connection within 30 s (--connect-timeout)" }),
    "timeout",
  );
});
