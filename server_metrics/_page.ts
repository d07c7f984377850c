/**
 * One GET of a metrics page, and one scrape of it reduced to the values the
 * vocabulary reads: what the scraping thread and the probe share.
 *
 * @module
 */
import { parsePrometheus } from "./prometheus.ts";
import { reduceScrape, type Scrape } from "./series.ts";

/** Longest wait for one scrape, ms: a scrape slower than this is a failed one. */
const SCRAPE_TIMEOUT_MS = 5000;

/** Wall-clock ms now, at the resolution of the monotonic clock. */
const wallNow = () => performance.timeOrigin + performance.now();

/** GETs `url` on `client`; its body and when it arrived, or why there is none. */
export async function fetchPage(
  url: string,
  client: Deno.HttpClient,
  headers: Record<string, string>,
  signal?: AbortSignal,
): Promise<{ text: string; at: number } | { why: string }> {
  const timeout = AbortSignal.timeout(SCRAPE_TIMEOUT_MS);
  try {
    const response = await fetch(url, {
      client,
      headers,
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    const text = await response.text();
    const at = wallNow();
    if (response.status !== 200) return { why: `it answered HTTP ${response.status}` };
    return { text, at };
  } catch (error) {
    return { why: `no answer (${(error as Error).message})` };
  }
}

/** One scrape of `url`, parsed and reduced; undefined when it failed. */
export async function scrapeOnce(
  url: string,
  client: Deno.HttpClient,
  headers: Record<string, string>,
  signal?: AbortSignal,
): Promise<Scrape | undefined> {
  const page = await fetchPage(url, client, headers, signal);
  if ("why" in page) return undefined;
  try {
    return reduceScrape(parsePrometheus(page.text), page.at);
  } catch {
    return undefined;
  }
}
