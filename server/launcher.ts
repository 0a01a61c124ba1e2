/**
 * Watching the process that started the server. `npx -y deno@2 task serve` starts a chain — npx (node), then
 * `deno task`, then the server — and killing the first by its PID does not reach the last. The server therefore
 * watches its chain of launcher processes (node, npm, npx, deno, sh) up to the first other one (the user's shell,
 * a service manager), and stops when any of them has ended. Linux reads `/proc`; elsewhere the parent PID is
 * watched (`process.ppid`).
 * @module
 */
import process from "node:process";

const LAUNCHERS = new Set(["node", "npm", "npx", "deno", "sh", "dash", "bash-npm", "npm exec"]);

interface Proc {
  pid: number;
  /** Start time in clock ticks since boot (tells a reused PID apart). */
  start: string;
}

/** `[comm, ppid, starttime]` of a process from `/proc/<pid>/stat`, or null. */
function stat(pid: number): [string, number, string] | null {
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const close = text.lastIndexOf(")");
    const comm = text.slice(text.indexOf("(") + 1, close);
    const rest = text.slice(close + 2).split(" ");
    return [comm, Number(rest[1]), rest[19]];
  } catch {
    return null;
  }
}

/** The launcher processes above this one, nearest first (Linux). */
export function launcherChain(): Proc[] | null {
  if (stat(Deno.pid) === null) return null;
  const chain: Proc[] = [];
  let pid = process.ppid;
  for (let depth = 0; depth < 8 && pid > 1; depth++) {
    const s = stat(pid);
    if (!s || !LAUNCHERS.has(s[0])) break;
    chain.push({ pid, start: s[2] });
    pid = s[1];
  }
  return chain;
}

/** Calls `onEnd` once when a launcher process has ended; returns a function that stops watching. */
export function watchLauncher(onEnd: () => void, everyMs = 500): () => void {
  const chain = launcherChain();
  const parent = process.ppid;
  const gone = chain ? () => chain.some((p) => stat(p.pid)?.[2] !== p.start) : () => process.ppid !== parent;
  const timer = setInterval(() => {
    if (gone()) {
      clearInterval(timer);
      onEnd();
    }
  }, everyMs);
  Deno.unrefTimer(timer);
  return () => clearInterval(timer);
}
