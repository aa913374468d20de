/**
 * Candle writes and the reads the collector needs (pg, parameterized). Writes are idempotent
 * multi-row upserts through `unnest` (one round trip per batch); a row only changes when its values do.
 */
import type pg from "pg";
import type { Bar, SymbolId } from "../domain/bars/bar.ts";
import { readCandles } from "./candles-read.repo.ts";
import type { Timeframe } from "../domain/time/timeframes.ts";

type Queryable = pg.Pool | pg.PoolClient | pg.Client;

/** Upserts bars keyed by (symbol, timeframe, open_time); returns rows inserted or changed. */
export async function upsertCandles(db: Queryable, bars: readonly Bar[]): Promise<number> {
  if (bars.length === 0) return 0;
  const columns: [string[], string[], number[], number[], number[], number[], number[], number[], number[], string[]] = [[], [], [], [], [], [], [], [], [], []];
  for (const bar of dedupeLastWins(bars)) {
    columns[0].push(bar.symbol);
    columns[1].push(bar.timeframe);
    columns[2].push(bar.openTime);
    columns[3].push(bar.open);
    columns[4].push(bar.high);
    columns[5].push(bar.low);
    columns[6].push(bar.close);
    columns[7].push(bar.volume);
    columns[8].push(bar.trades);
    columns[9].push(bar.source);
  }
  const result = await db.query(
    `INSERT INTO candles (symbol, timeframe, open_time, open, high, low, close, volume, trades, source)
     SELECT s, tf, to_timestamp(t / 1000.0), o, h, l, c, v, n, src
     FROM unnest($1::text[], $2::text[], $3::bigint[], $4::float8[], $5::float8[], $6::float8[], $7::float8[], $8::float8[], $9::int[], $10::text[])
       AS u(s, tf, t, o, h, l, c, v, n, src)
     ON CONFLICT (symbol, timeframe, open_time) DO UPDATE SET
       open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close,
       volume = EXCLUDED.volume, trades = EXCLUDED.trades, source = EXCLUDED.source, updated_at = now()
     WHERE (candles.open, candles.high, candles.low, candles.close, candles.volume, candles.trades, candles.source)
       IS DISTINCT FROM (EXCLUDED.open, EXCLUDED.high, EXCLUDED.low, EXCLUDED.close, EXCLUDED.volume, EXCLUDED.trades, EXCLUDED.source)`,
    columns,
  );
  return result.rowCount ?? 0;
}

/** One statement may not touch a key twice: keep the last version of each bar in a batch. */
function dedupeLastWins(bars: readonly Bar[]): Bar[] {
  const byKey = new Map<string, Bar>();
  for (const bar of bars) byKey.set(`${bar.symbol}|${bar.timeframe}|${bar.openTime}`, bar);
  return byKey.size === bars.length ? (bars as Bar[]) : [...byKey.values()];
}

/** Open time (ms) of the newest stored bar, or null. */
export async function lastCandleTime(db: Queryable, symbol: SymbolId, timeframe: Timeframe): Promise<number | null> {
  const result = await db.query<{ t: string | null }>(
    `SELECT (extract(epoch FROM max(open_time)) * 1000)::bigint AS t FROM candles WHERE symbol = $1 AND timeframe = $2`,
    [symbol, timeframe],
  );
  const value = result.rows[0]?.t;
  return value === null || value === undefined ? null : Number(value);
}

/** Bars with from <= openTime < to, ascending (at most 1,000,000: callers read bounded ranges). */
export async function readCandleRange(db: Queryable, options: { symbol: SymbolId; timeframe: Timeframe; from: number; to: number }): Promise<Bar[]> {
  return readCandles(db, { ...options, limit: 1_000_000 });
}

/** Records a hole the exchange itself has (first missing open time → first open time after it). */
export async function recordKnownGap(db: Queryable, gap: { symbol: SymbolId; timeframe: Timeframe; start: number; end: number; reason: string }): Promise<void> {
  await db.query(
    `INSERT INTO known_gaps (symbol, timeframe, gap_start, gap_end, reason)
     VALUES ($1, $2, to_timestamp($3 / 1000.0), to_timestamp($4 / 1000.0), $5)
     ON CONFLICT (symbol, timeframe, gap_start) DO UPDATE SET gap_end = EXCLUDED.gap_end, reason = EXCLUDED.reason`,
    [gap.symbol, gap.timeframe, gap.start, gap.end, gap.reason],
  );
}

/**
 * Bulk load (backfill, imports): batches of `batchSize` upserted over `concurrency` pooled connections.
 * Bars of one key must not be split across batches with different values (callers pass each bar once).
 */
export async function bulkUpsertCandles(pool: pg.Pool, bars: readonly Bar[], options: { batchSize?: number; concurrency?: number } = {}): Promise<number> {
  const batchSize = options.batchSize ?? 5_000;
  const batches: Bar[][] = [];
  for (let offset = 0; offset < bars.length; offset += batchSize) batches.push(bars.slice(offset, offset + batchSize));
  let next = 0;
  let written = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++]!;
      written += await upsertCandles(pool, batch);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 2) }, worker));
  return written;
}
