/**
 * Writers of the formats written once, at the end of a run.
 *
 * @module
 */
import type { FinishedRun, OutputWriter } from "./types.ts";

/** A writer that writes the whole file with `write` when the run ends, and nothing before. */
export function writtenAtEnd(write: (run: FinishedRun) => Promise<void>): Promise<OutputWriter> {
  return Promise.resolve({
    add() {},
    finish: write,
    close: () => Promise.resolve(),
  });
}
