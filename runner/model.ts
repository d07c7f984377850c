/**
 * Which model a run names: `--model` checked against the models the server
 * lists, or, without it, the first the server lists (as `vllm bench serve`
 * does), else the backend's default.
 *
 * @module
 */
import type { Backend, ModelList } from "../backends/types.ts";
import { UsageError } from "../errors.ts";
import type { ServerAnswer } from "./ready.ts";

/**
 * The ids the server at `baseUrl` lists, in order. Undefined when the server
 * has no such list or cannot be asked.
 *
 * @example
 * ```ts
 * import { getBackend } from "../backends/mod.ts";
 * import { servedModels } from "./model.ts";
 *
 * await servedModels("http://localhost:8000", getBackend("vllm").modelList!, {}); // ["meta-llama/…"]
 * ```
 */
export async function servedModels(
  baseUrl: string,
  list: ModelList,
  headers: Record<string, string>,
  signal?: AbortSignal,
): Promise<string[] | undefined> {
  try {
    const response = await fetch(baseUrl + list.path, { headers, signal });
    if (!response.ok) {
      await response.body?.cancel();
      return undefined;
    }
    return list.ids(await response.json());
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
  /** Receives a warning: a `--model` the server does not list, or no model at all. */
  warn: (line: string) => void;
  /** A `--model` the server does not list is an error, not a warning (`--strict`). */
  strict?: boolean;
  /** Aborts the model-list request. */
  signal?: AbortSignal;
  /**
   * The ready check's answer to a GET of the backend's model list, when it
   * asked: read as the list instead of asking again.
   */
  answer?: ServerAnswer;
}

/**
 * The model to name: given (checked against the server's list), listed by
 * the server, or the backend's default.
 *
 * @throws {UsageError} on `--model` when the backend needs one and none was
 *   given, or, with `strict`, when the server does not list the one given.
 */
export async function chooseModel(choice: ModelChoice): Promise<string | undefined> {
  const { backend } = choice;
  const list = backend.modelList;
  const served = list === undefined
    ? undefined
    : choice.answer !== undefined
    ? (choice.answer.json === undefined ? undefined : list.ids(choice.answer.json))
    : await servedModels(choice.baseUrl, list, choice.headers, choice.signal);
  const where = `${choice.baseUrl}${list?.path ?? ""}`;
  if (choice.model !== undefined) {
    if (served !== undefined && served.length > 0 && !served.includes(choice.model)) {
      const detail = `"${choice.model}" is not among the models ${where} lists (${
        served.join(", ")
      }); the server may ignore the name, or fail every request`;
      if (choice.strict) throw new UsageError("--model", detail);
      choice.warn(`warning: --model ${detail}`);
    }
    return choice.model;
  }
  const needs = backend.features.model;
  if (needs === "required") {
    throw new UsageError(
      "--model",
      `backend ${backend.name} needs the model (deployment) name; give --model NAME`,
    );
  }
  if (served?.[0] !== undefined) return served[0];
  if (needs !== "optional") return needs.default;
  choice.warn(`warning: ${where} named no model and --model is not set; requests name none`);
  return undefined;
}
