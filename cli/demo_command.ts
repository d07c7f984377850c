/**
 * `mib demo`: the simulator on a free port, a short benchmark against it, and
 * how far the measured timings are from the simulator's settings.
 *
 * @module
 */
import { startSimulator } from "../simulator/mod.ts";
import { benchCommand } from "./bench_command.ts";
import { resolveBenchConfig } from "./resolve.ts";

const TTFT_MS = 20;
const TPOT_MS = 5;

/** Runs the demo; returns the exit status. */
export async function demoCommand(): Promise<number> {
  const sim = await startSimulator({ ttftMs: TTFT_MS, tpotMs: TPOT_MS });
  try {
    console.log(`simulator: ${sim.url} (ttft ${TTFT_MS} ms, ${TPOT_MS} ms per token)`);
    console.log(
      "benchmark: 40 requests, poisson 20 req/s, prompts uniform 64..256 tokens, outputs 64 tokens\n",
    );
    const config = resolveBenchConfig({
      base_url: sim.url,
      backend: "openai",
      num_of_req: 40,
      request_distribution: ["poisson", 20],
      input_token_distribution: ["uniform", 64, 256],
      output_token_distribution: ["constant", 64],
      // The simulator's words are single cl100k_base tokens.
      tokenizer: "cl100k_base",
      disable_tqdm: false,
    }, {});
    const { summary } = await benchCommand(config, { log: console.log });
    const ttft = summary.ttft?.median ?? NaN;
    const itl = summary.itlPerChunk?.median ?? NaN;
    console.log(
      `\nagainst the simulator's settings: TTFT median ${ttft.toFixed(2)} ms vs ${TTFT_MS} ms (${
        (ttft - TTFT_MS).toFixed(2)
      } ms over, includes HTTP and loopback), ITL median ${itl.toFixed(3)} ms vs ${TPOT_MS} ms (${
        (itl - TPOT_MS).toFixed(3)
      } ms off)`,
    );
    return summary.failed > 0 ? 1 : 0;
  } finally {
    await sim.close();
  }
}
