/**
 * Scraping a server's `/metrics` during a run: a timer, off the hot path,
 * every `interval` seconds, on an HTTP client of its own (a connection pool
 * the benchmark's requests never share), each answer stamped when it
 * arrives, parsed and reduced at once to the few values the vocabulary reads
 * (`series.ts`), so a long run keeps a few numbers per scrape.
 *
 * @module
 */
import { isPrometheusText, parsePrometheus } from "./prometheus.ts";
import { reduceScrape, type Scrape, WANTED_NAMES } from "./series.ts";

/** What a probe of a metrics page found. */
export type ProbeResult = { readonly ok: true } | { readonly ok: false; readonly why: string };

/** Longest wait for one scrape, ms: a scrape slower than this is a failed one. */
const SCRAPE_TIMEOUT_MS = 5000;

/** Wall-clock ms now, at the resolution of the monotonic clock. */
const wallNow = () => performance.timeOrigin + performance.now();

/** GETs `url` on `client`; the body when it answered 200 with Prometheus text. */
async function fetchPage(
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

/**
 * Whether `url` answers 200 with a Prometheus text page now (one GET on a
 * client of its own).
 */
export async function probeMetrics(
  url: string,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<ProbeResult> {
  const client = Deno.createHttpClient({});
  try {
    const page = await fetchPage(url, client, headers, signal);
    if ("why" in page) return { ok: false, why: page.why };
    if (!isPrometheusText(page.text)) return { ok: false, why: "its answer is no Prometheus text" };
    return { ok: true };
  } finally {
    client.close();
  }
}

/** The scrapes of a run, in time order, and how many failed. */
export interface Scrapes {
  /** Scrapes that answered, reduced. */
  readonly scrapes: Scrape[];
  /** Scrapes that failed. */
  readonly failed: number;
}

/**
 * Scrapes `url` now and then every `interval` seconds until
 * {@linkcode Scraper.stop}, which takes one last scrape. A scrape still
 * running when the next is due makes that one wait (never two at once).
 *
 * @example
 * ```ts ignore
 * const scraper = await Scraper.start("http://localhost:8000/metrics", 1);
 * // ... the run ...
 * const { scrapes } = await scraper.stop();
 * ```
 */
export class Scraper {
  readonly #url: string;
  readonly #intervalMs: number;
  readonly #headers: Record<string, string>;
  readonly #client = Deno.createHttpClient({});
  readonly #scrapes: Scrape[] = [];
  readonly #abort = new AbortController();
  #failed = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<void> = Promise.resolve();
  #stopped = false;

  private constructor(url: string, interval: number, headers: Record<string, string>) {
    this.#url = url;
    this.#intervalMs = interval * 1000;
    this.#headers = headers;
  }

  /**
   * Starts scraping `url` every `interval` seconds, resolving once the first
   * scrape is in: its fetch and parse then stay before t = 0, not in the
   * first requests' sends.
   */
  static async start(
    url: string,
    interval: number,
    headers: Record<string, string> = {},
  ): Promise<Scraper> {
    const scraper = new Scraper(url, interval, headers);
    scraper.#tick();
    await scraper.#running;
    return scraper;
  }

  /** One scrape now, then the next one in an interval (from this one's start). */
  #tick = (): void => {
    if (this.#stopped) return;
    const started = performance.now();
    this.#running = this.#scrape().then(() => {
      if (this.#stopped) return;
      const wait = Math.max(0, started + this.#intervalMs - performance.now());
      this.#timer = setTimeout(this.#tick, wait);
    });
  };

  async #scrape(): Promise<void> {
    const page = await fetchPage(this.#url, this.#client, this.#headers, this.#abort.signal);
    if ("why" in page) {
      this.#failed++;
      return;
    }
    try {
      this.#scrapes.push(reduceScrape(parsePrometheus(page.text, WANTED_NAMES), page.at));
    } catch {
      this.#failed++;
    }
  }

  /** Stops the timer, waits for a scrape in progress, takes the last scrape; the scrapes. */
  async stop(): Promise<Scrapes> {
    if (!this.#stopped) {
      this.#stopped = true;
      clearTimeout(this.#timer);
      await this.#running;
      await this.#scrape();
      this.#client.close();
    }
    return { scrapes: this.#scrapes, failed: this.#failed };
  }

  /** Ends at once, without a last scrape (the run failed). */
  cancel(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#abort.abort();
    this.#running.finally(() => this.#client.close());
  }
}
