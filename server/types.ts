/**
 * The shapes the server stores and serves: a run's record, its status, progress and error.
 * Shared by the API, the store, the queue and (as types only) the browser islands.
 * @module
 */
import type { AnalysisConfig, AnalysisResult, Stage, Threshold } from "../lib/analysis/types.ts";

/** Where a run is in its life. `interrupted`: it was executing when the server stopped. */
export type RunStatus = "queued" | "running" | "done" | "failed" | "cancelled" | "interrupted";

/** Statuses a run never leaves (except by deletion). */
export const FINAL_STATUSES: readonly RunStatus[] = ["done", "failed", "cancelled", "interrupted"];

/** True when `s` is a final status. */
export function isFinal(s: RunStatus): boolean {
  return FINAL_STATUSES.includes(s);
}

/** The last progress event of a run (without its partial result, stored apart). */
export interface RunProgress {
  stage: Stage;
  /** Fraction of the stage done, in [0, 1]. */
  fraction: number;
  /** Fraction of the whole run done, in [0, 1]. */
  overall: number;
  message?: string;
  /** ISO time of the event. */
  at: string;
}

/** Why a run failed: the error's name and message, and for a bad value its field and allowed range. */
export interface RunError {
  name: string;
  message: string;
  field?: string;
  value?: unknown;
  allowed?: string;
}

/** Which queue a run was put on: the embedded in-process one, or BullMQ on Redis. */
export type RunEngine = "embedded" | "redis";

/** A run handed back to the queue before it finished: its worker stopped, or an attempt failed. */
export interface RunRetry {
  /** ISO time the run went back to the queue. */
  at: string;
  /** The worker that had it, when known. */
  worker: string | null;
  /** Why, in words (e.g. "worker gpu1 stopped responding (killed, or its machine was lost)"). */
  reason: string;
}

/** A run as listed: its config, status, timing and headline threshold. */
export interface RunSummary {
  id: string;
  status: RunStatus;
  config: AnalysisConfig;
  /** ISO times. */
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Seconds from start to finish (or to now while running); null before it starts. */
  duration: number | null;
  /** The stage of the last progress event (`progress.stage`), or null before the first. */
  stage: Stage | null;
  progress: RunProgress | null;
  /** The headline threshold (empirical, smoothed, first tolerance) once done: k*, |D| or the prediction. */
  headline: Threshold | null;
  /** The headline k*, or null (not done, or not reached). */
  kStar: number | null;
  /** |D| = k*·B. */
  samples: number | null;
  /** The tolerance of the headline threshold. */
  tolerance: number | null;
  error: RunError | null;
  /** The run this one was resubmitted from. */
  resubmittedFrom: string | null;
  /** The queue the run is on. */
  engine: RunEngine;
  /** The worker executing (or that executed) the run: its `--name`, or `"server"` for the embedded queue. */
  worker: string | null;
  /** How many times an execution of the run started (more than 1: it was retried). */
  attempts: number;
  /** Each time the run went back to the queue before finishing, oldest first. */
  retries: RunRetry[];
  /** The sweep the run belongs to, and its point's index in the sweep. */
  sweepId: string | null;
  sweepIndex: number | null;
}

/** A run with its partial result (curves available so far). */
export interface RunRecord extends RunSummary {
  partial: Partial<AnalysisResult> | null;
  hasResult: boolean;
}

/** A run as `GET /api/runs/:id` answers: the record and, when done, its result. */
export interface RunDetail extends RunRecord {
  result: AnalysisResult | null;
}

/** What the events stream (`/api/runs/:id/events`) sends after the initial state. */
export type RunEvent =
  | { type: "progress"; progress: RunProgress; percent: number; partial?: Partial<AnalysisResult> }
  | { type: "status"; run: RunSummary };

/** A sweep to store: its spec (as submitted) and how many runs it has. */
export interface NewSweep {
  id: string;
  name?: string | null;
  /** The sweep spec as submitted (`kstar.sweep` spec: base, grid and/or points). */
  spec: unknown;
  /** Its number of runs. */
  size: number;
}

/** A stored sweep. */
export interface SweepRecord {
  id: string;
  /** ISO time. */
  createdAt: string;
  name: string | null;
  spec: unknown;
  size: number;
}
