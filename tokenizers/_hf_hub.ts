/**
 * Finding a model's `tokenizer.json` in the local Hugging Face cache, and
 * downloading it into that cache, in the layout `huggingface_hub` uses:
 *
 * ```text
 * <cache>/models--<org>--<name>/refs/main                      the commit of main
 * <cache>/models--<org>--<name>/blobs/<etag>                   the file
 * <cache>/models--<org>--<name>/snapshots/<commit>/tokenizer.json → ../../blobs/<etag>
 * ```
 *
 * `<cache>` is `$HF_HUB_CACHE`, else `$HF_HOME/hub`, else
 * `$XDG_CACHE_HOME/huggingface/hub`, else `~/.cache/huggingface/hub`. The hub
 * is `$HF_ENDPOINT` (default `https://huggingface.co`), the token `$HF_TOKEN`
 * (else the file `$HF_TOKEN_PATH` or `$HF_HOME/token` that `hf auth login`
 * writes), and `HF_HUB_OFFLINE=1` forbids downloads: the variables
 * `huggingface_hub` itself honours.
 *
 * @module
 */
import { join, resolve } from "node:path";
import { UsageError } from "../errors.ts";
import { parseTokenizerJson } from "./_hf_tokenizer.ts";

/**
 * How the Hugging Face Hub is reached: the environment variables read (cache,
 * endpoint, token, offline) and how long a download may take.
 */
export interface HubOptions {
  /**
   * Environment variables to use instead of the process's (`HF_HOME`,
   * `HF_HUB_CACHE`, `HF_ENDPOINT`, `HF_TOKEN`, `HF_HUB_OFFLINE`, `HOME`, …):
   * when given, only these are read.
   */
  env?: Readonly<Record<string, string | undefined>>;
  /** Time allowed until the hub's response headers, in ms (default 10 000). */
  timeoutMs?: number;
  /** Time allowed for the whole download, in ms (default 120 000). */
  bodyTimeoutMs?: number;
}

/** The default hub. */
export const DEFAULT_HF_ENDPOINT = "https://huggingface.co";

const FILE = "tokenizer.json";

function envOf(options: HubOptions): (key: string) => string | undefined {
  const env = options.env;
  if (env !== undefined) return (key) => env[key] || undefined;
  return (key) => {
    try {
      return Deno.env.get(key) || undefined;
    } catch {
      return undefined; // no --allow-env: defaults apply
    }
  };
}

/** The user's home folder, if known. */
export function homeDir(options: HubOptions = {}): string | undefined {
  const env = envOf(options);
  return env("HOME") ?? env("USERPROFILE");
}

/** `~` and `~/…` expanded to the home folder. */
export function expandHome(path: string, options: HubOptions = {}): string {
  if (path !== "~" && !path.startsWith("~/") && !path.startsWith("~\\")) return path;
  const home = homeDir(options);
  return home === undefined ? path : join(home, path.slice(1));
}

function hfHome(options: HubOptions): string {
  const env = envOf(options);
  const home = env("HF_HOME");
  if (home !== undefined) return resolve(expandHome(home, options));
  const xdg = env("XDG_CACHE_HOME");
  const base = xdg ?? join(homeDir(options) ?? ".", ".cache");
  return resolve(expandHome(base, options), "huggingface");
}

/** The hub cache folder (see the module doc for the order of variables). */
export function hubCacheDir(options: HubOptions = {}): string {
  const env = envOf(options);
  const explicit = env("HF_HUB_CACHE") ?? env("HUGGINGFACE_HUB_CACHE");
  if (explicit !== undefined) return resolve(expandHome(explicit, options));
  return join(hfHome(options), "hub");
}

/** The hub's base URL, without a trailing slash. */
export function hubEndpoint(options: HubOptions = {}): string {
  return (envOf(options)("HF_ENDPOINT") ?? DEFAULT_HF_ENDPOINT).replace(/\/+$/, "");
}

/**
 * Whether `name` has the form of a Hub model id, `org/name` (letters, digits,
 * `-`, `_`, `.`; no `--` or `..`, as the Hub requires).
 */
