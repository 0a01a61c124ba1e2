/**
 * The run process (executor `process`, the default): a `deno run` subprocess that runs one analysis. It reads
 * the `start` message as one JSON line on stdin and writes its messages to stdout as lines starting with
 * {@link MESSAGE_PREFIX} (anything else on stdout is ordinary output). When stdin ends — the server closed it,
 * or the server died — the process exits as soon as its event loop runs, and a progress message that cannot be
 * written (the server is gone) ends it too, so a run does not outlive its server. The server cancels a run
 * by killing this process, which stops every computation in it, WebAssembly kernels and compute workers
 * included.
 * @module
 */
import type { HostMessage, WorkerMessage } from "./protocol.ts";
import { MESSAGE_PREFIX } from "./protocol.ts";
import { runAnalysis } from "./runner.ts";

const encoder = new TextEncoder();

/**
 * Writes a protocol line to stdout, completely and synchronously: the analysis may keep the event loop busy
 * for long stretches, so an asynchronous write would wait until it yields. A write that fails means the
 * server is gone (broken pipe): the process exits.
 */
function send(m: WorkerMessage): void {
  const bytes = encoder.encode(`${MESSAGE_PREFIX}${JSON.stringify(m)}\n`);
  try {
    let at = 0;
    while (at < bytes.length) at += Deno.stdout.writeSync(bytes.subarray(at));
  } catch {
    Deno.exit(130);
  }
}

async function main(): Promise<void> {
  const reader = Deno.stdin.readable.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  let start: Extract<HostMessage, { type: "start" }> | null = null;
  while (start === null) {
    const { value, done } = await reader.read();
    if (done) Deno.exit(3); // no start message: the server is gone
    buf += value;
    const nl = buf.indexOf("\n");
    if (nl >= 0) {
      const msg = JSON.parse(buf.slice(0, nl)) as HostMessage;
      if (msg.type !== "start") Deno.exit(3);
      start = msg;
    }
  }
  // The end of stdin means the server has gone (or wants this run stopped): leave at once.
  (async () => {
    try {
      while (!(await reader.read()).done) { /* the server sends nothing more */ }
    } catch { /* closed */ }
    Deno.exit(130);
  })();
  await runAnalysis(start, send, new AbortController().signal);
  Deno.exit(0);
}

if (import.meta.main) await main();
