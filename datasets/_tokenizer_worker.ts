/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
/**
 * A tokenizer on its own thread, so counting outputs while a run is under
 * way costs the main thread (which stamps chunk arrivals) only a message.
 *
 * Messages in: first the `ResolvedTokenizer`, then one text per message.
 * Messages out: `{ ready: true }` (or `{ error }`) once the tokenizer is
 * loaded, then one {@link CountReply} per text, in the order they came.
 *
 * @module
 */
import { loadTokenizer, type ResolvedTokenizer } from "./tokenizer.ts";

/** A count, or why there is none. */
export type CountReply = { count: number } | { error: string };

/** The tokenizer is loaded (or why it could not be). */
export type ReadyReply = { ready: true } | { error: string };

let loading: Promise<(text: string) => number> | undefined;

self.onmessage = async (event: MessageEvent<ResolvedTokenizer | string>) => {
  if (typeof event.data !== "string") {
    loading = loadTokenizer(event.data).then((tokenizer) => tokenizer.count);
    let reply: ReadyReply = { ready: true };
    try {
      await loading;
    } catch (error) {
      reply = { error: error instanceof Error ? error.message : String(error) };
    }
    self.postMessage(reply);
    return;
  }
  const text = event.data;
  let reply: CountReply;
  try {
    reply = { count: text === "" ? 0 : (await loading!)(text) };
  } catch (error) {
    reply = { error: error instanceof Error ? error.message : String(error) };
  }
  self.postMessage(reply);
};
