/**
 * Checkpoints of `marketlens backfill` (table backfill_checkpoints): where an interrupted run resumes.
 * Keyed by (source, symbol, timeframe, range_from, range_to); times are UTC epoch ms.
 */
import type pg from "pg";
import type { SymbolId } from "../domain/bars/bar.ts";
import type { Timeframe } from "../domain/time/timeframes.ts";

type Queryable = pg.Pool | pg.PoolClient | pg.Client;

export interface BackfillCheckpointKey {
  source: string;
  symbol: SymbolId;
  timeframe: Timeframe;
  from: number;
  to: number;
}

export interface BackfillCheckpoint extends BackfillCheckpointKey {
  nextStart: number;
  barsFetched: number;
  completed: boolean;
}

const KEY_WHERE = `source = $1 AND symbol = $2 AND timeframe = $3 AND range_from = to_timestamp($4 / 1000.0) AND range_to = to_timestamp($5 / 1000.0)`;
const keyParams = (key: BackfillCheckpointKey) => [key.source, key.symbol, key.timeframe, key.from, key.to];

/** The checkpoint of this exact range, or null. */
export async function readBackfillCheckpoint(db: Queryable, key: BackfillCheckpointKey): Promise<BackfillCheckpoint | null> {
  const result = await db.query<{ next_start: string; bars_fetched: string; completed: boolean }>(
    `SELECT (extract(epoch FROM next_start) * 1000)::bigint AS next_start, bars_fetched, completed_at IS NOT NULL AS completed
     FROM backfill_checkpoints WHERE ${KEY_WHERE}`,
    keyParams(key),
  );
  const row = result.rows[0];
  return row ? { ...key, nextStart: Number(row.next_start), barsFetched: Number(row.bars_fetched), completed: row.completed } : null;
}

/** Records progress: everything before `nextStart` is stored. A completed row is reopened. */
export async function saveBackfillCheckpoint(db: Queryable, key: BackfillCheckpointKey, progress: { nextStart: number; barsFetched: number }): Promise<void> {
  await db.query(
    `INSERT INTO backfill_checkpoints (source, symbol, timeframe, range_from, range_to, next_start, bars_fetched)
     VALUES ($1, $2, $3, to_timestamp($4 / 1000.0), to_timestamp($5 / 1000.0), to_timestamp($6 / 1000.0), $7)
     ON CONFLICT (source, symbol, timeframe, range_from, range_to) DO UPDATE SET
       next_start = EXCLUDED.next_start, bars_fetched = EXCLUDED.bars_fetched, updated_at = now(), completed_at = NULL,
       started_at = CASE WHEN backfill_checkpoints.completed_at IS NULL THEN backfill_checkpoints.started_at ELSE now() END`,
    [...keyParams(key), progress.nextStart, progress.barsFetched],
  );
}

/** Marks the range done (a later run over it starts from the beginning). */
export async function completeBackfillCheckpoint(db: Queryable, key: BackfillCheckpointKey, progress: { nextStart: number; barsFetched: number }): Promise<void> {
  await saveBackfillCheckpoint(db, key, progress);
  await db.query(`UPDATE backfill_checkpoints SET completed_at = now() WHERE ${KEY_WHERE}`, keyParams(key));
}

/** Deletes the checkpoints of a symbol (tests, cleanup). */
export async function deleteBackfillCheckpoints(db: Queryable, symbol: SymbolId): Promise<number> {
  const result = await db.query(`DELETE FROM backfill_checkpoints WHERE symbol = $1`, [symbol]);
  return result.rowCount ?? 0;
}
