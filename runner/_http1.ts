/**
 * A small HTTP/1.1 client on `Deno.connect`, built for one job: many
 * long-lived streamed POST responses, each network read stamped the moment it
 * resolves, with as little work per read as possible.
 *
 * It speaks what inference servers answer with: a status line and headers,
 * then a body framed by `Transfer-Encoding: chunked`, by `Content-Length`, or
 * by the connection closing. Connections are kept alive and reused.
 *
 * @module
 */
import { RequestEnded } from "./watchdog.ts";
import type { OutgoingRequest, ResponseHandler, Transport } from "./transport.ts";

/**
 * Bytes read per socket read. Small on purpose: every open stream holds one
 * (10,000 streams × 2 KiB = 20 MB). A streamed chunk is a few hundred bytes;
 * a larger burst simply takes another read.
 */
const READ_BUFFER_BYTES = 2 * 1024;
/** Longest status line plus headers accepted. */
const MAX_HEAD_BYTES = 64 * 1024;

const EMPTY = new Uint8Array(0);
const CR = 13;
const LF = 10;
const encoder = new TextEncoder();
const latin1 = new TextDecoder("latin1");

/** A connection with its own read buffer. */
interface Connection {
  conn: Deno.Conn | Deno.TlsConn;
  buffer: Uint8Array;
}

/** The response ended badly (malformed, or the connection closed early). */
export class HttpProtocolError extends Error {
  override name = "HttpProtocolError";
}

const enum Body {
  Chunked,
  Length,
  UntilClose,
  None,
}

const enum Chunk {
  Size,
  Extension,
  SizeLf,
  Data,
  DataCr,
  DataLf,
  Trailer,
}

/** Incremental reader of one response. */
class ResponseReader {
  /** The head is complete and the body framing known. */
  #inBody = false;
  #head: Uint8Array = new Uint8Array(0);
  #body: Body = Body.None;
  #remaining = 0;
  #chunk: Chunk = Chunk.Size;
  #lineLength = 0;
  /** The connection can carry another request after this response. */
  keepAlive = true;
  /** The response is complete. */
  done = false;
  /** Bytes were received for this response. */
  started = false;

  constructor(private readonly handler: ResponseHandler) {}

  /** Consumes `buffer[0, n)` read at `time`. */
  push(buffer: Uint8Array, n: number, time: number): void {
    this.started = true;
    let i = 0;
    while (i < n && !this.done) {
      i = this.#inBody ? this.#readBody(buffer, i, n, time) : this.#readHead(buffer, i, n, time);
    }
    // Bytes after the end of the response: the server is not talking HTTP/1.1 as expected.
    if (i < n) this.keepAlive = false;
  }

  /**
   * The connection closed: that ends a body framed by the close; any other
   * response still open was cut short, and this throws.
   */
  eof(): void {
    if (this.done) return;
    if (this.#inBody && this.#body === Body.UntilClose) {
      this.done = true;
      this.keepAlive = false;
      return;
    }
    throw new HttpProtocolError(
      this.started
        ? "connection closed before the response ended"
        : "connection closed with no response",
    );
  }

