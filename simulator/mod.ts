/**
 * The built-in simulator (`mib serve`): an OpenAI-compatible inference server
 * in the shape of vLLM's, paced by configurable time-to-first-token and
 * time-per-output-token, so benchmarks and tests run against a server whose
 * timings are known.
 *
 * Endpoints: `GET /health`, `GET /v1/models`, `POST /v1/completions`,
 * `POST /v1/chat/completions` (streaming and not), and with `record: true`
 * `GET /mib/record` / `DELETE /mib/record` (the server's write times, for
 * checking a client's own timings; see {@linkcode SimulatorHandle.record}).
 *
 * @example
 * ```ts
 * import { startSimulator } from "./mod.ts";
 *
 * const sim = await startSimulator({ ttftMs: 100, tpotMs: 10, quiet: false });
 * // point a benchmark at sim.url …
 * await sim.close();
 * ```
 *
 * @module
 */

export {
  type RecordedRequest,
  type SimulatorHandle,
  type SimulatorOptions,
  type SimulatorRecord,
  startSimulator,
} from "./server.ts";
