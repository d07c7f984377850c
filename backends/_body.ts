/**
 * The JSON body every backend sends, with `--extra-body` deep-merged last.
 *
 * @module
 */
import { deepmergeCustom } from "npm:deepmerge-ts@^8.0.2";
import type { BuiltRequest, GenerationRequest } from "./types.ts";

/** Objects merge key by key; anything else (arrays included) is replaced by the extra value. */
const merge = deepmergeCustom({ mergeArrays: false });

/**
 * `body` as the request to send: JSON, with `request.extraBody` deep-merged
 * into it last (objects merged key by key, arrays and other values replaced),
 * so an extra field can override any field mib sets.
 */
export function jsonRequest(
  body: Record<string, unknown>,
  request: Pick<GenerationRequest, "extraBody">,
): BuiltRequest {
  const merged = request.extraBody === undefined ? body : merge(body, request.extraBody);
  return { body: JSON.stringify(merged), headers: { "content-type": "application/json" } };
}
