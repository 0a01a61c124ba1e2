/**
 * Persistence of runs: the {@link RunStore} interface and its SQLite implementation (`node:sqlite`, one file
 * `<dataDir>/kstar.db` in WAL mode). Every write is one transaction, so a crash mid-write leaves the previous
 * state readable; runs that were executing when the server stopped come back `interrupted`.
 *
 * The interface is asynchronous so that a networked store (for workers on several machines) can implement it.
 * @module
 */
import { headlineThreshold } from "../lib/analysis/thresholds.ts";
import { DatabaseSync } from "node:sqlite";
import type { AnalysisConfig, AnalysisResult, Threshold } from "../lib/analysis/types.ts";
import { upgradeResult } from "../lib/analysis/result_schema.ts";
import { upgradeConfig } from "../lib/config/resolve.ts";
import type {
  NewSweep,
  RunEngine,
  RunError,
  RunProgress,
  RunRecord,
  RunRetry,
  RunStatus,
  RunSummary,
  SweepRecord,
} from "./types.ts";

/** How a run ended. */
export type RunOutcome =
  | { status: "done"; result: AnalysisResult }
  | { status: "failed"; error: RunError }
  | { status: "cancelled" | "interrupted"; error?: RunError };

/** A new run. */
export interface NewRun {
  id: string;
  config: AnalysisConfig;
  resubmittedFrom?: string | null;
  /** The queue it goes on (default `embedded`). */
  engine?: RunEngine;
  /** The sweep it belongs to, and its point's index there. */
  sweepId?: string | null;
  sweepIndex?: number | null;
}

/** Where an execution of a run started: the worker's name and the attempt's number (1 = the first). */
export interface RunStart {
  worker?: string | null;
  attempt?: number;
}

/** What {@link RunStore.recover} found after a restart. */
export interface Recovered {
  /** Embedded runs that were executing: now `interrupted`. */
  interrupted: string[];
  /** Embedded runs still waiting, oldest first. */
  queued: string[];
  /** Runs on the Redis queue that had not ended (queued or running), oldest first: untouched. */
  remote: string[];
}

/** Options of {@link RunStore.list}. */
export interface ListOptions {
  /** Most recent first; at most this many (default 500). */
  limit?: number;
  /** Only runs in these statuses. */
  status?: RunStatus[];
}

/** Where runs, their progress and results live. */
export interface RunStore {
  /** Stores a new run in status `queued`. */
  create(run: NewRun): Promise<RunRecord>;
  get(id: string): Promise<RunRecord | null>;
  list(opts?: ListOptions): Promise<RunSummary[]>;
  /**
   * `queued` → `running`, recording the worker and the attempt (default: one more); false when the run is not
   * queued (cancelled or deleted meanwhile).
   */
  markRunning(id: string, start?: RunStart): Promise<boolean>;
  /**
   * `running` → `queued`: the run went back to the queue (its worker stopped, or an attempt failed); the retry
   * is recorded. Null when the run was not running.
   */
  markRetrying(id: string, retry: RunRetry): Promise<RunSummary | null>;
  /**
   * Records where a run that has not ended is: on another queue (a queued embedded run requeued on Redis), or
   * on a worker (learnt after it started).
   */
  assign(id: string, where: { engine?: RunEngine; worker?: string }): Promise<void>;
  /** Records the latest progress of a running run, merging `partial` into its partial result. */
  saveProgress(id: string, progress: RunProgress, partial?: Partial<AnalysisResult>): Promise<void>;
  /** Ends a queued or running run; null when it had already ended (or does not exist). */
  finish(id: string, outcome: RunOutcome): Promise<RunSummary | null>;
  getResult(id: string): Promise<AnalysisResult | null>;
  /** Deletes a run and its result; false when there was none. */
  delete(id: string): Promise<boolean>;
  /**
   * After a restart: marks every `running` embedded run `interrupted` (keeping its progress and partial
   * result) and returns those ids, the embedded ids still `queued`, and the runs on Redis that have not ended
   * (their workers may still be executing them; the Redis queue re-attaches to them).
   */
  recover(): Promise<Recovered>;
  /** Stores a new sweep (its runs are created with its id). */
  createSweep(sweep: NewSweep): Promise<SweepRecord>;
  getSweep(id: string): Promise<SweepRecord | null>;
  /** Most recent first. */
  listSweeps(limit?: number): Promise<SweepRecord[]>;
  /** The runs of a sweep, in point order. */
  sweepRuns(id: string): Promise<RunSummary[]>;
  /**
   * For each of these sweeps, how many of its runs are in each status (the statuses in the order their first
   * run comes in point order; `{}` for a sweep without runs).
   */
  sweepStatusCounts(ids: readonly string[]): Promise<Map<string, Partial<Record<RunStatus, number>>>>;
  /** Deletes a sweep with its runs and their results; false when there was none. */
  deleteSweep(id: string): Promise<boolean>;
  close(): void;
}

