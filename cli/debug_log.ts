/**
 * `--debug` lines of `mib bench` before the run: the resolved configuration
 * (secrets redacted) with where each value came from, and the first planned
 * requests as they will be sent. The runner logs each request's timings.
 *
 * @module
 */
import type { Backend } from "../backends/types.ts";
import type { PlannedRequest } from "../runner/run.ts";
import { type Sequence, take } from "../distributions/mod.ts";
import type { Sources } from "./options.ts";
import type { BenchConfig } from "../runner/bench_config.ts";
import { redactConfig } from "../output/run_record.ts";
import { REDACTED, SECRET_HEADER } from "../runner/secrets.ts";

/** Planned requests shown in full before the run. */
const SHOWN_REQUESTS = 3;

/** Longest body shown of a planned request. */
const MAX_BODY = 600;

/** Infinity (poisson inf) has no JSON form. */
const json = (value: unknown) => JSON.stringify(value, (_, v) => (v === Infinity ? "inf" : v));

/** Logs the resolved configuration and the source of every value given. */
export function debugConfig(debug: (line: string) => void, config: BenchConfig, sources: Sources) {
  debug(`configuration: ${json(redactConfig(config))}`);
  const from = (where: "cli" | "config") =>
    Object.keys(sources).filter((k) => sources[k] === where).join(", ") || "none";
  debug(
    `values from the command line: ${from("cli")}; from --config-file: ${
      from("config")
    }; every other value is its default`,
  );
}

/** Logs how many requests were planned and the first few as they will be sent. */
export function debugPlan(
  debug: (line: string) => void,
  requests: Sequence<PlannedRequest>,
  backend: Backend,
): void {
  debug(`planned ${requests.length} request(s)`);
  for (const [i, planned] of take(requests, SHOWN_REQUESTS).entries()) {
    const built = backend.buildRequest(planned.request);
    const headers = Object.fromEntries(
      Object.entries(built.headers).map(([k, v]) => [k, SECRET_HEADER.test(k) ? REDACTED : v]),
    );
    const body = built.body.length > MAX_BODY
      ? `${built.body.slice(0, MAX_BODY)}… (${built.body.length} characters)`
      : built.body;
    debug(
      `planned request ${i}: at +${
        planned.offset.toFixed(3)
      } s, prompt ${planned.promptLen} tokens, max ${planned.request.maxTokens} tokens, headers ${
        json(headers)
      }, body ${body}`,
    );
  }
}
