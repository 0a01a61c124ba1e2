/**
 * What route modules get: the app's store, queue, events and options, and the handler types of API and page
 * routes (Fresh-style route modules under `routes/`, mounted on Hono by `routes.ts`).
 * @module
 */
import type { Context, MiddlewareHandler } from "npm:hono@4.13.19";
import type { AnalysisConfig } from "../lib/analysis/types.ts";
import type { RunEvents } from "./events.ts";
import type { RunQueue } from "./queue.ts";
import type { RunStore } from "./store.ts";

/** Options the app runs with, after defaults. */
export interface ResolvedAppOptions {
  dataDir: string;
  dataRoot: string | null;
  cacheDir: string | null;
  concurrency: number;
  maxQueue: number;
  maxBodyBytes: number;
  /** Submitted runs estimated to need more memory than this are refused (bytes). */
  memoryLimitBytes: number;
  /** The worker count runs that leave it to the machine get. */
  cores: number;
}

/** Where a new run comes from. */
export interface SubmitOptions {
  /** The run it was resubmitted from. */
  resubmittedFrom?: string | null;
  /** The sweep it belongs to, and its point's index there. */
  sweepId?: string | null;
  sweepIndex?: number | null;
  /** Queue it even when the queue is full (the sweep checked the room for all its runs first). */
  force?: boolean;
}

/** Shared state of the running app. */
export interface AppContext {
  store: RunStore;
  queue: RunQueue;
  events: RunEvents;
  options: ResolvedAppOptions;
  /** Stores and queues a new run (validated config); throws `QueueFullError` when the queue is full. */
  submit(config: AnalysisConfig, opts?: SubmitOptions): Promise<string>;
  /** Aborted when the server stops: open event streams end at once. */
  stopping: AbortController;
}

/** An API handler. */
export type Handler = (c: Context, ctx: AppContext) => Response | Promise<Response>;

/** An API route's method handlers; a handler may come with Hono middleware that runs first (e.g. validators). */
export type Handlers = Partial<
  Record<"GET" | "POST" | "DELETE", Handler | { use: MiddlewareHandler[]; handle: Handler }>
>;

/** A page's data loader: its data and title, or a response (e.g. a 404). */
export type PageHandler<T> = (c: Context, ctx: AppContext) => Promise<{ title: string; data: T } | Response>;

/** Props of a page component. */
export interface PageProps<T> {
  data: T;
  url: URL;
}
