/**
 * What every parser builds: the text chunks of one response with their
 * arrival times, the server's counts, errors and notes.
 *
 * @module
 */
import type { ParsedStream, ReasoningSplit, ServerTimings } from "./types.ts";
import { hasAnswerText, splitThinkTags } from "./_reasoning.ts";

/** Builds a {@linkcode ParsedStream}, one protocol event at a time. */
export class ChunkBuilder {
  /** The result so far. */
  readonly parsed: ParsedStream;
  /**
   * The text chunks so far, as parallel arrays rather than an object each:
   * a stream keeps every chunk until it ends, and each object a young-
   * generation collection finds alive is copied, in a pause of the thread
   * that stamps arrivals. `parsed.chunks` is made from these in `finish()`.
   */
  readonly #times: number[] = [];
  readonly #texts: string[] = [];
  /** Each chunk's token count where the server gave one (`undefined` elsewhere); none until one is. */
  #tokens: (number | undefined)[] | undefined;
  #emptyBeforeText = 0;
  #accumulated = "";
  /** Reasoning seen in a field of its own (or a server count of it), once any is. */
  #reasoning: ReasoningSplit | undefined;

  /** A builder for a streamed (default) or unstreamed response. */
  constructor(streamed = true) {
    this.parsed = { streamed, chunks: [], complete: false, notes: [] };
  }

  /** An event of any kind arrived at `time`. */
  event(time: number): void {
    this.parsed.firstEventTime ??= time;
  }

  /**
   * Generated text arrived at `time`. Empty text is not a chunk: an empty or
   * role-only first event is not a first token (it is noted instead).
   */
  text(time: number, text: string, tokens?: number, reasoningChars = 0): void {
    this.event(time);
    if (text === "") {
      if (this.#times.length === 0) this.#emptyBeforeText++;
      return;
    }
    if (reasoningChars > 0 || this.#reasoning !== undefined) {
      this.#split(time, text, reasoningChars);
    }
    if (tokens !== undefined && this.#tokens === undefined) {
      this.#tokens = new Array(this.#times.length).fill(undefined);
    }
    this.#times.push(time);
    this.#texts.push(text);
    this.#tokens?.push(tokens);
  }

  /** Notes the first `reasoningChars` of `text` as reasoning, the rest as answer. */
  #split(time: number, text: string, reasoningChars: number): void {
    const reasoning = (this.#reasoning ??= { text: "" });
    if (reasoningChars > 0) {
      reasoning.text += text.slice(0, reasoningChars);
      reasoning.firstTime ??= time;
    }
    if (reasoning.answerTime === undefined && hasAnswerText(text.slice(reasoningChars))) {
      reasoning.answerTime = time;
    }
  }

  /** The server's count of reasoning tokens. */
  reasoningTokens(count: number): void {
    (this.#reasoning ??= { text: "" }).serverTokens = count;
  }

  /**
   * Like {@linkcode text} for servers that send the whole text so far in
   * every event: the new part is what extends the previous text.
   */
  cumulative(time: number, whole: string, tokens?: number): void {
    if (whole.startsWith(this.#accumulated)) {
      this.text(time, whole.slice(this.#accumulated.length), tokens);
    } else {
      // The server rewrote earlier text (detokenizer fix-ups): count it as new.
      this.text(time, whole, tokens);
      this.note("an event did not extend the text before it; its whole text was counted as new");
    }
    this.#accumulated = whole;
  }

  /** The server reported an error (the first one is kept). */
  error(message: string): void {
    this.parsed.error ??= message;
  }

  /** The server's count of output tokens so far (the last one wins). */
  outputTokens(count: number): void {
    this.parsed.outputTokens = count;
  }

  /** The server's count of the whole prompt. */
  promptTokens(count: number): void {
    this.parsed.promptTokens = count;
  }

  /** The server's count of prompt tokens taken from its prefix cache. */
  promptCached(count: number): void {
    this.parsed.promptCached = count;
  }

  /** The server said whether it truncated the prompt to its context. */
  truncated(value: boolean): void {
    this.parsed.truncated = value;
  }

  /** The server's own timings of the request. */
  serverTimings(timings: ServerTimings): void {
    this.parsed.serverTimings = timings;
  }

  /** A pooling response carried `count` vectors or scores. */
  pooled(count: number): void {
    this.parsed.pooled = count;
  }

  /** The protocol's end marker arrived. */
  complete(): void {
    this.parsed.complete = true;
  }

  /** Adds a note once. */
  note(text: string): void {
    if (!this.parsed.notes.includes(text)) this.parsed.notes.push(text);
  }

  /** The result, with notes on what could be misread. */
  finish(): ParsedStream {
    const times = this.#times, texts = this.#texts, tokens = this.#tokens;
    this.parsed.chunks = times.map((time, i) => {
      const n = tokens?.[i];
      return n === undefined ? { time, text: texts[i] } : { time, text: texts[i], tokens: n };
    });
    if (this.#emptyBeforeText > 0 && this.parsed.chunks.length > 0) {
      this.note(
        `${this.#emptyBeforeText} event(s) without text (e.g. role-only) came before the first text; TTFT counts the first event with text`,
      );
    }
    // A pooling answer has no tokens to time: the run says so once, not each request.
    if (!this.parsed.streamed && this.parsed.pooled === undefined) {
      this.note("response not streamed: TTFT and inter-token latencies are unknown");
    }
    const tagged = this.#reasoning?.firstTime === undefined
      ? splitThinkTags(this.parsed.chunks)
      : undefined;
    const reasoning = tagged === undefined
      ? this.#reasoning
      : { ...tagged, serverTokens: this.#reasoning?.serverTokens };
    // A reasoning count of 0 with no reasoning text is no reasoning.
    if (reasoning !== undefined && (reasoning.firstTime !== undefined || reasoning.serverTokens)) {
      this.parsed.reasoning = reasoning;
    }
    return this.parsed;
  }
}

/** A server's error value as one line of text. */
export function errorText(error: unknown): string {
  if (typeof error === "string") return error;
  if (error && typeof error === "object" && "message" in error) {
    return String((error as { message: unknown }).message);
  }
  return JSON.stringify(error);
}

/**
 * `text` with control characters (binary junk, line ends) written as `\xNN`,
 * so an excerpt of it stays one printable line in every output.
 */
function printable(text: string): string {
  return text.replace(
    // deno-lint-ignore no-control-regex
    /[\x00-\x1f\x7f-\x9f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}

/** Parses `text` as JSON, or notes why not (with its first 200 characters, printable). */
export function parseJson(text: string, builder: ChunkBuilder): unknown {
  try {
    return JSON.parse(text);
  } catch {
    builder.error(`unparsable response: ${printable(text.slice(0, 200))}`);
    return undefined;
  }
}
