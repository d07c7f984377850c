/**
 * The ready check before a run: wait until the server answers at all, so a
 * server that is down or still loading is said plainly instead of turning
 * into a run of failed requests.
 *
 * @module
 */
import { RunError } from "../errors.ts";

/** Pause between attempts, ms. */
const RETRY_MS = 200;

/** What {@linkcode waitForServer} needs. */
export interface ReadyCheck {
  /** URL to GET: any HTTP answer, whatever its status, means the server is up. */
  url: string;
  /** Seconds to keep trying; 0 skips the check. */
  timeoutSeconds: number;
  /** Headers of the request (credentials included). */
  headers?: Record<string, string>;
  /** Aborts the wait. */
  signal?: AbortSignal;
}

/** The server's first answer to the ready check. */
export interface ServerAnswer {
  /** Its HTTP status. */
  status: number;
  /** Its body as JSON, when the status was 2xx and the body JSON; else undefined. */
  json?: unknown;
}

/** Why one attempt got no answer, in a user's words. */
function reason(error: unknown): string {
  const text = error instanceof Error
    ? `${error.message} ${error.cause instanceof Error ? error.cause.message : ""}`
    : String(error);
  if (/refused/i.test(text)) return "connection refused";
  if (error instanceof DOMException && error.name === "TimeoutError") return "no answer";
  return text.trim();
}

/**
 * Resolves with the server's answer to a GET of `url` (any status) once it
 * answers, trying for up to `timeoutSeconds`; with undefined at once when
 * that is 0 (no check). The answer's JSON serves as the model list when `url`
 * is the backend's, so the check costs no extra request.
 *
 * @throws {RunError} saying why it got no answer (connection refused, no answer).
 *
 * @example
 * ```ts
 * import { waitForServer } from "./ready.ts";
 *
 * await waitForServer({ url: "http://localhost:8000/v1/models", timeoutSeconds: 5 });
 * ```
 */
export async function waitForServer(check: ReadyCheck): Promise<ServerAnswer | undefined> {
  if (check.timeoutSeconds <= 0) return undefined;
  const deadline = performance.now() + check.timeoutSeconds * 1000;
  let last = "no answer";
  for (;;) {
    const left = deadline - performance.now();
    if (left <= 0 || check.signal?.aborted) break;
    try {
      const signals = [AbortSignal.timeout(Math.max(1, left))];
      if (check.signal) signals.push(check.signal);
      const response = await fetch(check.url, {
        headers: check.headers,
        signal: AbortSignal.any(signals),
      });
      if (!response.ok) {
        await response.body?.cancel();
        return { status: response.status };
      }
      let json: unknown;
      try {
        json = await response.json();
      } catch {
        json = undefined;
      }
      return { status: response.status, json };
    } catch (error) {
      // A missing permission does not pass with waiting.
      if (error instanceof Deno.errors.NotCapable) throw error;
      last = reason(error);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(RETRY_MS, left)));
  }
  throw new RunError(
    `cannot reach ${check.url}: ${last} for ${check.timeoutSeconds} s (is the server up? --ready-check-timeout S waits longer, 0 skips the check)`,
  );
}
