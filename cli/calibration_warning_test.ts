import assert from "node:assert/strict";
import type { CalibrationRecord } from "../runner/calibration_cache.ts";
import { calibrationWarning, plannedLoad } from "./calibration_warning.ts";
import { resolveBenchConfig } from "./resolve.ts";

const config = (values: Record<string, unknown>) =>
  resolveBenchConfig({ base_url: "http://127.0.0.1:1", ...values }, {});

Deno.test("planned load: rate × mean output × time per token, capped by the cap and the plan", () => {
  const rated = {
    request_distribution: ["poisson", 400],
    output_token_distribution: ["uniform", 200, 400],
  };
  assert.deepEqual(plannedLoad(config({ num_of_req: 6000, ...rated }), true, 5), {
    streams: 600,
    rate: 400,
    threads: 1,
  });
  // The cap bounds what is in flight, not the rate asked.
  assert.equal(
    plannedLoad(config({ num_of_req: 6000, max_concurrency: 50, ...rated }), true, 5)
      ?.streams,
    50,
  );
  // Fewer requests than the rate would keep in flight.
  assert.equal(plannedLoad(config({ num_of_req: 100, ...rated }), true, 5)?.streams, 100);
  // A shard sends its part: its rate and streams are the plan's over N.
  assert.deepEqual(plannedLoad(config({ num_of_req: 6000, shard: "1/4", ...rated }), true, 5), {
    streams: 150,
    rate: 100,
    threads: 1,
  });
  // All at once: every request in flight, no rate to pace.
  assert.deepEqual(plannedLoad(config({ num_of_req: 300 }), true, 5), {
    streams: 300,
    rate: undefined,
    threads: 1,
  });
  // A closed loop bounded by time: the cap.
  assert.equal(
    plannedLoad(config({ duration: 10, max_concurrency: 64, tokenizer: "cl100k_base" }), true, 5)
      ?.streams,
    64,
  );
  // A ramp is judged at its end rate; nothing streamed, no streams.
  const ramp = plannedLoad(
    config({
      num_of_req: 100,
      ramp_up: "linear",
      ramp_up_start_rps: 10,
      ramp_up_end_rps: 900,
      disable_stream: true,
    }),
    false,
    5,
  );
  assert.deepEqual(ramp, { streams: undefined, rate: 900, threads: 1 });
  assert.equal(plannedLoad(config({ num_of_req: 4, turns: ["constant", 2] }), true, 5), undefined);
});

function record(ceiling: Partial<CalibrationRecord["ceiling"]>): CalibrationRecord {
  return {
    mib_calibration: 1,
    date: "2026-12-01T10:00:00.000Z",
    host: { mib: "0.1.0", deno: "2.9.6", hostname: "h", cpus: 8 },
    transport: "http1",
    server: { where: "process", ttftMs: 2, tpotMs: 5 },
    durationPerStep: 2,
    targets: { tokenTimeErrorP99Ms: 5, scheduleLagP99Ms: 1, rateTolerance: 0.01 },
    ceiling: {
      streams: 256,
      tokensPerSecond: 51200,
      requestsPerSecond: 2000,
      streamsMissedAt: 512,
      rateMissedAt: 4000,
      ...ceiling,
    },
    steps: [],
  };
}

Deno.test("the warning: one line naming --workers, only above the ceiling", () => {
  assert.equal(
    calibrationWarning({ streams: 600, rate: 400, threads: 1 }, record({})),
    "warning: planned ~600 streams exceeds this host's calibrated client ceiling of 256 streams " +
      "(mib calibrate, 2026-12-01); timing error may exceed 5 ms — spread the load with --workers 3",
  );
  assert.equal(calibrationWarning({ streams: 256, rate: 2000, threads: 1 }, record({})), undefined);
  assert.equal(calibrationWarning({ threads: 1 }, record({})), undefined);
  // Per thread: two workers share 400 streams under the ceiling, not 600.
  assert.equal(calibrationWarning({ streams: 400, threads: 2 }, record({})), undefined);
  assert.match(
    calibrationWarning({ streams: 600, threads: 2 }, record({}))!,
    /^warning: planned ~600 streams over 2 worker threads exceeds .* --workers 3$/,
  );
  // More threads than the host has CPUs: shards across machines too.
  assert.match(
    calibrationWarning({ rate: 40_000, threads: 1 }, record({}))!,
    /~40,000 requests\/s exceeds .* of 2,000 requests\/s .* schedule lag may exceed 1 ms — spread the load with --workers 20, or --shard it across machines \(this host has 8 CPUs\)$/,
  );
});

Deno.test("the warning: when even the lowest step missed, only at or above it", () => {
  const missed = record({ streams: 0, tokensPerSecond: 0, streamsMissedAt: 64 });
  assert.equal(calibrationWarning({ streams: 10, threads: 1 }, missed), undefined);
  assert.match(
    calibrationWarning({ streams: 64, threads: 1 }, missed)!,
    /ceiling of under 64 streams .* --workers N, or --shard it across machines$/,
  );
});
