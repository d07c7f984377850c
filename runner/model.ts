/**
 * Which model a run names when `--model` is not given: the first the server
 * lists, as `vllm bench serve` does, else the backend's default.
 *
 * @module
 */
import type { Backend, ModelList } from "../backends/types.ts";
import { UsageError } from "../errors.ts";

/**
 * Asks the server at `baseUrl` for its model list and returns the first id.
 * Undefined when the server has no such list or cannot be asked.
 *
 * @example
 * ```ts
 * import { getBackend } from "../backends/mod.ts";
 * import { listedModel } from "./model.ts";
 *
 * await listedModel("http://localhost:8000", getBackend("vllm").modelList!, {}); // "meta-llama/…"
 * ```
 */
export async function listedModel(
  baseUrl: string,
  list: ModelList,
  headers: Record<string, string>,
  signal?: AbortSignal,
): Promise<string | undefined> {
  try {
    const response = await fetch(baseUrl + list.path, { headers, signal });
    if (!response.ok) {
      await response.body?.cancel();
      return undefined;
    }
    return list.pick(await response.json());
  } catch {
    return undefined;
  }
}

/** What {@linkcode chooseModel} needs. */
export interface ModelChoice {
  /** `--model`, when given. */
  model?: string;
  /** The backend to name a model to. */
  backend: Backend;
  /** Server base URL. */
  baseUrl: string;
  /** Headers for the model-list request (the run's, credentials included). */
  headers: Record<string, string>;
  /** Receives a warning when no model could be named. */
  warn: (line: string) => void;
  /** Aborts the model-list request. */
  signal?: AbortSignal;
}

/**
 * The model to name: given, listed by the server, or the backend's default.
 *
 * @throws {UsageError} on `--model` when the backend needs one and none was given.
 */
export async function chooseModel(choice: ModelChoice): Promise<string | undefined> {
  const { backend } = choice;
  if (choice.model !== undefined) return choice.model;
  const needs = backend.features.model;
  if (needs === "required") {
    throw new UsageError(
      "--model",
      `backend ${backend.name} needs the model (deployment) name; give --model NAME`,
    );
  }
  const listed = backend.modelList &&
    await listedModel(choice.baseUrl, backend.modelList, choice.headers, choice.signal);
  if (listed !== undefined) return listed;
  if (needs !== "optional") return needs.default;
  choice.warn(
    `warning: ${choice.baseUrl}${
      backend.modelList?.path ?? ""
    } named no model and --model is not set; requests name none`,
  );
  return undefined;
}
