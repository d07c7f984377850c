import assert from "node:assert/strict";
import { parseArrivalSpec, parseLengthSpec } from "./parse.ts";
import type { ArrivalSpec } from "./arrival_forms.ts";
import type { LengthSpec } from "./length_forms.ts";
import { assertUsage, IN, REQ } from "./_test_helpers.ts";

Deno.test("parseArrivalSpec: every form, from strings or numbers", () => {
  const cases: [(string | number)[], ArrivalSpec][] = [
    [["poisson", "5"], { kind: "poisson", rate: 5 }],
    [["poisson", 0.5], { kind: "poisson", rate: 0.5 }],
    [["poisson", "inf"], { kind: "poisson", rate: Infinity }],
    [["poisson", "Infinity"], { kind: "poisson", rate: Infinity }],
    [["poisson", Infinity], { kind: "poisson", rate: Infinity }],
    [["Poisson", "INF"], { kind: "poisson", rate: Infinity }],
    [["exponential", "5"], { kind: "exponential", mean: 5 }],
    [["uniform", "0.1", "0.3"], { kind: "uniform", min: 0.1, max: 0.3 }],
    [["uniform", 0, 0], { kind: "uniform", min: 0, max: 0 }],
    [["normal", 2, "0.5"], { kind: "normal", mean: 2, std: 0.5 }],
    [["normal", "1e-3", "0"], { kind: "normal", mean: 0.001, std: 0 }],
    [["constant", ".25"], { kind: "constant", gap: 0.25 }],
    [["constant", "0"], { kind: "constant", gap: 0 }],
    [["poisson 5"], { kind: "poisson", rate: 5 }],
    [[" uniform  1 ", "2"], { kind: "uniform", min: 1, max: 2 }],
  ];
  for (const [args, spec] of cases) {
    assert.deepEqual(parseArrivalSpec(args, REQ), spec, JSON.stringify(args));
  }
});

Deno.test("parseLengthSpec: every form, from strings or numbers", () => {
  const cases: [(string | number)[], LengthSpec][] = [
    [["uniform", "200", "300"], { kind: "uniform", min: 200, max: 300 }],
    [["uniform", 1, 1], { kind: "uniform", min: 1, max: 1 }],
    [["normal", 200, 10], { kind: "normal", mean: 200, std: 10 }],
    [["normal", "1", "0"], { kind: "normal", mean: 1, std: 0 }],
    [["constant", "128"], { kind: "constant", value: 128 }],
    [["CONSTANT", 1], { kind: "constant", value: 1 }],
    [["uniform 10 20"], { kind: "uniform", min: 10, max: 20 }],
  ];
  for (const [args, spec] of cases) {
    assert.deepEqual(parseLengthSpec(args, IN), spec, JSON.stringify(args));
  }
});

Deno.test("parseArrivalSpec: the documented error wording", () => {
  const error = assertUsage(() => parseArrivalSpec(["poisson"], REQ), REQ);
  assert.equal(
    error.message,
    '--request-distribution: expected "poisson RATE" (RATE > 0 requests/s or "inf"), got "poisson"',
  );
});

