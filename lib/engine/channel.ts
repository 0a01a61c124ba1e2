/**
 * The message channel between a compute pool and one of its worker threads. Where the runtime has
 * `node:worker_threads` (Deno, Node) it is used, for two things web Workers lack: a worker that is idle does not
 * hold the process open (it is unref'ed between calls, so a script that forgets `pool.close()` still ends), and
 * stopping is graceful and awaited (the worker frees its tensors and backend and ends itself, and the pool waits
 * for its thread to stop — so a script that ends right after closing its pool never exits while a worker is still
 * tearing down its WebAssembly or WebGPU state, which crashed the process at exit about one run in six).
 * Elsewhere (a browser) a standard Web Worker is used.
 * @module
 */

const TYPED = "__kstarTypedArray";
type TypedName = "Float32Array" | "Float64Array" | "Int32Array" | "Uint8Array" | "Uint16Array" | "Int16Array";
const TYPED_CTORS: Record<TypedName, new (b: ArrayBuffer) => ArrayBufferView> = {
  Float32Array,
  Float64Array,
  Int32Array,
  Uint8Array,
  Uint16Array,
  Int16Array,
};

/**
 * Messages over `node:worker_threads` carry typed arrays as their bare `ArrayBuffer`s: Deno's structured clone
 * there copies an `ArrayBuffer` at memory speed but takes ~15–20 ms for a typed-array view of 440 kB (a model's
 * weights or a Hessian-vector product), transferred or not. {@link decode} restores the views.
 */
export function encode(x: unknown): unknown {
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) {
    const name = x.constructor.name as TypedName;
    if (!(name in TYPED_CTORS) || !(x.buffer instanceof ArrayBuffer)) return x;
    const whole = x.byteOffset === 0 && x.byteLength === x.buffer.byteLength;
    return {
      [TYPED]: name,
      buffer: whole ? x.buffer : x.buffer.slice(x.byteOffset, x.byteOffset + x.byteLength),
    };
  }
  if (Array.isArray(x)) return x.map(encode);
  if (x && typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) out[k] = encode(v);
    return out;
  }
  return x;
}

/** The inverse of {@link encode}. */
export function decode(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(decode);
  if (x && typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype) {
    const o = x as Record<string, unknown>;
    if (typeof o[TYPED] === "string" && o.buffer instanceof ArrayBuffer) {
      return new TYPED_CTORS[o[TYPED] as TypedName](o.buffer);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) out[k] = decode(v);
    return out;
  }
  return x;
}

/** One worker thread, whichever kind. */
export interface WorkerChannel {
  /** Sends a message (structured clone; the `transfer` buffers are moved, not copied). */
  post(message: unknown, transfer?: ArrayBuffer[]): void;
  /** Keeps the process alive while replies are awaited. */
  ref(): void;
  /** Lets the process end while the worker is idle. */
  unref(): void;
  /**
   * Stops the worker. With `graceful`, it is asked to stop itself (it frees its state and exits, see
   * {@link WorkerSide.exit}) and forced only if it has not stopped after `graceMs`. Resolves once its thread has
   * stopped (or at once where that cannot be known).
   */
  terminate(graceful?: { message: unknown; graceMs: number }): Promise<void>;
}

/** What a channel reports to its owner. */
export interface ChannelEvents {
  /** A message from the worker. */
  message(data: unknown): void;
  /** The worker failed or exited on its own; its pending work is lost. */
  failure(reason: string): void;
}

interface NodeWorker {
  postMessage(m: unknown, transfer?: ArrayBuffer[]): void;
  on(event: "message" | "error" | "exit", fn: (x: unknown) => void): void;
  ref(): void;
  unref(): void;
  terminate(): Promise<number>;
}
type NodeWorkerClass = new (url: URL) => NodeWorker;

let nodeWorker: Promise<NodeWorkerClass | null> | null = null;

