/**
 * Reading a server's `/metrics` page (the Prometheus text exposition format)
 * into samples, with npm `parse-prometheus-text-format`.
 *
 * That parser groups a histogram's samples by their metric family, and in
 * doing so drops the `_sum` and `_count` of every histogram whose samples
 * carry labels (vLLM's all carry `model_name`) and merges the buckets of all
 * label sets into one. The page is therefore handed to it without its
 * comment lines (`# HELP`, `# TYPE`): every sample is then its own untyped
 * family under its full name (`x_bucket`, `x_sum`, `x_count`), labels kept.
 * Dropping the comments also spares the parser's refusal of a `# HELP` line
 * with an empty help text.
 *
 * @module
 */
import parse from "npm:parse-prometheus-text-format@^1.1.1";

/** One sample line: its full name, labels and value. */
export interface PromSample {
  /** Sample name, e.g. `vllm:time_to_first_token_seconds_sum`. */
  readonly name: string;
  /** Its labels (empty when it has none). */
  readonly labels: Readonly<Record<string, string>>;
  /** Its value (`+Inf`, `-Inf` and `NaN` as the numbers). */
  readonly value: number;
}

interface ParsedFamily {
  name: string;
  metrics: { value?: string; labels?: Record<string, string> }[];
}

/** A metric name, as the exposition format defines it. */
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** The name of a sample line: what comes before its labels or its value. */
function sampleName(line: string): string {
  let end = 0;
  while (end < line.length) {
    const c = line.charCodeAt(end);
    if (c === 123 /* { */ || c === 32 || c === 9) break;
    end++;
  }
  return line.slice(0, end);
}

/** A sample value as text → number (`+Inf`, `-Inf`, `NaN` included). */
function sampleValue(text: string | undefined): number {
  if (text === undefined) return NaN;
  const t = text.trim();
  if (t === "+Inf" || t === "Inf") return Infinity;
  if (t === "-Inf") return -Infinity;
  return Number(t);
}

/**
 * The samples of a Prometheus text page, in page order.
 *
 * @example
 * ```ts
 * import { parsePrometheus } from "./prometheus.ts";
 *
 * const samples = parsePrometheus('vllm:num_requests_running{model_name="m"} 3\n');
 * samples[0]; // { name: "vllm:num_requests_running", labels: { model_name: "m" }, value: 3 }
 * ```
 *
 * Given `keep`, only samples of those names are parsed: the lines of the
 * rest (a vLLM page is mostly histogram buckets) are dropped unread, which
 * makes an 85 KB page a ~10× cheaper scrape on the thread that stamps chunks.
 *
 * @throws {Error} when a sample line is malformed (the parser's message).
 */
export function parsePrometheus(text: string, keep?: ReadonlySet<string>): PromSample[] {
  const lines = text.split("\n").filter((line) => {
    const sample = line.trimStart();
    if (sample.startsWith("#")) return false;
    return keep === undefined || keep.has(sampleName(sample));
  });
  // The parser drops a last sample that no line end follows: every line gets one.
  const families = (parse as (text: string) => ParsedFamily[])(lines.join("\n") + "\n");
  const samples: PromSample[] = [];
  for (const family of families) {
    for (const metric of family.metrics) {
      samples.push({
        name: family.name,
        labels: metric.labels ?? {},
        value: sampleValue(metric.value),
      });
    }
  }
  return samples;
}

/**
 * Whether `text` reads as a Prometheus page: it parses, holds at least one
 * sample, and every sample has a metric name.
 */
export function isPrometheusText(text: string): boolean {
  try {
    // The parser reads much as samples ("<html><body>Not 404" is one): names tell.
    const samples = parsePrometheus(text);
    return samples.length > 0 && samples.every((s) => METRIC_NAME.test(s.name));
  } catch {
    return false;
  }
}
