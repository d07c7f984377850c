/** The live view in a real terminal: `mib bench` under a pseudo-terminal (`script`). */
import assert from "node:assert/strict";
import { benchFlags, withSim } from "./_helpers.ts";

Deno.test({
  name: "a run under a pseudo-terminal (script) shows the live line on stderr",
  ignore: Deno.build.os !== "linux" || !(() => {
    try {
      return Deno.statSync("/usr/bin/script").isFile;
    } catch {
      return false;
    }
  })(),
  async fn() {
    await withSim({ ttftMs: 5, tpotMs: 5 }, async (sim) => {
      const main = new URL("../main.ts", import.meta.url).pathname;
      const args = [...benchFlags(sim.url, 20, 8, 60), "--request-distribution", "poisson", "20"];
      const command = [Deno.execPath(), "run", "-A", main, ...args].map((a) => `'${a}'`).join(" ");
      const run = await new Deno.Command("/usr/bin/script", {
        args: ["-q", "-e", "-c", command, "/dev/null"],
        env: { NO_COLOR: "1" },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(run.stdout);
      assert.equal(run.code, 0, text);
      assert.match(
        text,
        /TTFT p50\/p99 [\d.]+\/[\d.]+ ms \| ITL [\d.]+\/[\d.]+ ms \| in flight \d+ \| failed 0 \| [\d,]+ tok\/s/,
      );
    });
  },
});
