import { assert, assertAlmostEquals, assertEquals } from "../assert.ts";
import { fitPowerLaw, kStar, movingAverage, predictKStar } from "../../lib/analysis/thresholds.ts";

Deno.test("movingAverage: 5-point window with replicated edges, by hand", () => {
  assertEquals(movingAverage([0, 0, 5, 0, 0]), [1, 1, 1, 1, 1]);
  // first point: (1 + 1 + 1 + 2 + 3) / 5 = 1.6; second: (1 + 1 + 2 + 3 + 4) / 5 = 2.2
  assertEquals(movingAverage([1, 2, 3, 4, 5, 6]).map((x) => +x.toFixed(12)), [1.6, 2.2, 3, 4, 4.8, 5.4]);
  assertEquals(movingAverage([7]), [7]);
  assertEquals(movingAverage([]), []);
});

Deno.test("kStar: the first k after which every value stays below tol", () => {
  assertEquals(kStar([0.5, 0.01, 0.2, 0.01, 0.005], 0.1), 4);
  assertEquals(kStar([0.01, 0.01], 0.1), 1);
  assertEquals(kStar([0.5, 0.2], 0.1), null); // data end first: never a made-up value
  assertEquals(kStar([0.5, 0.1], 0.1), null); // strict inequality
  assertEquals(kStar([0.01, NaN, 0.01], 0.1), 3); // non-finite values never count as below
  assertEquals(kStar([], 0.1), null);
});

Deno.test("fitPowerLaw recovers C and α from an exact power law", () => {
  const delta = Array.from({ length: 40 }, (_, i) => 3 / (i + 1) ** 2);
  const f = fitPowerLaw(delta)!;
  assertAlmostEquals(f.alpha, 2, 1e-10);
  assertAlmostEquals(f.C, 3, 1e-9);
  assertAlmostEquals(f.r2, 1, 1e-12);
  assertEquals([f.fromK, f.toK], [11, 40]);
});

Deno.test("predictKStar extrapolates and refuses unusable fits", () => {
  const f = { C: 4, alpha: 2, r2: 0.99, fromK: 1, toK: 10 };
  assertEquals(predictKStar(f, 0.01), 20); // (4/0.01)^(1/2) = 20
  assertEquals(predictKStar({ ...f, alpha: -0.5 }, 0.01), null);
  assertEquals(predictKStar({ ...f, r2: 0.2 }, 0.01), null);
  assertEquals(predictKStar(null, 0.01), null);
  assert(fitPowerLaw([1, -1, 0]) === null, "too few positive points");
});
