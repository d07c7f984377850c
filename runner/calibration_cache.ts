/**
 * `mib calibrate`'s result as a file, and the per-user cache of them that
 * `mib bench` reads before a run: `$XDG_CACHE_HOME/mib/calibration.json`,
 * else `~/.cache/mib/calibration.json`, one entry per host (mib version,
 * Deno version, hostname, CPU count) and transport, so a home folder shared
 * by several machines keeps each one's.
 *
 * Reading is silent and cheap: without the permissions it needs (the two
 * variables, the file, the hostname) it reads nothing rather than ask, and
 * it loads nothing of the calibration itself (types only).
 *
 * @module
 */
import { dirname, join } from "node:path";
import denoJson from "../deno.json" with { type: "json" };
import type { CalibrationStep, Ceiling } from "./calibration.ts";
import type { TransportName } from "./transport.ts";

/** What a calibration holds for: the same mib and Deno on the same machine. */
export interface HostKey {
  /** mib's version (`deno.json`'s). */
  mib: string;
  /** Deno's version. */
  deno: string;
  /** The machine's hostname. */
  hostname: string;
  /** Its logical CPU count. */
  cpus: number;
}

/** A calibration's result: what `--json` prints, `--output-file` writes and the cache keeps. */
export interface CalibrationRecord {
  /** Format marker and version. */
  mib_calibration: 1;
  /** When it ran (ISO 8601). */
  date: string;
  /** Where and with what it ran. */
  host: HostKey;
  /** The transport measured. */
  transport: TransportName;
  /** The simulator measured against. */
  server: {
    /** Where it ran: its own process, or the client's. */
    where: "process" | "in-process";
    /** Its time to first token, ms. */
    ttftMs: number;
    /** Its time per output token, ms: a stream step's chunk rate is streams / this. */
    tpotMs: number;
  };
  /** Seconds each step lasted. */
  durationPerStep: number;
  /** The targets a step had to meet. */
  targets: {
    /** Token-time error p99 of a stream step, at most, ms. */
    tokenTimeErrorP99Ms: number;
    /** Schedule lag p99 of a rate step, at most, ms. */
    scheduleLagP99Ms: number;
    /** Achieved / asked rate of a rate step, within 1 ± this. */
    rateTolerance: number;
  };
  /** The ceiling the steps show. */
  ceiling: Ceiling;
  /** Every step run, in run order. */
  steps: CalibrationStep[];
}

/** The cache file: every host's and transport's latest calibration. */
interface CacheFile {
  mib_calibrations: 1;
  entries: CalibrationRecord[];
}

/** Entries kept in the cache file, the latest ones. */
const MAX_ENTRIES = 32;

const granted = (descriptor: Deno.PermissionDescriptor) =>
  Deno.permissions.querySync(descriptor).state === "granted";

/** A variable's value when it may be read (asked first: no prompt), else undefined. */
function env(name: string): string | undefined {
  return granted({ name: "env", variable: name }) ? Deno.env.get(name) || undefined : undefined;
}

/**
 * The cache file's path: `$XDG_CACHE_HOME/mib/calibration.json`, else
 * `~/.cache/mib/calibration.json`; undefined when neither variable is set or
 * may be read.
 */
export function calibrationCachePath(): string | undefined {
  const xdg = env("XDG_CACHE_HOME");
  if (xdg !== undefined) return join(xdg, "mib", "calibration.json");
  const home = env("HOME") ?? env("USERPROFILE");
  return home === undefined ? undefined : join(home, ".cache", "mib", "calibration.json");
}

/** The hostname, when it may be known. */
function hostname(): string | undefined {
  if (granted({ name: "sys", kind: "hostname" })) return Deno.hostname();
  // A compiled binary has no sys permission, but reads everything; Linux keeps it here.
  const path = "/proc/sys/kernel/hostname";
  if (Deno.build.os === "linux" && granted({ name: "read", path })) {
    try {
      return Deno.readTextFileSync(path).trim() || undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** This host's key, or undefined when its hostname cannot be known. */
export function hostKey(): HostKey | undefined {
  const name = hostname();
  if (name === undefined) return undefined;
  return {
    mib: denoJson.version,
    deno: Deno.version.deno,
    hostname: name,
    cpus: navigator.hardwareConcurrency,
  };
}

/** Whether `entry` is a calibration of the host `key` and transport `transport`. */
function matches(entry: unknown, key: HostKey, transport: TransportName): boolean {
  const e = entry as Partial<CalibrationRecord> | null;
  const host = e?.host as Partial<HostKey> | undefined;
  const ceiling = e?.ceiling as Partial<Ceiling> | undefined;
  return host?.mib === key.mib && host.deno === key.deno && host.hostname === key.hostname &&
    host.cpus === key.cpus && e?.transport === transport &&
    typeof ceiling?.streams === "number" && typeof ceiling.requestsPerSecond === "number" &&
    typeof e?.date === "string" && typeof e?.targets?.tokenTimeErrorP99Ms === "number" &&
    typeof e?.server?.tpotMs === "number";
}

/** The entries of the cache file at `path`; none when it is missing, unreadable or not one. */
async function readEntries(path: string): Promise<unknown[]> {
  if (!granted({ name: "read", path })) return [];
  try {
    const file = JSON.parse(await Deno.readTextFile(path)) as Partial<CacheFile> | null;
    return file?.mib_calibrations === 1 && Array.isArray(file.entries) ? file.entries : [];
  } catch {
    return [];
  }
}

/**
 * This host's cached calibration of `transport`, or undefined when there is
 * none (no file, another host or version, a corrupt file, or no permission
 * to look). Never asks for a permission and never throws.
 */
export async function readCalibration(
  transport: TransportName,
  path: string | undefined = calibrationCachePath(),
): Promise<CalibrationRecord | undefined> {
  if (path === undefined) return undefined;
  const entries = await readEntries(path);
  if (entries.length === 0) return undefined;
  const key = hostKey();
  if (key === undefined) return undefined;
  return entries.findLast((e) => matches(e, key, transport)) as CalibrationRecord | undefined;
}

/**
 * Puts `record` into the cache file at `path`, in place of the entry of
 * the same host and transport; written to a temporary file and renamed, so
 * a reader never sees half of it.
 *
 * @throws what writing throws (no permission, a read-only folder): the
 *   caller says why it was not saved.
 */
export async function saveCalibration(record: CalibrationRecord, path: string): Promise<void> {
  const kept = (await readEntries(path)).filter((e) =>
    !matches(e, record.host, record.transport)
  ) as CalibrationRecord[];
  const file: CacheFile = {
    mib_calibrations: 1,
    entries: [...kept, record].slice(-MAX_ENTRIES),
  };
  await Deno.mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    await Deno.writeTextFile(temporary, JSON.stringify(file, null, 2) + "\n");
    await Deno.rename(temporary, path);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw error;
  }
}
