/**
 * `cserve`: CentML CServe's OpenAI-compatible completions API
 * (`POST /v1/completions`; CentML platform deployments serve it under
 * `/openai/v1/completions`, so pass that as `--endpoint` there).
 *
 * @module
 */
import { openai } from "./openai.ts";
import type { Backend } from "./types.ts";

/** The `cserve` backend. */
export const cserve: Backend = { ...openai, name: "cserve" };
