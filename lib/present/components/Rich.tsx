/** @jsxRuntime automatic */
/** @jsxImportSource npm:preact@10.29.8 */
/**
 * Text with `_{sub}` / `^{sup}` markup (the figure specs' labels and captions) as HTML sub- and superscripts.
 * @module
 */
import type { JSX } from "npm:preact@10.29.8";
import { MARKUP } from "../format.ts";

/** Renders `text`, turning `_{…}` into `<sub>` and `^{…}` into `<sup>`; everything else is plain text. */
export function Rich({ text }: { text: string }): JSX.Element {
  const parts: (string | JSX.Element)[] = [];
  let last = 0;
  let i = 0;
  for (const m of String(text).matchAll(MARKUP)) {
    if (m.index > last) parts.push(text.slice(last, m.index));
    parts.push(m[1] === "_" ? <sub key={i++}>{m[2]}</sub> : <sup key={i++}>{m[2]}</sup>);
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return <>{parts}</>;
}
