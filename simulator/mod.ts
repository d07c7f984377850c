/**
 * The built-in simulator (`mib serve`): an inference server speaking the
 * native protocol of each server mib can benchmark, paced by configurable
 * time-to-first-token and time-per-output-token, so benchmarks and tests run
 * against a server whose timings are known.
 *
 * Endpoints: `GET /health`; OpenAI (vLLM's shape) `GET /v1/models`,
 * `POST /v1/completions`, `POST /v1/chat/completions`; TGI
 * `POST /generate_stream`, `GET /info`; `POST /generate` as TGI, SGLang or
 * vLLM's legacy server depending on the body; Triton/TensorRT-LLM
 * `POST /v2/models/{model}/generate[_stream]`; DeepSpeed-MII
 * `POST /mii/{model}`; llama.cpp `POST /completion`; Ollama
 * `POST /api/generate`, `GET /api/tags`; and with `record: true`
 * `GET /mib/record` / `DELETE /mib/record` (the server's write times, for
 * checking a client's own timings; see {@linkcode SimulatorHandle.record}).
 * `failAfter` makes every generation fail mid-way in its protocol's own way;
 * `faults` injects a seeded mix of faults (error statuses, cut, stalled,
 * malformed or late streams, reset connections, requests never answered),
 * counted by {@linkcode SimulatorHandle.faults} and `GET /mib/faults`.
 * A serving model saturates it as a real engine saturates: `maxNumSeqs`
 * running at once (the rest queue), prefill time per prompt token, a time
 * per token growing with the running batch, a KV-cache token budget; its
 * state is {@linkcode SimulatorHandle.engine} and vLLM's gauges at
 * `GET /metrics`.
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
  EXPECTED_OUTCOME,
  FAULT_KINDS,
  FAULT_SPEC_FORM,
  type FaultKind,
  type FaultLabel,
  type FaultRates,
  type FaultStats,
  formatFaultSpec,
  JUNK_VARIANTS,
  type JunkVariant,
  parseFaultSpec,
} from "./_faults.ts";
export {
  type EngineStats,
  faultsBanner,
  HONOURED_FIELDS,
  type HonouredField,
  type ProfileCall,
  type RecordedEndpoint,
  type RecordedRequest,
  type SimulatorHandle,
  type SimulatorOptions,
  type SimulatorRecord,
  startSimulator,
} from "./server.ts";
