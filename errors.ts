/**
 * Typed errors that carry what a user needs to fix their input.
 *
 * @module
 */

/**
 * A mistake in what the user asked for: a flag, a config-file key or a
 * distribution argument. The message names the flag or key and the form it
 * accepts; the CLI prints it on one line and exits with status 2.
 *
 * @example
 * ```ts
 * throw new UsageError("--num-of-req", "expected a positive integer, got \"abc\"");
 * // message: "--num-of-req: expected a positive integer, got "abc""
 * ```
 */
export class UsageError extends Error {
  /** Always `"UsageError"`. */
  override name = "UsageError";
  /** The flag or key at fault, e.g. `--backend` or `config key "backend"`. */
  readonly flag: string;
  /** What was wrong and the accepted form. */
  readonly detail: string;

  /** Creates an error for `flag` whose `detail` states the accepted form. */
  constructor(flag: string, detail: string) {
    super(`${flag}: ${detail}`);
    this.flag = flag;
    this.detail = detail;
  }
}

/**
 * Something outside the user's input that stops a run before it starts (a
 * server that cannot be reached, say). The CLI prints its message on one line
 * and exits with status 1.
 *
 * @example
 * ```ts
 * throw new RunError("cannot reach http://localhost:8000/v1/models: connection refused");
 * ```
 */
export class RunError extends Error {
  /** Always `"RunError"`. */
  override name = "RunError";
}
