/**
 * Range reads of closed candles from PostgreSQL (hot path: parameterized SQL through `pg`).
 * Rows are mapped to the domain `Bar`; open_time goes out as epoch ms.
 */
import type { QueryResult, QueryResultRow } from "pg";
import type { Bar, BarSource, SymbolId } from "../domain/bars/bar.ts";
import type { Timeframe } from "../domain/time/timeframes.ts";

/** Anything with pg's `query` (a Pool, a PoolClient). */
export interface Queryable {
  query<Row extends QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<Row>>;
}

export interface CandleReadQuery {
  symbol: SymbolId;
  timeframe: Timeframe;
  /** Maximum number of bars returned. */
  limit: number;
  /** Inclusive lower bound on open time (epoch ms). With it, the oldest bars from here are returned. */
  from?: number;
  /** Exclusive upper bound on open time (epoch ms). Without `from`, the newest bars before it are returned. */
  to?: number;
}

interface CandleRow extends QueryResultRow {
  symbol: string;
  timeframe: string;
  open_time_ms: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  trades: number;
  source: string;
}

const COLUMNS = `symbol, timeframe, (extract(epoch from open_time) * 1000)::bigint AS open_time_ms,
  open, high, low, close, volume, trades, source`;

// Two statements rather than one built from pieces: every value is a parameter, nothing is concatenated.
const NEWEST_SQL = `SELECT ${COLUMNS} FROM candles
  WHERE symbol = $1 AND timeframe = $2
    AND ($3::double precision IS NULL OR open_time < to_timestamp($3::double precision / 1000))
  ORDER BY open_time DESC LIMIT $4`;

const FROM_SQL = `SELECT ${COLUMNS} FROM candles
  WHERE symbol = $1 AND timeframe = $2
    AND open_time >= to_timestamp($3::double precision / 1000)
    AND ($4::double precision IS NULL OR open_time < to_timestamp($4::double precision / 1000))
  ORDER BY open_time ASC LIMIT $5`;

function toBar(row: CandleRow, timeframe: Timeframe): Bar {
  return {
    symbol: row.symbol,
    timeframe,
    openTime: Number(row.open_time_ms),
    open: row.open,
    high: row.high,
    low: row.low,
    close: row.close,
    volume: row.volume,
    trades: row.trades,
    source: row.source as BarSource,
  };
}

/**
 * Closed bars of one (symbol, timeframe), ascending by open time.
 * @example readCandles(pool, { symbol: "BINANCE:BTCUSDT", timeframe: "1m", limit: 500 }) // newest 500
 */
export async function readCandles(db: Queryable, query: CandleReadQuery): Promise<Bar[]> {
  const { symbol, timeframe, limit } = query;
  if (query.from !== undefined) {
    const result = await db.query<CandleRow>(FROM_SQL, [symbol, timeframe, query.from, query.to ?? null, limit]);
    return result.rows.map((row) => toBar(row, timeframe));
  }
  const result = await db.query<CandleRow>(NEWEST_SQL, [symbol, timeframe, query.to ?? null, limit]);
  return result.rows.map((row) => toBar(row, timeframe)).reverse();
}
