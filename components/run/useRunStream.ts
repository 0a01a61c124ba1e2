/**
 * A run as the page sees it, kept current: the events stream (`/api/runs/:id/events`) sends the state, then
 * progress (with partial curves) and status changes; once the run ends, its record and result are fetched.
 * @module
 */
import { useEffect, useState } from "npm:preact@10.29.8/hooks";
import type { AnalysisResult } from "../../lib/analysis/types.ts";
import { isFinal, type RunDetail, type RunEvent, type RunRecord } from "../../server/types.ts";
import { api } from "../api.ts";

/** What {@link useRunStream} returns. */
export interface RunStream {
  run: RunRecord;
  result: AnalysisResult | null;
  /** A problem talking to the server, for the page to show. */
  notice: string | null;
  setRun(r: RunRecord): void;
  setNotice(n: string | null): void;
}

/** Follows a run from its server-rendered state. */
export function useRunStream(initial: RunDetail): RunStream {
  const { result: initialResult, ...initialRun } = initial;
  const [run, setRun] = useState<RunRecord>(initialRun);
  const [result, setResult] = useState<AnalysisResult | null>(initialResult);
  const [notice, setNotice] = useState<string | null>(null);
  const live = !isFinal(run.status);
  useEffect(() => {
    if (!live) return;
    const es = new EventSource(`/api/runs/${encodeURIComponent(run.id)}/events`);
    const finish = async () => {
      es.close();
      try {
        const { result: r, ...rest } = await api.get(run.id);
        setRun(rest);
        if (r) setResult(r);
      } catch (e) {
        setNotice(`Could not load the result: ${(e as Error).message}`);
      }
    };
    es.addEventListener("state", (e) => {
      const s = JSON.parse((e as MessageEvent).data) as RunRecord;
      setRun(s);
      if (isFinal(s.status)) finish();
    });
    es.addEventListener("progress", (e) => {
      const ev = JSON.parse((e as MessageEvent).data) as Extract<RunEvent, { type: "progress" }>;
      setRun((r) => ({
        ...r,
        status: "running",
        progress: ev.progress,
        partial: ev.partial ? { ...r.partial, ...ev.partial } : r.partial,
      }));
    });
    es.addEventListener("status", (e) => {
      const ev = JSON.parse((e as MessageEvent).data) as Extract<RunEvent, { type: "status" }>;
      setRun((r) => ({ ...r, ...ev.run }));
      if (isFinal(ev.run.status)) finish();
    });
    return () => es.close();
  }, [live, run.id]);
  return { run, result, notice, setRun, setNotice };
}
