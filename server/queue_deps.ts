/**
 * The job engine's packages, by full `npm:name@version` specifier: BullMQ and the Redis client it runs on
 * (ioredis, the version BullMQ itself depends on, so that one copy is loaded). Only the server, the workers and
 * `deno task sweep --redis` import this module; nothing reachable from `mod.ts` does.
 * @module
 */
export { DelayedError, Job, Queue, QueueEvents, UnrecoverableError, Worker } from "npm:bullmq@5.81.5";
export type { ConnectionOptions, JobsOptions, QueueOptions, WorkerOptions } from "npm:bullmq@5.81.5";
export { Redis } from "npm:ioredis@5.11.1";
export type { RedisOptions } from "npm:ioredis@5.11.1";
