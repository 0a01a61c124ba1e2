/**
 * Test helpers: a tag-balance check for generated SVG/HTML and a small RFC 4180 CSV parser.
 * @module
 */

const VOID = new Set(["meta", "link", "br", "hr", "img", "input", "col", "area", "base", "source", "wbr"]);

/**
 * Checks that every element is closed in order (self-closing `<x/>` and HTML void elements allowed), that
 * attribute quotes balance, and that no raw `<` or `&` leaks into text. `<script>` and `<style>` bodies are
 * skipped. Returns the problems found (empty when well formed).
 */
export function markupProblems(markup: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const text = markup
    .replace(/<!DOCTYPE[^>]*>/i, "")
    .replace(/<(script|style)\b([^>]*)>[\s\S]*?<\/\1>/g, "<$1$2></$1>");
  const re = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+(?:="[^"]*")?)*)\s*(\/?)>/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    const between = text.slice(last, m.index);
    if (between.includes("<")) problems.push(`stray angle bracket near ${m.index}`);
    if (/&(?![a-zA-Z]+;|#\d+;|#x[0-9a-fA-F]+;)/.test(between)) problems.push(`raw & near ${m.index}`);
    last = m.index + m[0].length;
    const [, close, name, , self] = m;
    const tag = name.toLowerCase();
    if (close) {
      const open = stack.pop();
      if (open !== tag) problems.push(`</${tag}> closes <${open}> at ${m.index}`);
    } else if (!self && !VOID.has(tag)) {
      stack.push(tag);
    }
  }
  const tail = text.slice(last);
  if (tail.includes("<") || tail.includes(">")) problems.push("stray angle bracket at the end");
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(", ")}`);
  return problems;
}

/** Parses RFC 4180 CSV (quoted fields with doubled quotes, CRLF or LF records). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
