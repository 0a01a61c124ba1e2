/**
 * JSON for a `<script type="application/json">` element (the report's embedded result, the islands' props).
 * @module
 */

/**
 * JSON in which `<`, `>`, `&`, U+2028 and U+2029 are written as `\u` escapes, so that neither `</script>` nor
 * `<!--` can end or confuse the element; `JSON.parse` restores the text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scriptJson } from "kstar";
 * assert.equal(scriptJson({ a: "</x>&\u2028" }), '{"a":"\\u003c/x\\u003e\\u0026\\u2028"}');
 * assert.deepEqual(JSON.parse(scriptJson({ a: "</script>" })), { a: "</script>" });
 * ```
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll("<", "\\u003c")
    .replaceAll(">", "\\u003e")
    .replaceAll("&", "\\u0026")
    .replaceAll("\u2028", "\\u2028")
    .replaceAll("\u2029", "\\u2029");
}