export function isModelId(name: string): boolean {
  return /^[A-Za-z0-9][\w.-]*\/[\w.-]*[A-Za-z0-9_]$/.test(name) && !/--|\.\./.test(name);
}

/** The cache folder of model `id`: `models--org--name`. */
export function repoDir(id: string, options: HubOptions = {}): string {
  return join(hubCacheDir(options), `models--${id.replaceAll("/", "--")}`);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

async function readRef(repo: string): Promise<string | undefined> {
  try {
    const ref = (await Deno.readTextFile(join(repo, "refs", "main"))).trim();
    return /^[\w.-]+$/.test(ref) ? ref : undefined;
  } catch {
    return undefined;
  }
}

/** What a look in the cache found. */
export interface CacheLookup {
  /** The `tokenizer.json` found, if any. */
  path?: string;
  /** What was looked at, for error messages. */
  looked: string;
}

/**
 * The cached `tokenizer.json` of model `id`: the one of the snapshot
 * `refs/main` points to, else of the most recently modified snapshot that has
 * one.
 */
export async function findCachedTokenizer(
  id: string,
  options: HubOptions = {},
): Promise<CacheLookup> {
  const repo = repoDir(id, options);
  const snapshots = join(repo, "snapshots");
  const looked = join(snapshots, "*", FILE);
  const ref = await readRef(repo);
  if (ref !== undefined) {
    const path = join(snapshots, ref, FILE);
    if (await isFile(path)) return { path, looked };
  }
  const found: { path: string; mtime: number }[] = [];
  try {
    for await (const entry of Deno.readDir(snapshots)) {
      const path = join(snapshots, entry.name, FILE);
      try {
        const info = await Deno.stat(path);
        if (info.isFile) found.push({ path, mtime: info.mtime?.getTime() ?? 0 });
      } catch {
        // this snapshot has no tokenizer.json
      }
    }
  } catch {
    return { looked };
  }
  found.sort((a, b) => b.mtime - a.mtime || (a.path < b.path ? -1 : 1));
  return { path: found[0]?.path, looked };
}

/** The token to send to the hub, if the user has one. */
async function hubToken(options: HubOptions): Promise<string | undefined> {
  const env = envOf(options);
  const token = env("HF_TOKEN") ?? env("HUGGING_FACE_HUB_TOKEN");
  if (token !== undefined) return token.trim();
  const file = env("HF_TOKEN_PATH") ?? join(hfHome(options), "token");
  try {
    return (await Deno.readTextFile(expandHome(file, options))).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Whether downloads are forbidden (`HF_HUB_OFFLINE`). */
export function hubOffline(options: HubOptions = {}): boolean {
  const value = envOf(options)("HF_HUB_OFFLINE")?.toLowerCase();
  return value !== undefined && ["1", "true", "yes", "on"].includes(value);
}

/** A download failure: why, for the message of the caller's {@linkcode UsageError}. */
export class DownloadError extends Error {
  override name = "DownloadError";
}

/** An ETag as a file name: no `W/`, no quotes. */
function etagName(value: string | null): string | undefined {
  const etag = value?.replace(/^W\//, "").replaceAll('"', "").trim();
  return etag && /^[\w.-]+$/.test(etag) ? etag : undefined;
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Fetches `url`, following redirects by hand so the token never leaves the hub's origin. */
async function fetchFollowing(
  url: string,
  token: string | undefined,
  signal: AbortSignal,
): Promise<{ response: Response; commit?: string; etag?: string }> {
  const origin = new URL(url).origin;
  let commit: string | undefined;
  let etag: string | undefined;
  for (let hop = 0; hop < 10; hop++) {
    const headers = new Headers({ "user-agent": "mib" });
    if (token !== undefined && new URL(url).origin === origin) {
      headers.set("authorization", `Bearer ${token}`);
    }
    const response = await fetch(url, { headers, redirect: "manual", signal });
    commit ??= response.headers.get("x-repo-commit") ?? undefined;
    etag ??= etagName(response.headers.get("x-linked-etag"));
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location !== null) {
      await response.body?.cancel();
      url = new URL(location, url).href;
      continue;
    }
    etag ??= etagName(response.headers.get("etag"));
    return { response, commit, etag };
  }
  throw new DownloadError("too many redirects");
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = `${path}.${crypto.randomUUID()}.incomplete`;
  await Deno.writeTextFile(temp, text);
  await Deno.rename(temp, path);
}

/**
 * Downloads `<endpoint>/<id>/resolve/main/tokenizer.json` into the cache and
 * returns the snapshot path. The file is checked to be a tokenizer.json
 * before anything is written.
 *
 * @throws {DownloadError} with the reason (offline, timeout, HTTP status,
 *   not a tokenizer.json), worded to follow "could not be downloaded: ".
 */
export async function downloadTokenizer(id: string, options: HubOptions = {}): Promise<string> {
  if (hubOffline(options)) throw new DownloadError("HF_HUB_OFFLINE is set");
  const url = `${hubEndpoint(options)}/${id}/resolve/main/${FILE}`;
  const token = await hubToken(options);
  const controller = new AbortController();
  const headerTimeout = options.timeoutMs ?? 10_000;
  let timer = setTimeout(() => controller.abort(), headerTimeout);
  let text: string;
  let commit: string | undefined;
  let etag: string | undefined;
  try {
    let response: Response;
    try {
      ({ response, commit, etag } = await fetchFollowing(url, token, controller.signal));
    } catch (error) {
      if (error instanceof DownloadError) throw error;
      throw new DownloadError(
        controller.signal.aborted
          ? `${url} did not answer within ${headerTimeout / 1000} s`
          : `${url}: ${(error as Error).message}`,
      );
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new DownloadError(statusReason(response.status, url, token !== undefined));
    }
    clearTimeout(timer);
    const bodyTimeout = options.bodyTimeoutMs ?? 120_000;
    timer = setTimeout(() => controller.abort(), bodyTimeout);
    try {
      text = await response.text();
    } catch (error) {
      throw new DownloadError(
        controller.signal.aborted
          ? `${url} took over ${bodyTimeout / 1000} s`
          : `${url}: ${(error as Error).message}`,
      );
    }
  } finally {
    clearTimeout(timer);
  }
  try {
    parseTokenizerJson(text, url);
  } catch (error) {
    throw new DownloadError(error instanceof UsageError ? error.detail : String(error));
  }
  return await storeInCache(id, text, commit, etag ?? await sha256(text), options);
}

function statusReason(status: number, url: string, withToken: boolean): string {
  switch (status) {
    case 401:
    case 403:
      return `${url} answered ${status}: ${
        withToken
          ? "the token (HF_TOKEN) has no access to this model; accept its license on the Hub"
          : "the model is gated or private; set HF_TOKEN to a token with access to it"
      }`;
    case 404:
      return `${url} answered 404: no such model, or it has no tokenizer.json`;
    default:
      return `${url} answered HTTP ${status}`;
  }
}

/** Writes `text` as model `id`'s tokenizer.json at `commit`, the way huggingface_hub does. */
async function storeInCache(
  id: string,
  text: string,
  commit: string | undefined,
  etag: string,
  options: HubOptions,
): Promise<string> {
  const repo = repoDir(id, options);
  const revision = commit !== undefined && /^[\w.-]+$/.test(commit) ? commit : "main";
  const snapshot = join(repo, "snapshots", revision);
  const blob = join(repo, "blobs", etag);
  const path = join(snapshot, FILE);
  try {
    await Deno.mkdir(join(repo, "blobs"), { recursive: true });
    await Deno.mkdir(join(repo, "refs"), { recursive: true });
    await Deno.mkdir(snapshot, { recursive: true });
    await writeAtomically(blob, text);
    await Deno.remove(path).catch(() => {});
    try {
      await Deno.symlink(join("..", "..", "blobs", etag), path);
    } catch {
      await writeAtomically(path, text); // no symlinks here (Windows without developer mode)
    }
    await writeAtomically(join(repo, "refs", "main"), revision);
  } catch (error) {
    throw new DownloadError(`cannot write to the cache ${repo}: ${(error as Error).message}`);
  }
  return path;
}
