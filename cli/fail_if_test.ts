import assert from "node:assert/strict";
import { UsageError } from "../errors.ts";
import { evaluateCondition, formatChange, parseFailIf, relativeChange } from "./fail_if.ts";

Deno.test("parseFailIf reads vLLM names, aliases, relative and absolute bounds", () => {
  const conditions = parseFailIf(
    "p99_ttft>+10%, output_throughput<-5%,failed>0,p50_e2e<=2.5e3,median_tpot_ms>=5%",
  );
  assert.deepEqual(
    conditions.map((c) => [c.key, c.op, c.bound, c.relative]),
    [
      ["p99_ttft_ms", ">", 10, true],
      ["output_throughput", "<", -5, true],
      ["failed", ">", 0, false],
      ["median_e2el_ms", "<=", 2500, false],
      ["median_tpot_ms", ">=", 5, true],
    ],
  );
  assert.equal(conditions[0].figure, "p99 TTFT (ms)");
  assert.equal(conditions[1].text, "output_throughput<-5%");
  for (const bad of ["", "p99_ttft", "p99_ttft>", "p99_ttft=10", "p99_ttft>10%%", "x>1", "a,,b"]) {
    assert.throws(() => parseFailIf(bad), (e) => e instanceof UsageError && e.flag === "--fail-if");
  }
});

Deno.test("relativeChange and evaluateCondition: percent of the baseline; n/a fails closed", () => {
  assert.equal(relativeChange(10, 15), 50);
  assert.equal(relativeChange(0, 0), 0);
  assert.equal(relativeChange(0, 3), Infinity);
  assert.equal(relativeChange(null, 3), null);
  assert.equal(formatChange(-4), "-4.0%");
  assert.equal(formatChange(Infinity), "+inf%");
  const [ttft, failed, tps] = parseFailIf("p99_ttft>+10%,failed>0,output_throughput<-5%");
  const base = { "p99 TTFT (ms)": 100, "failed": 0, "output throughput (tok/s)": 1000 };
  const same = { "p99 TTFT (ms)": 109, "failed": 0, "output throughput (tok/s)": 951 };
  const worse = { "p99 TTFT (ms)": 111, "failed": 2, "output throughput (tok/s)": 949 };
  for (const c of [ttft, failed, tps]) {
    assert.equal(evaluateCondition(c, base, same).holds, false, c.text);
    assert.equal(evaluateCondition(c, base, worse).holds, true, c.text);
  }
  assert.equal(evaluateCondition(ttft, base, worse).detail, "100 -> 111 (+11.0%)");
  const missing = evaluateCondition(ttft, base, { "p99 TTFT (ms)": null });
  assert.equal(missing.holds, true);
  assert.match(missing.detail, /^n\/a in the current run/);
});