/** `node:worker_threads`' Worker, or null where the runtime has none. */
function nodeWorkerClass(): Promise<NodeWorkerClass | null> {
  nodeWorker ??= import("node:worker_threads").then(
    (m) => (m as unknown as { Worker: NodeWorkerClass }).Worker ?? null,
    () => null,
  );
  return nodeWorker;
}

/**
 * Starts a worker running the module at `url`. A `node:worker_threads` worker starts only from a `file:` or
 * `data:` URL; a module imported over HTTP is started through a one-line `data:` module that imports it.
 */
export async function spawnWorker(url: URL, events: ChannelEvents): Promise<WorkerChannel> {
  const NodeWorker = await nodeWorkerClass();
  if (NodeWorker) {
    const entry = url.protocol === "file:"
      ? url
      : new URL(`data:text/javascript,${encodeURIComponent(`import ${JSON.stringify(url.href)};`)}`);
    const w = new NodeWorker(entry);
    let stopping = false;
    let exited!: () => void;
    const exit = new Promise<void>((r) => exited = r);
    w.on("message", (data) => events.message(decode(data)));
    w.on("error", (e) => events.failure((e as Error)?.message ?? String(e)));
    w.on("exit", (code) => {
      exited();
      if (!stopping) events.failure(`the worker thread exited (code ${code})`);
    });
    w.unref();
    return {
      post: (m, transfer) => w.postMessage(encode(m), transfer),
      ref: () => w.ref(),
      unref: () => w.unref(),
      terminate: async (graceful) => {
        if (stopping) return await exit;
        stopping = true;
        w.ref(); // the process waits for the thread to stop
        if (graceful) {
          w.postMessage(graceful.message);
          let timer: ReturnType<typeof setTimeout> | undefined;
          const late = new Promise<boolean>((r) => timer = setTimeout(() => r(true), graceful.graceMs));
          const forced = await Promise.race([exit.then(() => false), late]);
          clearTimeout(timer);
          if (!forced) return;
        }
        await w.terminate();
        await exit;
      },
    };
  }
  const w = new Worker(url.href, { type: "module" });
  w.onmessage = (e: MessageEvent) => events.message(e.data);
  w.onerror = (e: ErrorEvent) => {
    e.preventDefault();
    events.failure(e.message);
  };
  return {
    post: (m, transfer) => w.postMessage(m, transfer ?? []),
    ref: () => {},
    unref: () => {},
    terminate: () => {
      w.terminate();
      return Promise.resolve();
    },
  };
}

/** The worker side: receives messages and sends replies over whichever channel started this module. */
export interface WorkerSide {
  onMessage(fn: (data: unknown) => void): void;
  /** Sends a reply (structured clone; the `transfer` buffers are moved, not copied). */
  post(message: unknown, transfer?: ArrayBuffer[]): void;
  /** Ends this worker from inside, once its state is freed (the graceful end of `terminate`). */
  exit(): void;
}

/** The worker side of the channel of the current worker module. */
export async function workerSide(): Promise<WorkerSide> {
  const port = await import("node:worker_threads").then(
    (m) =>
      (m as unknown as {
        parentPort: {
          on(e: "message", f: (d: unknown) => void): void;
          postMessage(m: unknown, transfer?: ArrayBuffer[]): void;
        } | null;
      })
        .parentPort,
    () => null,
  );
  const scope = globalThis as unknown as {
    onmessage: ((e: MessageEvent) => void) | null;
    postMessage(m: unknown, transfer?: ArrayBuffer[]): void;
    close(): void;
  };
  if (port) {
    return {
      onMessage: (fn) => port.on("message", (d) => fn(decode(d))),
      post: (m, transfer) => port.postMessage(encode(m), transfer),
      exit: () => (globalThis as unknown as { process: { exit(c: number): void } }).process.exit(0),
    };
  }
  return {
    onMessage: (fn) => (scope.onmessage = (e) => fn(e.data)),
    post: (m, transfer) => scope.postMessage(m, transfer ?? []),
    exit: () => scope.close(),
  };
}
