import { assertEquals, assertInstanceOf, assertMatch, assertThrows } from "./assert.ts";
import { DataError } from "../../lib/errors.ts";
import { parseJsonRows } from "../../lib/data/fashion_json.ts";

const enc = (s: string) => new TextEncoder().encode(s);

Deno.test("fashion json: fast path keeps valid rows and drops empty/short/out-of-range ones", () => {
  const text = '{"data":[[1,2,3,4],[],[5,6,7],[255,0,10,200],[1,2,3,256],[9,8,7,6,5]]}';
  const r = parseJsonRows(enc(text), "c.json", 4);
  assertEquals(r.count, 2);
  assertEquals(r.dropped, 4);
  assertEquals(Array.from(r.pixels), [1, 2, 3, 4, 255, 0, 10, 200]);
});

Deno.test("fashion json: whitespace, BOM and an empty data array", () => {
  const r = parseJsonRows(enc('\ufeff{ "data" : [ [ 1 , 2 ] ,\n [3,4] ] }\n'), "c.json", 2);
  assertEquals([r.count, r.dropped], [2, 0]);
  assertEquals(Array.from(r.pixels), [1, 2, 3, 4]);
  const e = parseJsonRows(enc('{"data":[]}'), "c.json", 2);
  assertEquals([e.count, e.dropped, e.pixels.length], [0, 0, 0]);
});

Deno.test("fashion json: unexpected shapes fall back to JSON.parse with the same rules", () => {
  // floats, negatives, null rows, strings, extra keys: handled by the slow path.
  const text = '{"meta":1,"data":[[1,2],[1.0,2],[1.5,2],[-1,2],null,"ab",[1,"2"],[3,4]]}';
  const r = parseJsonRows(enc(text), "c.json", 2);
  assertEquals(r.count, 3); // [1,2], [1.0,2] (= [1,2]), [3,4]
  assertEquals(r.dropped, 5);
  assertEquals(Array.from(r.pixels), [1, 2, 1, 2, 3, 4]);
});

Deno.test("fashion json: fast and slow paths agree on a larger random file", () => {
  const rows: number[][] = [];
  let s = 3;
  for (let i = 0; i < 200; i++) {
    const len = i % 17 === 0 ? 0 : i % 23 === 0 ? 15 : 16;
    rows.push(Array.from({ length: len }, () => (s = (s * 1103515245 + 12345) % 2147483648) % 256));
  }
  const fast = parseJsonRows(enc(JSON.stringify({ data: rows })), "a.json", 16);
  const slow = parseJsonRows(enc(JSON.stringify({ x: 0, data: rows })), "b.json", 16); // extra key → slow path
  assertEquals(fast, slow);
  assertEquals(fast.count + fast.dropped, 200);
});

Deno.test("fashion json: not JSON or no data array is a DataError", () => {
  for (const text of ["{", '{"rows":[]}', "[1,2]", "null"]) {
    const e = assertThrows(() => parseJsonRows(enc(text), "bad.json", 2));
    assertInstanceOf(e, DataError);
    assertEquals(e.file, "bad.json");
    assertMatch(e.message, /not valid JSON|"data" array/);
  }
});