Deno.test("parseArrivalSpec: rejects every kind of mistake on the given flag", () => {
  const names = ["poisson", "exponential", "uniform", "normal", "constant"];
  const cases: [(string | number)[], string[]][] = [
    // missing or unknown name: every accepted name is listed
    [[], ["got nothing", ...names]],
    [["5"], ['got "5"', "name comes first", ...names]],
    [[5, 3], ['got "5 3"', "name comes first"]],
    [["weibull", 3], ['unknown distribution "weibull"', ...names]],
    [[""], ["got nothing"]],
    // wrong number of arguments
    [["poisson"], ['"poisson RATE"', 'got "poisson"']],
    [["poisson", 5, 6], ['got "poisson 5 6"']],
    [["uniform", 5], ['"uniform MIN MAX"', 'got "uniform 5"']],
    [["constant"], ['"constant GAP"']],
    // not numbers
    [["normal", "a", "b"], ['got "normal a b"', 'MEAN "a" is not a number']],
    [["normal", 1, "b"], ['STD "b" is not a number']],
    [["poisson", "0x10"], ["is not a number"]],
    [["poisson", "5rps"], ["is not a number"]],
    [["poisson", "1,000"], ["is not a number"]],
    [["poisson", NaN], ["is not a number"]],
    // out of range
    [["poisson", 0], ['got "poisson 0"', "RATE must be > 0"]],
    [["poisson", "-2"], ["RATE must be > 0"]],
    [["poisson", "-inf"], ["RATE must be > 0"]],
    [["exponential", 0], ["MEAN must be > 0"]],
    [["exponential", "-5"], ["MEAN must be > 0"]],
    [["exponential", "inf"], ["MEAN must be a finite number"]],
    [["uniform", -1, 2], ["MIN must be >= 0"]],
    [["uniform", 3, 1], ["MIN must be <= MAX"]],
    [["uniform", 0, "inf"], ["MAX must be a finite number"]],
    [["normal", 0, 1], ["MEAN must be > 0"]],
    [["normal", 1, -1], ["STD must be >= 0"]],
    [["constant", -1], ["GAP must be >= 0"]],
    [["constant", "inf"], ["GAP must be a finite number"]],
  ];
  for (const [args, fragments] of cases) {
    assertUsage(() => parseArrivalSpec(args, REQ), REQ, ...fragments);
  }
  // The flag is whatever the caller says, e.g. a config key.
  assertUsage(
    () => parseArrivalSpec(["poisson"], 'config key "request_distribution"'),
    'config key "request_distribution"',
  );
});

Deno.test("parseLengthSpec: rejects every kind of mistake on the given flag", () => {
  const cases: [(string | number)[], string[]][] = [
    [[], ["got nothing", "uniform", "normal", "constant"]],
    [["poisson", 5], ['unknown distribution "poisson"', "uniform", "normal", "constant"]],
    [["exponential", 5], ['unknown distribution "exponential"']],
    [["uniform", 5], ['"uniform MIN MAX"', 'got "uniform 5"']],
    [["constant"], ['"constant N"']],
    [["normal", "a", "b"], ['MEAN "a" is not a number']],
    [["uniform", 0, 5], ["MIN must be an integer >= 1"]],
    [["uniform", 1.5, 5], ["MIN must be an integer >= 1"]],
    [["uniform", 1, 5.5], ["MAX must be an integer"]],
    [["uniform", 10, 5], ["MIN must be <= MAX"]],
    [["normal", 0.5, 1], ["MEAN must be >= 1"]],
    [["normal", "inf", 1], ["MEAN must be a finite number"]],
    [["normal", 100, -1], ["STD must be >= 0"]],
    [["constant", 0], ["N must be an integer >= 1"]],
    [["constant", 2.5], ["N must be an integer >= 1"]],
    [["constant", "inf"], ["N must be an integer >= 1"]],
  ];
  for (const [args, fragments] of cases) {
    assertUsage(() => parseLengthSpec(args, IN), IN, ...fragments);
  }
  assertUsage(
    () => parseLengthSpec(["constant", 0], "--output-token-distribution"),
    "--output-token-distribution",
  );
});

Deno.test("parse: odd config values still give one-line messages", () => {
  // Whitespace, newlines included, separates words, so this is "poisson a b": too many arguments.
  assertUsage(() => parseArrivalSpec(["poisson", "a\nb"], REQ), REQ, 'got "poisson a b"');
  assertUsage(() => parseArrivalSpec(["poisson", '5"'], REQ), REQ, 'RATE "5\\"" is not a number');
  const junk = ["normal", true, null] as unknown as (string | number)[];
  assertUsage(() => parseArrivalSpec(junk, REQ), REQ, '"true" is not a number');
});
