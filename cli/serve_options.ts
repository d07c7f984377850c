/**
 * The flags of `mib serve`, apart from the simulator they start: the command
 * line lists them (and `--help` prints them) without loading the simulator.
 *
 * @module
 */
import { FAULT_SPEC_FORM, HONOURED_FIELDS } from "../simulator/options.ts";
import type { OptionSpec } from "./options.ts";

/** Every option of `mib serve`, in help order. */
export const SERVE_OPTIONS: readonly OptionSpec[] = [
  {
    key: "host",
    flag: "--host",
    arg: "<host>",
    kind: "string",
    help: "address to listen on (default 127.0.0.1)",
  },
  {
    key: "port",
    flag: "--port",
    arg: "<port>",
    kind: "non-negative-int",
    help: "port to listen on, 0 for any free one (default 8000)",
  },
  {
    key: "model",
    flag: "--model",
    arg: "<id>",
    kind: "string",
    help: "served model id (default mib-sim)",
  },
  {
    key: "ttft_ms",
    flag: "--ttft-ms",
    arg: "<ms>",
    kind: "non-negative-number",
    help: "time to first token, ms (default 20)",
  },
  {
    key: "tpot_ms",
    flag: "--tpot-ms",
    arg: "<ms>",
    kind: "non-negative-number",
    help: "time between tokens, ms (default 5)",
  },
  {
    key: "max_num_seqs",
    flag: "--max-num-seqs",
    arg: "<n>",
    kind: "positive-int",
    help: "at most N requests run at once (vLLM's --max-num-seqs); the rest wait in the " +
      "server's queue, first come first served, their TTFT growing by the wait (default no limit)",
  },
  {
    key: "prefill_ms_per_token",
    flag: "--prefill-ms-per-token",
    arg: "<ms>",
    kind: "non-negative-number",
    help: "prefill time per prompt token: TTFT = queue wait + --ttft-ms + P × prompt tokens " +
      "not served from the prefix cache (default 0)",
  },
  {
    key: "tpot_growth_ms",
    flag: "--tpot-growth-ms",
    arg: "<ms>",
    kind: "non-negative-number",
    help: "time per token grows by G for each other running request: tpot(b) = --tpot-ms + " +
      "G × (b − 1), b the running count when the previous chunk was written (default 0)",
  },
  {
    key: "kv_cache_tokens",
    flag: "--kv-cache-tokens",
    arg: "<n>",
    kind: "positive-int",
    help: "KV-cache budget: a request is admitted only when its prompt + the tokens it will " +
      "generate fit in what the running requests leave; else it waits (default unlimited)",
  },
  {
    key: "pooling_token_ms",
    flag: "--pooling-token-ms",
    arg: "<ms>",
    kind: "non-negative-number",
    help:
      "embeddings, rerank and score requests answer at arrival + --ttft-ms + input tokens × this (default 0.01)",
  },
  {
    key: "embedding_dim",
    flag: "--embedding-dim",
    arg: "<n>",
    kind: "positive-int",
    help: "length of each embedding vector answered (default 8)",
  },
  {
    key: "natural_len",
    flag: "--natural-len",
    arg: "<n>",
    kind: "positive-int",
    help: "tokens generated when a request does not set ignore_eos (default 64)",
  },
  {
    key: "reasoning_tokens",
    flag: "--reasoning-tokens",
    arg: "<n>",
    kind: "non-negative-int",
    help:
      "a reasoning model: the first N tokens of each streamed response are reasoning (chat: delta.reasoning_content; completions: inside <think>...</think>; Ollama: thinking) (default 0)",
  },
  {
    key: "tokens_per_chunk",
    flag: "--tokens-per-chunk",
    arg: "<n>",
    kind: "positive-int",
    help: "tokens carried by each streamed chunk (default 1)",
  },
  {
    key: "no_role_chunk",
    flag: "--no-role-chunk",
    kind: "boolean",
    help: "chat: no role-only first chunk",
  },
  {
    key: "triton_cumulative",
    flag: "--triton-cumulative",
    kind: "boolean",
    help: "Triton: streamed text_output is the text generated so far (TensorRT-LLM BLS " +
      "accumulate_tokens) instead of each response's new text (default off)",
  },
  {
    key: "legacy_delimiter",
    flag: "--legacy-delimiter",
    arg: "<newline|nul>",
    kind: "choice",
    choices: ["newline", "nul"],
    help: "vLLM legacy /generate: record terminator, newline (current vLLM) or nul (older) " +
      "(default newline)",
  },
  {
    key: "fail_after",
    flag: "--fail-after",
    arg: "<n>",
    kind: "non-negative-int",
    help: "failure injection: every generation fails when its token chunk n is due, after n " +
      "chunks, with its protocol's mid-stream error (vLLM legacy: connection cut) or error " +
      "answer (default never)",
  },
  {
    key: "faults",
    flag: "--faults",
    arg: "<spec>",
    kind: "string",
    help:
      `mixed fault injection, each generation request drawing at most one fault: ${FAULT_SPEC_FORM} ` +
      "(429/500 JSON errors, 503 a proxy's HTML page, cut stream, stall mid-stream, junk " +
      "event, connection reset, slow headers, never answered; default none)",
  },
  {
    key: "faults_seed",
    flag: "--faults-seed",
    arg: "<n>",
    kind: "int",
    help: "seed of the fault draw, made per request from its serving index (default 0)",
  },
  {
    key: "faults_stall_ms",
    flag: "--faults-stall-ms",
    arg: "<ms>",
    kind: "non-negative-number",
    help: "how long a stall fault pauses a stream and a never-answer fault holds a request " +
      "before resetting it (default 10000)",
  },
  {
    key: "faults_delay_ms",
    flag: "--faults-delay-ms",
    arg: "<ms>",
    kind: "non-negative-number",
    help: "how late a slow-headers response begins, its tokens shifted with it (default 1000)",
  },
  {
    key: "max_context",
    flag: "--max-context",
    arg: "<n>",
    kind: "positive-int",
    help: "context in the server's prompt tokens: llama.cpp routes cut a longer prompt as " +
      "llama.cpp does (truncated: true); OpenAI routes refuse prompt + max tokens beyond it " +
      "with vLLM's HTTP 400 (default no limit)",
  },
  {
    key: "honour",
    flag: "--honour",
    arg: "<field>",
    kind: "choice",
    choices: HONOURED_FIELDS,
    help: "chat: the length field honoured, max_tokens, max_completion_tokens or both; a " +
      "request with only the other one runs to --natural-len (default both)",
  },
  {
    key: "prompt_scale",
    flag: "--prompt-scale",
    arg: "<k>",
    kind: "positive-number",
    help: "the server counts K prompt tokens for each of the client's cl100k_base tokens, as " +
      "a server with another tokenizer would (default 1)",
  },
  {
    key: "prefix_cache",
    flag: "--prefix-cache",
    kind: "boolean",
    help: "OpenAI routes: a prefix cache of 64-character blocks; a prompt starting with an " +
      "earlier prompt (or prompt + reply) skips that part's prefill and reports " +
      "usage.prompt_tokens_details.cached_tokens, as vLLM",
  },
  {
    key: "accept_any_model",
    flag: "--accept-any-model",
    kind: "boolean",
    help: "serve requests naming any model (default: another model than --model gets the " +
      "protocol's model-not-found answer, e.g. HTTP 404)",
  },
  {
    key: "record",
    flag: "--record",
    kind: "boolean",
    help: "record when each request arrived and each token chunk was written; served as JSON at " +
      "GET /mib/record ({timeOrigin, requests: [{id, endpoint, arrival, writes, tokens, end}]}, " +
      "server performance.now() ms, id from x-request-id), cleared by DELETE /mib/record " +
      "(default off; memory grows with every chunk until cleared)",
  },
  {
    key: "record_bodies",
    flag: "--record-bodies",
    kind: "boolean",
    help: "with --record (implied): keep each generation request's body in its record entry " +
      "(body: the parsed JSON), to check what a client sent (default off; memory grows with " +
      "every prompt)",
  },
];
