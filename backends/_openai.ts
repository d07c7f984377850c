/**
 * The OpenAI streaming protocol shared by the OpenAI-compatible backends:
 * `data: {json}` events, then `data: [DONE]`.
 *
 * @module
 */
import { sseReader } from "./_sse.ts";
import type { ParsedStream, StreamParser, TextChunk } from "./types.ts";

/** Pulls the generated text out of one choice of a streamed chunk. */
export type ChoiceText = (choice: Record<string, unknown>) => string;

/** The text of a completions choice. */
export const completionText: ChoiceText = (choice) => String(choice.text ?? "");

interface Usage {
  prompt_tokens?: number;
  completion_tokens?: number;
}

function errorText(error: unknown): string {
  if (typeof error === "string") return error;
  if (error && typeof error === "object" && "message" in error) {
    return String((error as { message: unknown }).message);
  }
  return JSON.stringify(error);
}

/**
 * A parser of an OpenAI-style SSE stream. A chunk counts as text only when its
 * text is non-empty: a role-only or empty first chat chunk is not a first
 * token, and is reported in `notes` rather than silently moving TTFT.
 */
export function openAiParser(choiceText: ChoiceText): StreamParser {
  const chunks: TextChunk[] = [];
  const notes: string[] = [];
  const parsed: ParsedStream = { chunks, complete: false, notes };
  let tokensSoFar = 0;
  let emptyBeforeText = 0;
  const sse = sseReader((data, time) => {
    parsed.firstEventTime ??= time;
    if (data === "[DONE]") {
      parsed.complete = true;
      return;
    }
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(data);
    } catch {
      parsed.error ??= `unparsable stream event: ${data.slice(0, 200)}`;
      return;
    }
    if (message.error !== undefined && message.error !== null) {
      parsed.error ??= errorText(message.error);
      return;
    }
    let text = "";
    const choices = message.choices;
    if (Array.isArray(choices)) {
      for (const choice of choices) {
        if (choice && (choice.index ?? 0) === 0) text += choiceText(choice);
      }
    }
    const usage = message.usage as Usage | null | undefined;
    let tokens: number | undefined;
    if (usage && typeof usage.completion_tokens === "number") {
      tokens = usage.completion_tokens - tokensSoFar;
      tokensSoFar = usage.completion_tokens;
      parsed.outputTokens = usage.completion_tokens;
      if (typeof usage.prompt_tokens === "number") parsed.promptTokens = usage.prompt_tokens;
    }
    if (text !== "") {
      chunks.push(tokens === undefined ? { time, text } : { time, text, tokens });
    } else if (chunks.length === 0 && Array.isArray(choices) && choices.length > 0) {
      emptyBeforeText++;
    }
  });
  return {
    feed: sse.feed,
    finish() {
      sse.end();
      if (emptyBeforeText > 0 && chunks.length > 0) {
        notes.push(
          `${emptyBeforeText} chunk(s) without text (e.g. role-only) came before the first text; TTFT counts the first chunk with text`,
        );
      }
      return parsed;
    },
  };
}
