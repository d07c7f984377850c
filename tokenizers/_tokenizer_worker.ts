/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
/**
 * A tokenizer on its own thread, so counting outputs while a run is under
 * way costs the main thread (which stamps chunk arrivals) only a message.
 *
 * Messages in: first the `ResolvedTokenizer`, then one `CountAsk` per text.
 * Messages out: `{ ready: true }` (or `{ error }`) once the tokenizer is
 * loaded, then one `CountReply` per text, carrying its id (see
 * `_tokenizer_messages.ts`).
 *
 * @module
 */
import { loadTokenizer, type ResolvedTokenizer } from "./tokenizer.ts";
import type { CountAsk, CountReply, ReadyReply } from "./_tokenizer_messages.ts";

let loading: Promise<(text: string) => number> | undefined;

self.onmessage = async (event: MessageEvent<ResolvedTokenizer | CountAsk>) => {
  if (!("text" in event.data)) {
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
  const { id, text } = event.data;
  let reply: CountReply;
  try {
    reply = { id, count: text === "" ? 0 : (await loading!)(text) };
  } catch (error) {
    reply = { id, error: error instanceof Error ? error.message : String(error) };
  }
  self.postMessage(reply);
};
