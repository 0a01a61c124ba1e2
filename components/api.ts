/**
 * Browser calls to the JSON API.
 * @module
 */
import type { AnalysisResult } from "../lib/analysis/types.ts";
import type { SweepDocument } from "../lib/sweep/summary.ts";
import type { SweepDetail } from "../server/sweeps.ts";
import type { RunDetail, RunRecord, RunSummary } from "../server/types.ts";

/** An API error answer. */
export interface ApiErrorBody {
  error: string;
  field?: string;
  value?: unknown;
  allowed?: string;
}

/** An error answer as an exception. */
export class ApiRequestError extends Error {
  readonly status: number;
  readonly body: ApiErrorBody;
  constructor(status: number, body: ApiErrorBody) {
    super(body.error);
    this.status = status;
    this.body = body;
  }
}

async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await res.json().catch(() => ({ error: `${res.status} ${res.statusText}` }));
  if (!res.ok) throw new ApiRequestError(res.status, data as ApiErrorBody);
  return data as T;
}

export const api = {
  list: () => call<{ runs: RunSummary[] }>("GET", "/api/runs"),
  get: (id: string) => call<RunDetail>("GET", `/api/runs/${encodeURIComponent(id)}`),
  submit: (config: Record<string, unknown>) => call<RunRecord>("POST", "/api/runs", config),
  remove: (id: string) =>
    call<{ id: string; action: string }>("DELETE", `/api/runs/${encodeURIComponent(id)}`),
  resubmit: (id: string) => call<RunRecord>("POST", `/api/runs/${encodeURIComponent(id)}/resubmit`),
  result: (id: string) => call<AnalysisResult>("GET", `/api/runs/${encodeURIComponent(id)}/result.json`),
  sweep: (id: string) => call<SweepDetail>("GET", `/api/sweeps/${encodeURIComponent(id)}`),
  sweepDocument: (id: string) =>
    call<SweepDocument>("GET", `/api/sweeps/${encodeURIComponent(id)}/sweep.json?inline=1`),
  removeSweep: (id: string) =>
    call<{ id: string; action: string }>("DELETE", `/api/sweeps/${encodeURIComponent(id)}`),
};
