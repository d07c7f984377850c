/**
 * Scraping a server's `/metrics` during a run: a timer every `interval`
 * seconds asks a thread of its own (`_scrape_worker.ts`, with an HTTP client
 * the benchmark's requests never share) for a scrape; it stamps the answer
 * when it arrives, parses it and reduces it to the few values the vocabulary
 * reads (`series.ts`), so a long run keeps a few numbers per scrape and the
 * thread stamping chunk arrivals never parses a page.
 *
 * @module
 */
import { isPrometheusText } from "./prometheus.ts";
import type { Scrape } from "./series.ts";
import { fetchPage } from "./_page.ts";
import type { ScrapeReply, ScrapeTarget } from "./_scrape_worker.ts";

/** What a probe of a metrics page found. */
export type ProbeResult = { readonly ok: true } | { readonly ok: false; readonly why: string };

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
  readonly #intervalMs: number;
  readonly #worker: Worker;
  readonly #scrapes: Scrape[] = [];
  /** Callers of scrapes asked for and not answered yet, in order. */
  readonly #waiting: ((scrape: Scrape | undefined) => void)[] = [];
  #failed = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<void> = Promise.resolve();
  #stopped = false;
  /** The thread is gone (stopped, or it failed): every scrape asked now fails at once. */
  #ended = false;

  private constructor(url: string, interval: number, headers: Record<string, string>) {
    this.#intervalMs = interval * 1000;
    this.#worker = new Worker(new URL("./_scrape_worker.ts", import.meta.url), {
      type: "module",
    });
    this.#worker.onmessage = (event: MessageEvent<ScrapeReply>) =>
      this.#waiting.shift()?.(event.data.scrape);
    this.#worker.onerror = (event) => {
      event.preventDefault();
      this.#end();
    };
    this.#worker.postMessage({ url, headers } satisfies ScrapeTarget);
  }

  /**
   * Starts scraping `url` every `interval` seconds, resolving once the first
   * scrape is in: the thread's start and the first fetch then stay before
   * t = 0, not in the first requests' sends.
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
    const scrape = this.#ended ? undefined : await new Promise<Scrape | undefined>((resolve) => {
      this.#waiting.push(resolve);
      this.#worker.postMessage("scrape");
    });
    if (scrape === undefined) this.#failed++;
    else this.#scrapes.push(scrape);
  }

  /** Stops the thread; scrapes still awaited count as failed. */
  #end(): void {
    this.#ended = true;
    this.#worker.terminate();
    for (const resolve of this.#waiting.splice(0)) resolve(undefined);
  }

  /** Stops the timer, waits for a scrape in progress, takes the last scrape; the scrapes. */
  async stop(): Promise<Scrapes> {
    if (!this.#stopped) {
      this.#stopped = true;
      clearTimeout(this.#timer);
      await this.#running;
      await this.#scrape();
      this.#end();
    }
    return { scrapes: this.#scrapes, failed: this.#failed };
  }

  /** Ends at once, without a last scrape (the run failed). */
  cancel(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#end();
  }
}
