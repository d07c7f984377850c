/**
 * `--profile`: vLLM's profiler switches around the measured run, as `vllm
 * bench serve --profile` does. `POST /start_profile` before the first
 * request, `POST /stop_profile` after the last response; vLLM serves them
 * (answering 200) only when it runs with its torch profiler on
 * (`VLLM_TORCH_PROFILER_DIR=DIR`, or `--profiler-config` in newer
 * versions), and answers 404 otherwise. SGLang serves the same two paths.
 * Stopping flushes the traces, which can take minutes: no timeout there.
 *
 * @module
 */
import { UsageError } from "../errors.ts";

/** The two switches. */
export type ProfileCall = "start" | "stop";

/**
 * POSTs `/start_profile` or `/stop_profile` at `baseUrl`.
 *
 * @throws {UsageError} naming `--profile` when the server answers 404 (no
 *   profiler) or anything but 2xx, or does not answer.
 */
export async function callProfiler(
  baseUrl: string,
  call: ProfileCall,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<void> {
  const url = `${baseUrl}/${call}_profile`;
  let response: Response;
  try {
    response = await fetch(url, { method: "POST", headers, signal });
    await response.body?.cancel();
  } catch (error) {
    throw new UsageError("--profile", `POST ${url} got no answer: ${(error as Error).message}`);
  }
  if (response.status === 404) {
    throw new UsageError(
      "--profile",
      `POST ${url} answered 404: the server has no profiler endpoint; start vLLM with VLLM_TORCH_PROFILER_DIR=DIR (or --profiler-config) to profile, or drop --profile`,
    );
  }
  if (!response.ok) {
    throw new UsageError("--profile", `POST ${url} answered HTTP ${response.status}`);
  }
}
