/**
 * Which Prometheus page a run scrapes: the one `--server-metrics` names (it
 * must answer), none with `--no-server-metrics`, else the server's own
 * `/metrics` when it answers 200 with Prometheus text at the start.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { probeMetrics } from "./scraper.ts";

/**
 * The page to scrape, or undefined for none; `debug` hears why the default
 * page was not taken.
 *
 * @throws {UsageError} naming `--server-metrics` when the page it names does
 *   not answer with Prometheus text.
 */
export async function metricsPage(
  setting: string | false | undefined,
  baseUrl: string,
  headers: Record<string, string>,
  debug?: (line: string) => void,
  signal?: AbortSignal,
): Promise<string | undefined> {
  if (setting === false) return undefined;
  const url = setting ?? `${baseUrl.replace(/\/+$/, "")}/metrics`;
  const probe = await probeMetrics(url, headers, signal);
  if (probe.ok) return url;
  if (setting !== undefined) {
    throw new UsageError(
      "--server-metrics",
      `${url}: ${probe.why}; give the URL of a Prometheus page, or --no-server-metrics`,
    );
  }
  debug?.(`server metrics: none (${url}: ${probe.why})`);
  return undefined;
}
