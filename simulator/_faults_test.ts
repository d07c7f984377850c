import assert from "node:assert/strict";
import {
  drawFault,
  FAULT_KINDS,
  faultChunk,
  formatFaultSpec,
  JUNK_VARIANTS,
  parseFaultSpec,
} from "./_faults.ts";

Deno.test("parseFaultSpec reads KIND:RATE lists and refuses anything else, naming the form", () => {
  assert.deepEqual(parseFaultSpec("500:0.05, 429:0.02,cut:0.01,slow-headers:1e-2"), {
    "500": 0.05,
    "429": 0.02,
    cut: 0.01,
    "slow-headers": 0.01,
  });
  assert.equal(formatFaultSpec(parseFaultSpec("cut:0.1,500:0.2")), "500:0.2,cut:0.1");
  for (
    const [spec, why] of [
      ["", /empty spec/],
      ["500", /"500" is not KIND:RATE/],
      ["404:0.1", /unknown fault 404/],
      ["cut:0.1,cut:0.2", /cut given twice/],
      ["cut:-0.1", /rate of cut is not a number from 0 to 1/],
      ["cut:x", /rate of cut/],
      ["cut:0.6,stall:0.5", /the rates sum to 1\.1, more than 1/],
    ] as const
  ) {
    assert.throws(() => parseFaultSpec(spec), (error: Error) => {
      assert.ok(error instanceof RangeError);
      assert.match(error.message, why);
      assert.match(error.message, /expected KIND:RATE\[,KIND:RATE\.\.\.\] with KIND one of 429/);
      return true;
    });
  }
  // Decimal rounding does not make a sum of 1 too much.
  assert.doesNotThrow(() => parseFaultSpec("cut:0.1,stall:0.2,junk:0.7"));
});

Deno.test("drawFault: a pure function of seed and index, each kind at its rate", () => {
  const rates = parseFaultSpec("500:0.05,429:0.02,503:0.01,cut:0.02,stall:0.01,junk:0.04");
  const n = 100_000;
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const fault = drawFault(rates, 7, i);
    assert.deepEqual(fault, drawFault(rates, 7, i));
    const kind = fault?.kind ?? "none";
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  for (const kind of FAULT_KINDS) {
    const rate = rates[kind] ?? 0;
    const seen = (counts.get(kind) ?? 0) / n;
    assert.ok(
      Math.abs(seen - rate) < 4 * Math.sqrt(rate / n) + 1e-9,
      `${kind}: ${seen} vs ${rate}`,
    );
  }
  // Another seed, other faults.
  const differ = Array.from({ length: 1000 }, (_, i) => drawFault(rates, 8, i)?.kind)
    .filter((k, i) => k !== drawFault(rates, 7, i)?.kind).length;
  assert.ok(differ > 50, `${differ} of 1000 draws differ between seeds`);
  assert.equal(drawFault({}, 0, 0), undefined);
});

Deno.test("drawFault: junk forms evenly; the struck chunk lies after the first", () => {
  const variants = new Map<string, number>();
  for (let i = 0; i < 4000; i++) {
    const fault = drawFault({ junk: 1 }, 0, i)!;
    assert.equal(fault.label, `junk:${fault.variant}`);
    variants.set(fault.variant!, (variants.get(fault.variant!) ?? 0) + 1);
    const chunk = faultChunk(fault, 16);
    assert.ok(chunk >= 1 && chunk <= 15, `chunk ${chunk}`);
    assert.equal(faultChunk(fault, 1), 0);
  }
  for (const variant of JUNK_VARIANTS) {
    assert.ok(
      Math.abs(variants.get(variant)! - 1000) < 150,
      `${variant}: ${variants.get(variant)}`,
    );
  }
});
