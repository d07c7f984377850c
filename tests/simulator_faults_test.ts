/**
 * Fault injection end to end: the simulator with `faults` (or `mib serve
 * --faults`) against the real `mib bench` CLI over loopback, one test per
 * fault and what the client must make of it, then every protocol under a mix.
 */
import assert from "node:assert/strict";
import {
  EXPECTED_OUTCOME,
  type FaultLabel,
  type SimulatorHandle,
  type SimulatorOptions,
} from "../mod.ts";
import { drawFault } from "../simulator/_faults.ts";
import { benchFlags, type CliRun, runCli, spawnServe, tempDir, withSim } from "./_helpers.ts";

/** One jsonl line of a request. */
interface Line {
  index: number;
  success: boolean;
  error: string;
  status?: number | null;
  ttft: number | null;
  itl: number[];
  chunks: number;
  output_len: number | null;
}

/** A bench run's output, its jsonl lines by index and its summary line. */
interface Bench {
  run: CliRun;
  lines: Map<number, Line>;
  summary: Record<string, unknown>;
  seconds: number;
}

/** Quick timings, so that a test of many requests stays short. */
const FAST: SimulatorOptions = { ttftMs: 5, tpotMs: 2 };

/** Runs `mib bench` against `url`: `requests` requests of `output` tokens, jsonl output. */
async function bench(
  url: string,
  requests: number,
  output: number,
  flags: string[] = [],
): Promise<Bench> {
  await using dir = await tempDir();
  const file = `${dir.path}/run.jsonl`;
  const started = performance.now();
  const run = await runCli([
    ...benchFlags(url, requests, 8, output),
    "--output-format",
    "jsonl",
    "--output-file",
    file,
    ...flags,
  ]);
  const seconds = (performance.now() - started) / 1000;
  assert.doesNotMatch(run.stderr, /Uncaught|^\s+at /m, run.stderr);
  const parsed = (await Deno.readTextFile(file)).trim().split("\n").map((l) => JSON.parse(l));
  const lines = new Map<number, Line>(
    parsed.filter((l) => "index" in l).map((l: Line) => [l.index, l]),
  );
  assert.equal(lines.size, requests, "one line per request");
  return { run, lines, summary: parsed.at(-1).summary, seconds };
}

/** The simulator's faults by the request index in their `x-request-id` (`mib-<run>-<index>`). */
function faultsByIndex(sim: SimulatorHandle): Map<number, FaultLabel> {
  return new Map(
    sim.faults().faulted.map(({ id, fault }) => [Number(id.split("-").at(-1)), fault]),
  );
}

/** The summary table's "Failures by kind" cell. */
function failureCell(stdout: string): string {
  return stdout.match(/Failures by kind\s*│\s*(.*?)\s*│/)?.[1] ?? "";
}

