/**
 * Secrets in request headers, and keeping them out of what mib writes: a
 * server or proxy may echo the request's headers in an error body, which
 * would otherwise reach the result files, the console and the debug log.
 *
 * @module
 */

/** Header names whose values are secrets. */
export const SECRET_HEADER = /^(authorization|proxy-authorization|x-api-key|api-key|cookie)$/i;

/** What replaces a secret. */
export const REDACTED = "[redacted]";

/**
 * The secret values among `headers`: each secret header's value and, for
 * `Bearer <key>` / `Basic <token>`, the key alone (an echo may quote either).
 * Values under 8 characters are left out: replacing them would blank
 * ordinary words without protecting anything.
 *
 * @example
 * ```ts
 * secretValues({ authorization: "Bearer sk-abc123456", "x-request-id": "r1" });
 * // ["Bearer sk-abc123456", "sk-abc123456"]
 * ```
 */
export function secretValues(headers: Readonly<Record<string, string>> = {}): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(headers)) {
    if (!SECRET_HEADER.test(name)) continue;
    values.add(value);
    const scheme = /^\s*\S+\s+(\S{8,})\s*$/.exec(value);
    if (scheme !== null) values.add(scheme[1]);
  }
  // Longest first, so a whole "Bearer <key>" is replaced before the key inside it.
  return [...values].filter((v) => v.length >= 8).sort((a, b) => b.length - a.length);
}

/**
 * `text` with every occurrence of each of `secrets` replaced by `[redacted]`.
 *
 * @example
 * ```ts
 * redactSecrets('{"authorization":"Bearer sk-abc123456"}', ["Bearer sk-abc123456", "sk-abc123456"]);
 * // '{"authorization":"[redacted]"}'
 * ```
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}