  #readHead(buffer: Uint8Array, from: number, n: number, time: number): number {
    const previous = this.#head.length;
    const head = new Uint8Array(previous + n - from);
    head.set(this.#head);
    head.set(buffer.subarray(from, n), previous);
    let end = -1;
    for (let i = Math.max(0, previous - 3); i + 3 < head.length; i++) {
      if (head[i] === CR && head[i + 1] === LF && head[i + 2] === CR && head[i + 3] === LF) {
        end = i;
        break;
      }
    }
    if (end < 0) {
      if (head.length > MAX_HEAD_BYTES) throw new HttpProtocolError("response head too large");
      this.#head = head;
      return n;
    }
    this.#head = new Uint8Array(0);
    const consumed = from + (end + 4 - previous);
    const lines = latin1.decode(head.subarray(0, end)).split("\r\n");
    const status = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/.exec(lines[0]);
    if (!status) throw new HttpProtocolError(`not an HTTP/1.x response: ${lines[0].slice(0, 80)}`);
    const code = Number(status[2]);
    if (code >= 100 && code < 200) return consumed; // interim response: the real head follows
    let chunked = false;
    let length = -1;
    let connection = status[1] === "0" ? "close" : "keep-alive";
    for (let i = 1; i < lines.length; i++) {
      const colon = lines[i].indexOf(":");
      if (colon <= 0) continue;
      const name = lines[i].slice(0, colon).trim().toLowerCase();
      const value = lines[i].slice(colon + 1).trim().toLowerCase();
      if (name === "transfer-encoding") {
        chunked = value.split(",").some((v) => v.trim() === "chunked");
      } else if (name === "content-length") length = Number(value);
      else if (name === "connection") connection = value;
    }
    this.keepAlive = !connection.includes("close");
    this.handler.head(code, status[3] ?? "", time, (wanted) => headerOf(lines, wanted));
    this.#inBody = true;
    if (code === 204 || code === 304) this.#body = Body.None;
    else if (chunked) this.#body = Body.Chunked;
    else if (length >= 0 && Number.isSafeInteger(length)) this.#body = Body.Length;
    else this.#body = Body.UntilClose;
    this.#remaining = this.#body === Body.Length ? length : 0;
    if (this.#body === Body.None || (this.#body === Body.Length && length === 0)) this.done = true;
    return consumed;
  }

  #readBody(buffer: Uint8Array, from: number, n: number, time: number): number {
    switch (this.#body) {
      case Body.Length: {
        const take = Math.min(this.#remaining, n - from);
        this.handler.body(buffer.subarray(from, from + take), time);
        this.#remaining -= take;
        if (this.#remaining === 0) this.done = true;
        return from + take;
      }
      case Body.UntilClose:
        this.handler.body(buffer.subarray(from, n), time);
        return n;
      case Body.Chunked:
        return this.#readChunked(buffer, from, n, time);
      default:
        this.done = true;
        return from;
    }
  }

  /** Chunked transfer coding (RFC 9112 §7.1), byte by byte outside the data. */
  #readChunked(buffer: Uint8Array, from: number, n: number, time: number): number {
    let i = from;
    while (i < n) {
      switch (this.#chunk) {
        case Chunk.Data: {
          const take = Math.min(this.#remaining, n - i);
          this.handler.body(buffer.subarray(i, i + take), time);
          this.#remaining -= take;
          i += take;
          if (this.#remaining === 0) this.#chunk = Chunk.DataCr;
          break;
        }
        case Chunk.Size: {
          const c = buffer[i++];
          const digit = c >= 48 && c <= 57
            ? c - 48
            : c >= 97 && c <= 102
            ? c - 87
            : c >= 65 && c <= 70
            ? c - 55
            : -1;
          if (digit >= 0) {
            this.#remaining = this.#remaining * 16 + digit;
            this.#lineLength++;
          } else if (c === CR) {
            this.#chunk = Chunk.SizeLf;
          } else if (c === 59 /* ; */ || c === 32 || c === 9) {
            this.#chunk = Chunk.Extension;
          } else {
            throw new HttpProtocolError("malformed chunk size");
          }
          break;
        }
        case Chunk.Extension:
          if (buffer[i++] === CR) this.#chunk = Chunk.SizeLf;
          break;
        case Chunk.SizeLf:
          if (buffer[i++] !== LF || this.#lineLength === 0) {
            throw new HttpProtocolError("malformed chunk size line");
          }
          this.#lineLength = 0;
          this.#chunk = this.#remaining === 0 ? Chunk.Trailer : Chunk.Data;
          break;
        case Chunk.DataCr:
          if (buffer[i++] !== CR) throw new HttpProtocolError("chunk data longer than its size");
          this.#chunk = Chunk.DataLf;
          break;
        case Chunk.DataLf:
          if (buffer[i++] !== LF) throw new HttpProtocolError("chunk data longer than its size");
          this.#remaining = 0;
          this.#chunk = Chunk.Size;
          break;
        case Chunk.Trailer: {
          // Trailer lines until an empty line.
          const c = buffer[i++];
          if (c === LF) {
            if (this.#lineLength === 0) {
              this.done = true;
              return i;
            }
            this.#lineLength = 0;
          } else if (c !== CR) {
            this.#lineLength++;
          }
          break;
        }
      }
    }
    return i;
  }
}

function isPlainError(error: unknown): boolean {
  return error instanceof Deno.errors.BadResource || error instanceof Deno.errors.Interrupted;
}

/**
 * `connecting`, or a timeout error after `seconds`; a connection that comes
 * after the timeout is closed at once.
 */
async function withConnectTimeout<C extends Deno.Conn>(
  connecting: Promise<C>,
  seconds: number,
): Promise<C> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new RequestEnded(`timeout: no connection within ${seconds} s (--connect-timeout)`)),
      seconds * 1000,
    );
  });
  try {
    return await Promise.race([connecting, late]);
  } catch (error) {
    connecting.then((conn) => conn.close(), () => {});
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** The HTTP/1.1 transport: keep-alive connections to one origin. */
export class Http1Transport implements Transport {
  readonly #hostname: string;
  readonly #port: number;
  readonly #tls: boolean;
  readonly #hostHeader: string;
  readonly #idle: Connection[] = [];
  readonly #connectTimeout: number;
  #closed = false;

  /** A transport to the origin of `baseUrl`; a new connection may take `connectTimeout` s. */
  constructor(baseUrl: string, connectTimeout = Infinity) {
    this.#connectTimeout = connectTimeout;
    const url = new URL(baseUrl);
    this.#tls = url.protocol === "https:";
    this.#hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
    this.#port = url.port ? Number(url.port) : this.#tls ? 443 : 80;
    this.#hostHeader = url.host;
  }

  /** See {@linkcode Transport.send}. */
  async send(
    request: OutgoingRequest,
    handler: ResponseHandler,
    signal?: AbortSignal,
  ): Promise<number> {
    const reused = this.#idle.pop();
    try {
      const connection = reused ?? await this.#connect();
      return await this.#exchange(connection, this.#message(request), handler, signal);
    } catch (error) {
      // A kept-alive connection the server had already closed: nothing was
      // received, so the request never reached it; send it once more.
      if (reused && error instanceof StaleConnection && !signal?.aborted) {
        const connection = await this.#connect();
        return await this.#exchange(connection, this.#message(request), handler, signal);
      }
      throw error instanceof StaleConnection ? error.cause : error;
    }
  }

  /** Closes idle connections; connections in use close when their response ends. */
  close(): void {
    this.#closed = true;
    for (const { conn } of this.#idle.splice(0)) {
      try {
        conn.close();
      } catch { /* already closed */ }
    }
  }

  /** The request's bytes on the wire: head and body in one write. */
  #message(request: OutgoingRequest): Uint8Array {
    let text = `POST ${request.path} HTTP/1.1\r\nhost: ${this.#hostHeader}\r\n`;
    for (const name in request.headers) text += `${name}: ${request.headers[name]}\r\n`;
    const head = encoder.encode(text + `content-length: ${request.body.length}\r\n\r\n`);
    const message = new Uint8Array(head.length + request.body.length);
    message.set(head);
    message.set(request.body, head.length);
    return message;
  }

  async #connect(): Promise<Connection> {
    const options = { hostname: this.#hostname, port: this.#port };
    const connecting: Promise<Deno.TcpConn | Deno.TlsConn> = this.#tls
      ? Deno.connectTls(options)
      : Deno.connect(options);
    const conn = Number.isFinite(this.#connectTimeout)
      ? await withConnectTimeout(connecting, this.#connectTimeout)
      : await connecting;
    if ("setNoDelay" in conn) conn.setNoDelay(true);
    return { conn, buffer: new Uint8Array(READ_BUFFER_BYTES) };
  }

  async #exchange(
    connection: Connection,
    message: Uint8Array,
    handler: ResponseHandler,
    signal?: AbortSignal,
  ): Promise<number> {
    const { conn, buffer } = connection;
    const reader = new ResponseReader(handler);
    const onAbort = () => conn.close();
    signal?.addEventListener("abort", onAbort, { once: true });
    let end: number;
    try {
      for (let written = 0; written < message.length;) {
        written += await conn.write(message.subarray(written));
      }
      // Streams are long and many: do not keep the request bytes for their whole life.
      message = EMPTY;
      // The hot loop: stamp first, then hand the bytes on.
      for (;;) {
        const n = await conn.read(buffer);
        end = performance.now();
        if (n === null) {
          reader.eof();
          break;
        }
        reader.push(buffer, n, end);
        if (reader.done) break;
      }
    } catch (error) {
      try {
        conn.close();
      } catch { /* already closed */ }
      if (signal?.aborted) throw signal.reason ?? error;
      if (!reader.started && (isPlainError(error) || error instanceof HttpProtocolError)) {
        throw new StaleConnection(error);
      }
      throw error;
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
    if (reader.keepAlive && !this.#closed) this.#idle.push(connection);
    else conn.close();
    return end!;
  }
}

/** Internal: the request failed before any byte of a response arrived. */
class StaleConnection extends Error {
  constructor(override readonly cause: unknown) {
    super("stale connection");
  }
}

/** The value of header `name` (lower case) among a response head's `lines`, if present. */
function headerOf(lines: readonly string[], name: string): string | undefined {
  for (let i = 1; i < lines.length; i++) {
    const colon = lines[i].indexOf(":");
    if (colon > 0 && lines[i].slice(0, colon).trim().toLowerCase() === name) {
      return lines[i].slice(colon + 1).trim();
    }
  }
  return undefined;
}