/**
 * 1: the first store; 2: a `headline` column (the headline threshold as JSON), configs with `mcDraws`;
 * 3: the queue a run is on, its worker, attempts and retries, its sweep; the `sweeps` table.
 */
const SCHEMA_VERSION = 3;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  status TEXT NOT NULL,
  config TEXT NOT NULL,
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  progress TEXT,
  partial TEXT,
  error TEXT,
  k_star INTEGER,
  samples INTEGER,
  tolerance REAL,
  resubmitted_from TEXT,
  headline TEXT,
  engine TEXT NOT NULL DEFAULT 'embedded',
  worker TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  retries TEXT,
  sweep_id TEXT,
  sweep_index INTEGER
);
CREATE INDEX IF NOT EXISTS runs_seq ON runs (seq);
CREATE INDEX IF NOT EXISTS runs_status ON runs (status);
CREATE TABLE IF NOT EXISTS results (
  run_id TEXT PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
  json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sweeps (
  id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  name TEXT,
  spec TEXT NOT NULL,
  size INTEGER NOT NULL
);
`;

/** Indexes on columns that schema 3 added (created after the migration has added them). */
const INDEXES_3 = "CREATE INDEX IF NOT EXISTS runs_sweep ON runs (sweep_id, sweep_index);";

/** The columns schema 3 added to `runs`, as `ALTER TABLE` adds them. */
const COLUMNS_3: [string, string][] = [
  ["engine", "TEXT NOT NULL DEFAULT 'embedded'"],
  ["worker", "TEXT"],
  ["attempts", "INTEGER NOT NULL DEFAULT 0"],
  ["retries", "TEXT"],
  ["sweep_id", "TEXT"],
  ["sweep_index", "INTEGER"],
];

type Row = Record<string, string | number | null>;

const SUMMARY_COLUMNS = "id, status, config, created_at, started_at, finished_at, progress, error, k_star, " +
  "samples, tolerance, resubmitted_from, headline, engine, worker, attempts, retries, sweep_id, sweep_index";

function parse<T>(s: unknown): T | null {
  return typeof s === "string" ? JSON.parse(s) as T : null;
}

function duration(startedAt: string | null, finishedAt: string | null, status: RunStatus): number | null {
  if (!startedAt) return null;
  const end = finishedAt ? Date.parse(finishedAt) : status === "running" ? Date.now() : null;
  return end === null ? null : Math.max(0, (end - Date.parse(startedAt)) / 1000);
}

function toSummary(r: Row): RunSummary {
  const status = r.status as RunStatus;
  const startedAt = r.started_at as string | null, finishedAt = r.finished_at as string | null;
  return {
    id: r.id as string,
    status,
    config: upgradeConfig(JSON.parse(r.config as string)) as unknown as AnalysisConfig,
    createdAt: r.created_at as string,
    startedAt,
    finishedAt,
    duration: duration(startedAt, finishedAt, status),
    stage: parse<RunProgress>(r.progress)?.stage ?? null,
    progress: parse<RunProgress>(r.progress),
    headline: parse<Threshold>(r.headline),
    kStar: r.k_star as number | null,
    samples: r.samples as number | null,
    tolerance: r.tolerance as number | null,
    error: parse<RunError>(r.error),
    resubmittedFrom: r.resubmitted_from as string | null,
    engine: (r.engine as RunEngine | null) ?? "embedded",
    worker: r.worker as string | null,
    attempts: (r.attempts as number | null) ?? 0,
    retries: parse<RunRetry[]>(r.retries) ?? [],
    sweepId: r.sweep_id as string | null,
    sweepIndex: r.sweep_index as number | null,
  };
}

function toSweep(r: Row): SweepRecord {
  return {
    id: r.id as string,
    createdAt: r.created_at as string,
    name: r.name as string | null,
    spec: JSON.parse(r.spec as string),
    size: r.size as number,
  };
}

/** The headline threshold of a result (see `headlineThreshold`), as the run list shows it. */
export function headline(r: AnalysisResult): Threshold | null {
  return headlineThreshold(r) ?? r.thresholds[0] ?? null;
}

/** A {@link RunStore} in a SQLite file (`node:sqlite`, WAL, one transaction per write). */
export class SqliteRunStore implements RunStore {
  readonly #db: DatabaseSync;
  readonly path: string;

  /** Opens (creating if needed) `<dataDir>/kstar.db`; `":memory:"` for a throwaway store. */
  static async open(dataDir: string): Promise<SqliteRunStore> {
    if (dataDir === ":memory:") return new SqliteRunStore(":memory:");
    await Deno.mkdir(dataDir, { recursive: true });
    return new SqliteRunStore(`${dataDir.replace(/[\\/]+$/, "")}/kstar.db`);
  }

  constructor(path: string) {
    this.path = path;
    this.#db = new DatabaseSync(path);
    this.#db.exec("PRAGMA journal_mode = WAL");
    this.#db.exec("PRAGMA synchronous = FULL");
    this.#db.exec("PRAGMA foreign_keys = ON");
    this.#db.exec("PRAGMA busy_timeout = 5000");
    const version = (this.#db.prepare("PRAGMA user_version").get() as Row).user_version as number;
    if (version > SCHEMA_VERSION) {
      throw new Error(`${path}: store schema ${version} is newer than this server's (${SCHEMA_VERSION})`);
    }
    this.#tx(() => {
      this.#db.exec(SCHEMA);
      if (version === 1) this.#migrateFrom1();
      if (version >= 1 && version < 3) this.#migrateTo3();
      this.#db.exec(INDEXES_3);
      this.#db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
    });
  }

  /** Schema 1 → 2: the headline column, filled from the stored results. */
  #migrateFrom1(): void {
    const cols = (this.#db.prepare("PRAGMA table_info(runs)").all() as Row[]).map((r) => r.name);
    if (!cols.includes("headline")) this.#db.exec("ALTER TABLE runs ADD COLUMN headline TEXT");
    const rows = this.#db.prepare("SELECT run_id, json FROM results").all() as Row[];
    const update = this.#db.prepare("UPDATE runs SET headline = ? WHERE id = ?");
    for (const row of rows) {
      try {
        update.run(
          JSON.stringify(headline(upgradeResult(JSON.parse(row.json as string)))),
          row.run_id as string,
        );
      } catch { /* an unreadable result keeps no headline */ }
    }
  }

  /**
   * Schema 2 → 3: the queue, worker, attempts, retries and sweep columns (every stored run was on the embedded
   * queue; one that has started counts one attempt), and the `sweeps` table (created by the schema).
   */
  #migrateTo3(): void {
    const cols = (this.#db.prepare("PRAGMA table_info(runs)").all() as Row[]).map((r) => r.name);
    for (const [name, type] of COLUMNS_3) {
      if (!cols.includes(name)) this.#db.exec(`ALTER TABLE runs ADD COLUMN ${name} ${type}`);
    }
    this.#db.exec("UPDATE runs SET attempts = 1 WHERE started_at IS NOT NULL AND attempts = 0");
  }

  /** Runs `fn` in one transaction (rolled back if it throws). */
  #tx<T>(fn: () => T): T {
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      const out = fn();
      this.#db.exec("COMMIT");
      return out;
    } catch (e) {
      this.#db.exec("ROLLBACK");
      throw e;
    }
  }

  #row(id: string): Row | undefined {
    return this.#db.prepare(
      `SELECT ${SUMMARY_COLUMNS}, partial, ` +
        `EXISTS (SELECT 1 FROM results WHERE run_id = runs.id) AS has_result FROM runs WHERE id = ?`,
    )
      .get(id) as Row | undefined;
  }

  #record(r: Row): RunRecord {
    return { ...toSummary(r), partial: parse(r.partial), hasResult: r.has_result === 1 };
  }

  create(run: NewRun): Promise<RunRecord> {
    const record = this.#tx(() => {
      const seq = (this.#db.prepare("SELECT COALESCE(MAX(seq), 0) + 1 AS s FROM runs").get() as Row).s;
      this.#db.prepare(
        "INSERT INTO runs (id, seq, status, config, created_at, resubmitted_from, engine, sweep_id, sweep_index) " +
          "VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?)",
      ).run(
        run.id,
        seq,
        JSON.stringify(run.config),
        new Date().toISOString(),
        run.resubmittedFrom ?? null,
        run.engine ?? "embedded",
        run.sweepId ?? null,
        run.sweepIndex ?? null,
      );
      return this.#record(this.#row(run.id)!);
    });
    return Promise.resolve(record);
  }

  get(id: string): Promise<RunRecord | null> {
    const r = this.#row(id);
    return Promise.resolve(r ? this.#record(r) : null);
  }

  list(opts: ListOptions = {}): Promise<RunSummary[]> {
    const limit = Math.max(1, Math.min(opts.limit ?? 500, 10_000));
    const where = opts.status?.length ? `WHERE status IN (${opts.status.map(() => "?").join(", ")})` : "";
    const rows = this.#db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM runs ${where} ORDER BY seq DESC LIMIT ?`)
      .all(...(opts.status ?? []), limit) as Row[];
    return Promise.resolve(rows.map(toSummary));
  }

  markRunning(id: string, start: RunStart = {}): Promise<boolean> {
    const r = this.#db.prepare(
      "UPDATE runs SET status = 'running', started_at = ?, worker = ?, " +
        "attempts = COALESCE(?, attempts + 1) WHERE id = ? AND status = 'queued'",
    )
      .run(new Date().toISOString(), start.worker ?? null, start.attempt ?? null, id);
    return Promise.resolve(r.changes === 1);
  }

  markRetrying(id: string, retry: RunRetry): Promise<RunSummary | null> {
    const out = this.#tx(() => {
      const row = this.#db.prepare("SELECT retries FROM runs WHERE id = ? AND status = 'running'").get(id) as
        | Row
        | undefined;
      if (!row) return null;
      const retries = [...(parse<RunRetry[]>(row.retries) ?? []), retry];
      this.#db.prepare("UPDATE runs SET status = 'queued', retries = ? WHERE id = ?")
        .run(JSON.stringify(retries), id);
      return toSummary(this.#row(id)!);
    });
    return Promise.resolve(out);
  }

  assign(id: string, where: { engine?: RunEngine; worker?: string }): Promise<void> {
    this.#db.prepare(
      "UPDATE runs SET engine = COALESCE(?, engine), worker = COALESCE(?, worker) " +
        "WHERE id = ? AND status IN ('queued', 'running')",
    ).run(where.engine ?? null, where.worker ?? null, id);
    return Promise.resolve();
  }

  saveProgress(id: string, progress: RunProgress, partial?: Partial<AnalysisResult>): Promise<void> {
    this.#tx(() => {
      if (partial && Object.keys(partial).length) {
        const old = this.#db.prepare("SELECT partial FROM runs WHERE id = ?").get(id) as Row | undefined;
        const merged = { ...(parse<Partial<AnalysisResult>>(old?.partial) ?? {}), ...partial };
        this.#db.prepare("UPDATE runs SET progress = ?, partial = ? WHERE id = ? AND status = 'running'")
          .run(JSON.stringify(progress), JSON.stringify(merged), id);
      } else {
        this.#db.prepare("UPDATE runs SET progress = ? WHERE id = ? AND status = 'running'")
          .run(JSON.stringify(progress), id);
      }
    });
    return Promise.resolve();
  }

  finish(id: string, outcome: RunOutcome): Promise<RunSummary | null> {
    const out = this.#tx(() => {
      const now = new Date().toISOString();
      const error = outcome.status === "done" ? null : outcome.error ?? null;
      const h = outcome.status === "done" ? headline(outcome.result) : null;
      const changed = this.#db.prepare(
        "UPDATE runs SET status = ?, finished_at = ?, error = ?, k_star = ?, samples = ?, tolerance = ?, headline = ?" +
          (outcome.status === "done" ? ", partial = NULL" : "") +
          " WHERE id = ? AND status IN ('queued', 'running')",
      ).run(
        outcome.status,
        now,
        error ? JSON.stringify(error) : null,
        h?.kStar ?? null,
        h?.samples ?? null,
        h && Number.isFinite(h.tolerance) ? h.tolerance : null,
        h ? JSON.stringify(h) : null,
        id,
      ).changes;
      if (changed !== 1) return null;
      if (outcome.status === "done") {
        this.#db.prepare("INSERT OR REPLACE INTO results (run_id, json) VALUES (?, ?)")
          .run(id, JSON.stringify(outcome.result));
      }
      return toSummary(this.#row(id)!);
    });
    return Promise.resolve(out);
  }

  getResult(id: string): Promise<AnalysisResult | null> {
    const r = this.#db.prepare("SELECT json FROM results WHERE run_id = ?").get(id) as Row | undefined;
    return Promise.resolve(r ? upgradeResult(JSON.parse(r.json as string)) : null);
  }

  createSweep(sweep: NewSweep): Promise<SweepRecord> {
    const out = this.#tx(() => {
      const seq = (this.#db.prepare("SELECT COALESCE(MAX(seq), 0) + 1 AS s FROM sweeps").get() as Row).s;
      this.#db.prepare("INSERT INTO sweeps (id, seq, created_at, name, spec, size) VALUES (?, ?, ?, ?, ?, ?)")
        .run(
          sweep.id,
          seq,
          new Date().toISOString(),
          sweep.name ?? null,
          JSON.stringify(sweep.spec),
          sweep.size,
        );
      return toSweep(this.#db.prepare("SELECT * FROM sweeps WHERE id = ?").get(sweep.id) as Row);
    });
    return Promise.resolve(out);
  }

  getSweep(id: string): Promise<SweepRecord | null> {
    const r = this.#db.prepare("SELECT * FROM sweeps WHERE id = ?").get(id) as Row | undefined;
    return Promise.resolve(r ? toSweep(r) : null);
  }

  listSweeps(limit = 200): Promise<SweepRecord[]> {
    const n = Math.max(1, Math.min(limit, 10_000));
    const rows = this.#db.prepare("SELECT * FROM sweeps ORDER BY seq DESC LIMIT ?").all(n) as Row[];
    return Promise.resolve(rows.map(toSweep));
  }

  sweepRuns(id: string): Promise<RunSummary[]> {
    const rows = this.#db.prepare(
      `SELECT ${SUMMARY_COLUMNS} FROM runs WHERE sweep_id = ? ORDER BY sweep_index, seq`,
    ).all(id) as Row[];
    return Promise.resolve(rows.map(toSummary));
  }

  sweepStatusCounts(ids: readonly string[]): Promise<Map<string, Partial<Record<RunStatus, number>>>> {
    const rows = this.#db.prepare(
      "SELECT sweep_id, status, COUNT(*) AS n FROM (SELECT sweep_id, status, " +
        "ROW_NUMBER() OVER (PARTITION BY sweep_id ORDER BY sweep_index, seq) AS pos FROM runs " +
        "WHERE sweep_id IN (SELECT value FROM json_each(?))) GROUP BY sweep_id, status ORDER BY sweep_id, MIN(pos)",
    ).all(JSON.stringify(ids)) as Row[];
    const out = new Map<string, Partial<Record<RunStatus, number>>>(ids.map((id) => [id, {}]));
    for (const r of rows) out.get(r.sweep_id as string)![r.status as RunStatus] = r.n as number;
    return Promise.resolve(out);
  }

  deleteSweep(id: string): Promise<boolean> {
    const n = this.#tx(() => {
      this.#db.prepare("DELETE FROM results WHERE run_id IN (SELECT id FROM runs WHERE sweep_id = ?)").run(
        id,
      );
      this.#db.prepare("DELETE FROM runs WHERE sweep_id = ?").run(id);
      return this.#db.prepare("DELETE FROM sweeps WHERE id = ?").run(id).changes;
    });
    return Promise.resolve(n === 1);
  }

  delete(id: string): Promise<boolean> {
    const n = this.#tx(() => {
      this.#db.prepare("DELETE FROM results WHERE run_id = ?").run(id);
      return this.#db.prepare("DELETE FROM runs WHERE id = ?").run(id).changes;
    });
    return Promise.resolve(n === 1);
  }

  recover(): Promise<Recovered> {
    const out = this.#tx(() => {
      const ids = (sql: string) => (this.#db.prepare(sql).all() as Row[]).map((r) => r.id as string);
      const running = ids(
        "SELECT id FROM runs WHERE status = 'running' AND engine = 'embedded' ORDER BY seq",
      );
      const error: RunError = {
        name: "Interrupted",
        message: "the server stopped while this run was executing; resubmit it to run it again",
      };
      // It stopped at its last progress event, as far as anyone can tell.
      this.#db.prepare(
        "UPDATE runs SET status = 'interrupted', finished_at = COALESCE(json_extract(progress, '$.at'), ?), " +
          "error = ? WHERE status = 'running' AND engine = 'embedded'",
      ).run(new Date().toISOString(), JSON.stringify(error));
      const queued = ids("SELECT id FROM runs WHERE status = 'queued' AND engine = 'embedded' ORDER BY seq");
      const remote = ids(
        "SELECT id FROM runs WHERE status IN ('queued', 'running') AND engine = 'redis' ORDER BY seq",
      );
      return { interrupted: running, queued, remote };
    });
    return Promise.resolve(out);
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}
