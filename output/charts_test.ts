import assert from "node:assert/strict";
import { buildCharts, cdfPoints, MAX_POINTS, RunCharts } from "./charts.ts";
import type { RequestPoint, ResultFile } from "./types.ts";

/** Deterministic, irregular numbers in [0, 1): the i-th of sequence `seed`. */
function wobble(i: number, seed: number): number {
  return ((i * 7919 + seed * 104_729) % 1009) / 1009;
}

function points(n: number, seed = 1): RequestPoint[] {
  return Array.from({ length: n }, (_, i) => ({
    success: wobble(i, seed) > 0.1,
    // Some sends at the same instant as another's end, as a paced run has.
    sendOffset: Math.round(wobble(i, seed + 1) * 200) / 100,
    ttft: wobble(i, seed + 2) < 0.05 ? null : 0.01 + wobble(i, seed + 3) * 0.02,
    itl: [wobble(i, seed + 4) * 0.01, wobble(i, seed + 5) * 0.01],
    latency: i % 17 === 0 ? 0 : Math.round(wobble(i, seed + 6) * 50) / 100,
    outputLen: 3,
  }));
}

function charted(requests: readonly RequestPoint[], duration: number) {
  const charts = new RunCharts();
  for (const p of requests) charts.add(p);
  const file: ResultFile = { file: "f", format: "seed", figures: {}, duration };
  return { file, charts };
}

Deno.test("requests in flight: a step at every send and end, ends first at equal times", () => {
  const requests = points(500);
  const { charts } = charted(requests, 3);
  // The definition, spelled out: every (time, ±1) event sorted by time, then ends first.
  const events: [number, number][] = [];
  for (const r of requests) {
    if (r.latency! > 0) events.push([r.sendOffset!, 1], [r.sendOffset! + r.latency!, -1]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  const expected = [[0, 0], ...events.map(([t, d]) => [Math.round(t * 1e6) / 1e6, now += d])];
  assert.deepEqual(charts.inFlight(), expected);
  assert.deepEqual(new RunCharts().inFlight(), []);
});

Deno.test("the CDFs and the scatter of a large run are capped at MAX_POINTS, ends kept", () => {
  const n = 3 * MAX_POINTS + 7;
  const requests = points(n, 2);
  const run = charted(requests, 3);
  const ok = requests.filter((r) => r.success);
  const scatter = run.charts.scatter();
  assert.equal(scatter.length, MAX_POINTS);
  assert.deepEqual(scatter[0], [ok[0].sendOffset, Math.round(ok[0].latency! * 1e6) / 1e3]);
  assert.deepEqual(scatter.at(-1), [
    ok.at(-1)!.sendOffset,
    Math.round(ok.at(-1)!.latency! * 1e6) / 1e3,
  ]);
  const charts = buildCharts([run]);
  for (const chart of [charts[0], charts[1], charts[2], charts[5]]) {
    assert.equal(chart.x.length, MAX_POINTS, chart.title);
  }
  // A small run keeps every point.
  const small = charted(requests.slice(0, 50), 1).charts.scatter();
  assert.equal(small.length, requests.slice(0, 50).filter((r) => r.success).length);
  const cdf = cdfPoints([3, 1, 2]);
  assert.deepEqual(cdf, [[1, 1 / 3], [2, 2 / 3], [3, 1]]);
});
