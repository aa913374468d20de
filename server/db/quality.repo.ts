/**
 * Data quality (tables quarantine and data_quality_metrics): items the collector's quality gate rejected, and
 * the per-symbol quality score over time. Times are UTC epoch ms.
 */
import type pg from "pg";
import type { SymbolId } from "../domain/bars/bar.ts";
import type { QualityCheck, QualityIssue } from "../domain/quality/quality-types.ts";

type Queryable = pg.Pool | pg.PoolClient | pg.Client;

/** A rejected trade or bar, as written to quarantine. */
export interface QuarantineItem {
  symbol: SymbolId;
  kind: "trade" | "bar";
  /** The Trade or Bar as parsed. */
  payload: object;
  checks: readonly QualityIssue[];
  /** Trade time, or the bar's open time. */
  eventTime: number;
  /** When the collector received it (epoch ms). */
  receivedAt: number;
}

export interface QuarantineRow extends QuarantineItem {
  id: string;
}

/** One row of data_quality_metrics. */
export interface QualityMetricRow {
  symbol: SymbolId;
  at: number;
  score: number;
  windowItems: number;
  windowRejected: number;
  issues: Record<QualityCheck, number>;
}

/** Appends rejected items (one statement per call). */
export async function insertQuarantine(db: Queryable, items: readonly QuarantineItem[]): Promise<void> {
  if (items.length === 0) return;
  await db.query(
    `INSERT INTO quarantine (symbol, kind, payload, checks, event_time, received_at)
     SELECT s, k, p, c, to_timestamp(e / 1000.0), to_timestamp(r / 1000.0)
     FROM unnest($1::text[], $2::text[], $3::jsonb[], $4::jsonb[], $5::float8[], $6::float8[]) AS t(s, k, p, c, e, r)`,
    [
      items.map((item) => item.symbol),
      items.map((item) => item.kind),
      items.map((item) => JSON.stringify(item.payload)),
      items.map((item) => JSON.stringify(item.checks)),
      items.map((item) => item.eventTime),
      items.map((item) => item.receivedAt),
    ],
  );
}

/** The newest quarantined items of a symbol, newest first. */
export async function readRecentQuarantine(db: Queryable, symbol: SymbolId, limit = 20): Promise<QuarantineRow[]> {
  const result = await db.query<{ id: string; symbol: string; kind: "trade" | "bar"; payload: object; checks: QualityIssue[]; event_time: Date; received_at: Date }>(
    `SELECT id::text AS id, symbol, kind, payload, checks, event_time, received_at FROM quarantine
     WHERE symbol = $1 ORDER BY received_at DESC, quarantine.id DESC LIMIT $2`, // quarantine.id: the alias "id" is text ("9" > "10")
    [symbol, limit],
  );
  return result.rows.map((row) => ({
    id: row.id,
    symbol: row.symbol,
    kind: row.kind,
    payload: row.payload,
    checks: row.checks,
    eventTime: row.event_time.getTime(),
    receivedAt: row.received_at.getTime(),
  }));
}

/** Stores quality rows; a row for the same (symbol, at) is replaced. */
export async function upsertQualityMetrics(db: Queryable, rows: readonly QualityMetricRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO data_quality_metrics (symbol, at, score, window_items, window_rejected, issues)
     SELECT s, to_timestamp(a / 1000.0), sc, wi, wr, i
     FROM unnest($1::text[], $2::float8[], $3::float8[], $4::int[], $5::int[], $6::jsonb[]) AS t(s, a, sc, wi, wr, i)
     ON CONFLICT (symbol, at) DO UPDATE SET score = EXCLUDED.score, window_items = EXCLUDED.window_items,
       window_rejected = EXCLUDED.window_rejected, issues = EXCLUDED.issues`,
    [
      rows.map((row) => row.symbol),
      rows.map((row) => row.at),
      rows.map((row) => row.score),
      rows.map((row) => row.windowItems),
      rows.map((row) => row.windowRejected),
      rows.map((row) => JSON.stringify(row.issues)),
    ],
  );
}

/** The newest quality row of a symbol, or null. */
export async function readLatestQualityMetric(db: Queryable, symbol: SymbolId): Promise<QualityMetricRow | null> {
  const result = await db.query<{ symbol: string; at: Date; score: number; window_items: number; window_rejected: number; issues: Record<QualityCheck, number> }>(
    `SELECT symbol, at, score, window_items, window_rejected, issues FROM data_quality_metrics
     WHERE symbol = $1 ORDER BY at DESC LIMIT 1`,
    [symbol],
  );
  const row = result.rows[0];
  if (!row) return null;
  return { symbol: row.symbol, at: row.at.getTime(), score: row.score, windowItems: row.window_items, windowRejected: row.window_rejected, issues: row.issues };
}

/**
 * The symbol's stored quality score at each of `times` (epoch ms): the newest row at or before it, null when
 * none (no history yet, or older than the retention). One query for every time (LATERAL on the primary key).
 */
export async function readQualityScoresAt(db: Queryable, symbol: SymbolId, times: readonly number[]): Promise<(number | null)[]> {
  if (times.length === 0) return [];
  const result = await db.query<{ i: number; score: number | null }>(
    `SELECT t.i::int AS i, m.score FROM unnest($2::float8[]) WITH ORDINALITY AS t(ms, i)
     LEFT JOIN LATERAL (SELECT score FROM data_quality_metrics
       WHERE symbol = $1 AND at <= to_timestamp(t.ms / 1000) ORDER BY at DESC LIMIT 1) m ON true`,
    [symbol, times],
  );
  const scores: (number | null)[] = new Array(times.length).fill(null);
  for (const row of result.rows) scores[row.i - 1] = row.score === null ? null : Number(row.score);
  return scores;
}