Deno.test("fault 429/500/503: failed with the status and a one-line body excerpt (HTML to its title), counted by status", async () => {
  await withSim({ ...FAST, faults: { "429": 0.34, "500": 0.33, "503": 0.33 } }, async (sim) => {
    // Straight from the server: the bodies and Retry-After.
    const faults = ["503", "429", "500"];
    const { run, lines, summary } = await bench(sim.url, 12, 4);
    assert.equal(run.code, 1);
    const byIndex = faultsByIndex(sim);
    assert.equal(byIndex.size, 12, "every request drew a status fault");
    for (const [index, line] of lines) {
      const fault = byIndex.get(index)!;
      assert.ok(faults.includes(fault));
      assert.equal(line.success, false);
      assert.equal(line.status, Number(fault));
      assert.doesNotMatch(line.error, /[\r\n]/, "one line");
      if (fault === "503") {
        assert.equal(
          line.error,
          "HTTP 503 Service Unavailable: 503 Service Temporarily Unavailable",
        );
      } else if (fault === "429") {
        assert.match(line.error, /^HTTP 429 Too Many Requests: \{"error":\{"message":"Rate limit/);
      } else {
        assert.match(
          line.error,
          /^HTTP 500 Internal Server Error: \{"error":\{"message":"Simulated/,
        );
      }
    }
    const counts = sim.faults().counts;
    const expected = Object.fromEntries(
      faults.toSorted().filter((f) => counts[f as FaultLabel]).map((
        f,
      ) => [f, counts[f as FaultLabel]]),
    );
    assert.deepEqual(summary.httpStatuses, expected);
    assert.equal(
      failureCell(run.stdout),
      `http_status 12 (${Object.entries(expected).map(([s, n]) => `${s}: ${n}`).join(", ")})`,
    );
  });
  for (
    const [status, type] of [[429, "application/json"], [500, "application/json"], [
      503,
      "text/html",
    ]]
  ) {
    await withSim({ ...FAST, faults: { [String(status)]: 1 } }, async (sim) => {
      const response = await fetch(`${sim.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ messages: [{ role: "user", content: "hi" }], max_tokens: 2 }),
      });
      const body = await response.text();
      assert.equal(response.status, status);
      assert.equal(response.headers.get("retry-after"), "1");
      assert.equal(response.headers.get("content-type"), type);
      if (status === 503) assert.match(body, /<title>503 Service Temporarily Unavailable<\/title>/);
      else assert.equal(typeof JSON.parse(body).error.message, "string");
    });
  }
});

Deno.test("connection refused: every request fails with the reason, the run goes on to the end", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const url = `http://127.0.0.1:${listener.addr.port}`;
  listener.close();
  const { run, lines } = await bench(url, 4, 4, ["--ready-check-timeout", "0", "--model", "m"]);
  assert.equal(run.code, 1);
  for (const line of lines.values()) {
    assert.equal(line.success, false);
    assert.match(line.error, /refused/i);
  }
  assert.equal(failureCell(run.stdout), "connect 4");
});

Deno.test("fault reset: the connection is reset before any response byte; failed with the reason, the run goes on", async () => {
  await withSim({ ...FAST, faults: { reset: 0.5 } }, async (sim) => {
    const { run, lines } = await bench(sim.url, 12, 4, [
      "--request-distribution",
      "poisson",
      "100",
    ]);
    assert.equal(run.code, 1);
    const byIndex = faultsByIndex(sim);
    assert.ok(byIndex.size > 0 && byIndex.size < 12, `${byIndex.size} resets`);
    for (const [index, line] of lines) {
      if (byIndex.has(index)) {
        assert.equal(line.success, false);
        assert.match(line.error, /reset/i);
        assert.equal(line.status ?? null, null, "no status line came");
      } else {
        assert.ok(line.success, line.error);
      }
    }
    assert.equal(failureCell(run.stdout), `connect ${byIndex.size}`);
    assert.equal(sim.faults().requests, 12, "no request was sent twice");
  });
});

Deno.test("fault cut: failed as a stream cut after N chunks, the N chunks' timings kept", async () => {
  await withSim({ ...FAST, faults: { cut: 1 }, record: true }, async (sim) => {
    const { run, lines } = await bench(sim.url, 6, 8);
    assert.equal(run.code, 1);
    const written = new Map(
      sim.record().requests.map((r) => [Number(r.id.split("-").at(-1)), r.writes.length]),
    );
    for (const [index, line] of lines) {
      const n = written.get(index)!;
      assert.ok(n >= 1 && n < 8, `cut after ${n} chunks`);
      assert.equal(line.success, false);
      // The record counts chunks handed to the response body; the cut errors
      // that body, and what was still buffered server-side (more of it on a
      // loaded machine) never reaches the wire. So the client may count fewer.
      assert.ok(line.chunks >= 1 && line.chunks <= n, `${line.chunks} of ${n} chunks read`);
      assert.match(line.error, new RegExp(`^stream cut after ${line.chunks} chunks: `));
      assert.ok(line.ttft !== null && line.ttft > 0);
      assert.equal(line.itl.length, line.chunks - 1);
    }
    assert.equal(failureCell(run.stdout), "stream_cut 6");
  });
});

Deno.test("fault junk: bad JSON and binary fail with the offending bytes; unknown fields and a split event are taken as they are", async () => {
  await withSim({ ...FAST, faults: { junk: 1 } }, async (sim) => {
    const { run, lines } = await bench(sim.url, 24, 6);
    assert.equal(run.code, 1);
    const byIndex = faultsByIndex(sim);
    assert.deepEqual(
      new Set(byIndex.values()),
      new Set(["junk:bad-json", "junk:binary", "junk:extra-fields", "junk:split"]),
      "every form drawn",
    );
    let failed = 0;
    for (const [index, line] of lines) {
      const fault = byIndex.get(index)!;
      if (EXPECTED_OUTCOME[fault] === "success") {
        assert.ok(line.success, `${fault}: ${line.error}`);
        assert.equal(line.output_len, 6);
        continue;
      }
      failed++;
      assert.equal(line.success, false);
      assert.match(line.error, /^stream error: unparsable response: /);
      if (fault === "junk:bad-json") assert.match(line.error, /response: \{"id":"cmpl-/);
      else assert.match(line.error, /response: \uFFFD\uFFFD/);
      assert.ok(
        // deno-lint-ignore no-control-regex
        !/[\x00-\x1f\x7f]/.test(line.error),
        `one printable line: ${JSON.stringify(line.error)}`,
      );
    }
    assert.equal(failureCell(run.stdout), `parse ${failed}`);
  });
});

Deno.test("fault stall: --stall-timeout ends the stream as a timeout, keeping what arrived", async () => {
  await withSim({ ...FAST, faults: { stall: 1 }, faultsStallMs: 8000 }, async (sim) => {
    const { run, lines, seconds } = await bench(sim.url, 3, 8, ["--stall-timeout", "0.5"]);
    assert.equal(run.code, 1);
    assert.ok(seconds < 8, `the run took ${seconds} s`);
    for (const line of lines.values()) {
      assert.equal(line.error, "timeout: no byte for 0.5 s mid-stream (--stall-timeout)");
      assert.ok(line.chunks >= 1 && line.chunks < 8, `${line.chunks} chunks kept`);
    }
    assert.equal(failureCell(run.stdout), "timeout 3");
  });
});

Deno.test("fault slow-headers: measured, not failed; TTFT includes the delay", async () => {
  await withSim({ ...FAST, faults: { "slow-headers": 1 }, faultsDelayMs: 400 }, async (sim) => {
    const { run, lines } = await bench(sim.url, 3, 4);
    assert.equal(run.code, 0, run.stdout);
    for (const line of lines.values()) {
      assert.ok(line.success);
      assert.ok(line.ttft! >= 0.4 && line.ttft! < 2, `ttft ${line.ttft}`);
    }
  });
});

Deno.test("fault never-answer: --request-timeout ends it, the run never hangs", async () => {
  await withSim({ ...FAST, faults: { "never-answer": 1 }, faultsStallMs: 20_000 }, async (sim) => {
    const { run, lines, seconds } = await bench(sim.url, 3, 4, ["--request-timeout", "1"]);
    assert.equal(run.code, 1);
    assert.ok(seconds < 15, `the run took ${seconds} s`);
    for (const line of lines.values()) {
      assert.equal(line.error, "timeout: no complete response within 1 s (--request-timeout)");
    }
    assert.equal(failureCell(run.stdout), "timeout 3");
  });
});

/** Every backend, with the flags it needs against the simulator. */
const BACKENDS: readonly string[][] = [
  ["--backend", "openai"],
  ["--backend", "openai-chat"],
  ["--backend", "vllm", "--endpoint", "/generate"],
  ["--backend", "tgi"],
  ["--backend", "llama.cpp"],
  ["--backend", "sglang"],
  ["--backend", "ollama"],
  ["--backend", "tensorrt-llm"],
  ["--backend", "deepspeed-mii", "--disable-stream"],
];

Deno.test("mixed faults on every protocol: each request ends as its fault demands, the rest succeed, the counts agree", async () => {
  const faults = {
    "429": 0.08,
    "500": 0.08,
    "503": 0.08,
    cut: 0.1,
    stall: 0.08,
    junk: 0.2,
    reset: 0.08,
    "slow-headers": 0.08,
    "never-answer": 0.08,
  };
  for (const backend of BACKENDS) {
    await withSim(
      { ...FAST, faults, faultsStallMs: 4000, faultsDelayMs: 200, model: "m" },
      async (sim) => {
        const { run, lines, summary } = await bench(sim.url, 30, 6, [
          ...backend,
          "--model",
          "m",
          "--request-distribution",
          "poisson",
          "100",
          "--stall-timeout",
          "1",
          "--request-timeout",
          "2",
        ]);
        assert.equal(run.code, 1, run.stdout);
        const byIndex = faultsByIndex(sim);
        const expected: Record<string, number> = {};
        for (const [index, line] of lines) {
          const fault = byIndex.get(index);
          const outcome = fault === undefined ? "success" : EXPECTED_OUTCOME[fault];
          const what = `${backend.join(" ")}: request ${index} (${fault ?? "no fault"})`;
          if (outcome === "success") assert.ok(line.success, `${what}: ${line.error}`);
          else {
            assert.equal(line.success, false, what);
            expected[outcome] = (expected[outcome] ?? 0) + 1;
          }
        }
        const failures = summary.failures as Record<string, number>;
        const nonzero = Object.fromEntries(Object.entries(failures).filter(([, n]) => n > 0));
        assert.deepEqual(nonzero, expected, backend.join(" "));
      },
    );
  }
});

Deno.test("the same seed draws the same faults for the same requests", async () => {
  const draws: string[][] = [];
  for (let i = 0; i < 2; i++) {
    await withSim({ ...FAST, faults: { cut: 0.3, "500": 0.3 }, faultsSeed: 42 }, async (sim) => {
      await bench(sim.url, 10, 4, ["--request-distribution", "constant", "0.03"]);
      const byIndex = faultsByIndex(sim);
      draws.push(Array.from({ length: 10 }, (_, j) => byIndex.get(j) ?? "-"));
    });
  }
  assert.deepEqual(draws[0], draws[1]);
  assert.ok(draws[0].some((d) => d !== "-"));
});

Deno.test("mib serve --faults: the banner names them, GET /mib/faults tallies, the exit line counts; a bad spec is one line, exit 2", async () => {
  const serve = await spawnServe(
    ["--port", "0", "--ttft-ms", "1", "--tpot-ms", "1", "--faults", "500:1"].concat(
      ["--faults-seed", "3", "--faults-stall-ms", "50", "--faults-delay-ms", "20"],
    ),
  );
  try {
    const { banner, url } = serve;
    assert.ok(url, banner);
    assert.match(
      banner,
      /faults 500:1 \(seed 3, stall 50 ms, delay 20 ms, tally at \/mib\/faults\)/,
    );
    const answer = await fetch(`${url}/v1/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "one" },
      body: JSON.stringify({ prompt: "hi", max_tokens: 2 }),
    });
    assert.equal(answer.status, 500);
    await answer.body?.cancel();
    assert.deepEqual(await (await fetch(`${url}/mib/faults`)).json(), {
      spec: "500:1",
      seed: 3,
      requests: 1,
      counts: { "500": 1 },
      faulted: [{ id: "one", fault: "500" }],
    });
  } finally {
    assert.equal(await serve.stop(), 0);
  }
  assert.match(
    serve.output,
    /\nmib simulator: 1 generation request\(s\), faults injected: 500 1\n$/,
  );
  for (const spec of ["500", "cut:0.7,stall:0.7", "teapot:0.1"]) {
    const bad = await runCli(["serve", "--faults", spec]);
    assert.equal(bad.code, 2, bad.stderr);
    const lines = bad.stderr.trim().split("\n");
    assert.equal(lines.length, 1, bad.stderr);
    assert.match(
      lines[0],
      /^mib: --faults: .*expected KIND:RATE\[,KIND:RATE\.\.\.\] with KIND one of/,
    );
  }
});

Deno.test("fault junk:split: the event arrives over many reads, a few bytes each", async () => {
  // Seed 0 draws split for the request at this index (see drawFault).
  const index = Array.from({ length: 100 }, (_, i) => i).find((i) =>
    drawFault({ junk: 1 }, 0, i)?.variant === "split"
  )!;
  await withSim({ ...FAST, faults: { junk: 1 } }, async (sim) => {
    const port = Number(new URL(sim.url).port);
    let reads = 0;
    for (let i = 0; i <= index; i++) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      const body = JSON.stringify({ prompt: "hi", max_tokens: 3, ignore_eos: true, stream: true });
      await conn.write(new TextEncoder().encode(
        `POST /v1/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n` +
          `connection: close\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
      ));
      const buffer = new Uint8Array(65536);
      reads = 0;
      while ((await conn.read(buffer)) !== null) reads++;
      conn.close();
    }
    assert.equal(sim.faults().faulted.at(-1)?.fault, "junk:split");
    assert.ok(reads > 10, `${reads} reads`);
  });
});
