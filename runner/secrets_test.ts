import assert from "node:assert/strict";
import { redactSecrets, secretValues } from "./secrets.ts";

Deno.test("secretValues: secret headers and the key after their scheme, longest first; short values left out", () => {
  assert.deepEqual(
    secretValues({
      Authorization: "Bearer sk-0123456789",
      "x-api-key": "abcdefgh12",
      "x-request-id": "mib-12345678-1",
      cookie: "a=1",
    }),
    ["Bearer sk-0123456789", "sk-0123456789", "abcdefgh12"],
  );
  assert.deepEqual(secretValues(undefined), []);
});

Deno.test("redactSecrets: every occurrence, whole header value before the bare key", () => {
  const secrets = secretValues({ authorization: "Bearer sk-0123456789" });
  assert.equal(
    redactSecrets(
      'HTTP 401: {"authorization":"Bearer sk-0123456789","key":"sk-0123456789"} sk-0123456789',
      secrets,
    ),
    'HTTP 401: {"authorization":"[redacted]","key":"[redacted]"} [redacted]',
  );
  assert.equal(redactSecrets("nothing here", secrets), "nothing here");
});
