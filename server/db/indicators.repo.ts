/**
 * The `indicators` table (pg, parameterized): one row per (symbol, timeframe, bar) with every series of the
 * indicator core and the candlestick patterns present. Writes are multi-row `unnest` upserts that leave a row
 * alone when every value is the same within ml_same_value's tolerance (a retried job changes nothing).
 * Edit with the migration when an indicator is added (INDICATOR_KEYS + SCANNER_KEYS order).
 */
import type { SymbolId } from "../domain/bars/bar.ts";
import { INDICATOR_KEYS, SCANNER_KEYS, emptyIndicatorValues, type IndicatorValueKey, type IndicatorValues } from "../domain/indicators/indicator-types.ts";
import type { Timeframe } from "../domain/time/timeframes.ts";
import type pg from "pg";

/** A pool or a client: hot statements are sent as named prepared statements (planned once per connection). */
export type Db = pg.Pool | pg.PoolClient | pg.Client;

/** Every stored series, in table order. */
export const INDICATOR_VALUE_KEYS: readonly IndicatorValueKey[] = [...INDICATOR_KEYS, ...SCANNER_KEYS];

/** camelCase key → snake_case column: `macdSignal` → `macd_signal`, `plusDi14` → `plus_di14`. */
export function indicatorColumn(key: IndicatorValueKey): string {
  return key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

const COLUMNS = INDICATOR_VALUE_KEYS.map(indicatorColumn);

/** A pattern present on a bar: its PATTERN_NAMES name and TA-Lib value (±100, ±80). */
export interface StoredPattern {
  name: string;
  value: number;
}

export interface IndicatorRow {
  openTime: number;
  values: IndicatorValues;
  patterns: StoredPattern[];
  /** Epoch ms the row was (re)computed; ignored on write. */
  computedAt?: number;
}

export interface StreamKey {
  symbol: SymbolId;
  timeframe: Timeframe;
}

// Built once from the constant column list above (identifiers, never input): $3 times, $4.. one array per series.
const VALUE_PARAMS = COLUMNS.map((column, index) => `$${index + 4}::float8[]`).join(", ");
const PATTERNS_PARAM = `$${COLUMNS.length + 4}::text[]`;
const PATTERN_VALUES_PARAM = `$${COLUMNS.length + 5}::text[]`;
const UPSERT_SQL = `INSERT INTO indicators (symbol, timeframe, open_time, ${COLUMNS.join(", ")}, patterns, pattern_values, computed_at)
  SELECT $1, $2, to_timestamp(u.t / 1000.0), ${COLUMNS.map((column) => `u.${column}`).join(", ")}, u.p::text[], u.pv::smallint[], now()
  FROM unnest($3::bigint[], ${VALUE_PARAMS}, ${PATTERNS_PARAM}, ${PATTERN_VALUES_PARAM}) AS u(t, ${COLUMNS.join(", ")}, p, pv)
  ON CONFLICT (symbol, timeframe, open_time) DO UPDATE SET
    ${COLUMNS.map((column) => `${column} = EXCLUDED.${column}`).join(", ")},
    patterns = EXCLUDED.patterns, pattern_values = EXCLUDED.pattern_values, computed_at = EXCLUDED.computed_at
  WHERE NOT (${COLUMNS.map((column) => `ml_same_value(indicators.${column}, EXCLUDED.${column})`).join(" AND ")}
    AND indicators.patterns = EXCLUDED.patterns AND indicators.pattern_values = EXCLUDED.pattern_values)`;

const arrayLiteral = (items: readonly (string | number)[]) => `{${items.join(",")}}`;

/**
 * Upserts the rows of one stream; returns how many rows were inserted or changed.
 * @example await upsertIndicators(pool, { symbol: "BINANCE:BTCUSDT", timeframe: "1m" }, rows)
 */
export async function upsertIndicators(db: Db, stream: StreamKey, rows: readonly IndicatorRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const series = COLUMNS.map(() => new Array<number | null>(rows.length));
  const times = new Array<number>(rows.length);
  const patterns = new Array<string>(rows.length);
  const patternValues = new Array<string>(rows.length);
  rows.forEach((row, index) => {
    times[index] = row.openTime;
    INDICATOR_VALUE_KEYS.forEach((key, column) => {
      series[column]![index] = row.values[key];
    });
    patterns[index] = arrayLiteral(row.patterns.map((pattern) => pattern.name));
    patternValues[index] = arrayLiteral(row.patterns.map((pattern) => pattern.value));
  });
  const result = await db.query({ name: "indicators-upsert-v1", text: UPSERT_SQL, values: [stream.symbol, stream.timeframe, times, ...series, patterns, patternValues] });
  return result.rowCount ?? 0;
}

interface Row {
  t: string;
  computed: string;
  patterns: string[];
  pattern_values: number[];
  [column: string]: unknown;
}

const SELECT = `SELECT (extract(epoch FROM open_time) * 1000)::bigint AS t, ${COLUMNS.join(", ")}, patterns, pattern_values,
  (extract(epoch FROM computed_at) * 1000)::bigint AS computed FROM indicators`;

const RANGE_SQL = `${SELECT} WHERE symbol = $1 AND timeframe = $2 AND open_time >= to_timestamp($3::float8 / 1000)
  AND ($4::float8 IS NULL OR open_time < to_timestamp($4::float8 / 1000)) ORDER BY open_time LIMIT $5`;

function toRow(row: Row): IndicatorRow {
  const values = emptyIndicatorValues();
  INDICATOR_VALUE_KEYS.forEach((key, index) => {
    values[key] = (row[COLUMNS[index]!] as number | null) ?? null;
  });
  return {
    openTime: Number(row.t),
    values,
    patterns: row.patterns.map((name, index) => ({ name, value: row.pattern_values[index] ?? 0 })),
    computedAt: Number(row.computed),
  };
}

/**
 * Rows with from <= openTime < to (to optional), ascending, at most `limit`: page with `from = last + 1`.
 */
export async function readIndicatorRange(
  db: Db,
  query: StreamKey & { from: number; to?: number | null; limit: number },
): Promise<IndicatorRow[]> {
  const result = await db.query<Row>({ name: "indicators-range-v1", text: RANGE_SQL, values: [query.symbol, query.timeframe, query.from, query.to ?? null, query.limit] });
  return result.rows.map(toRow);
}

/** The newest row with openTime < before (any when before is null), or null. */
export async function readLastIndicator(db: Db, stream: StreamKey, before: number | null = null): Promise<IndicatorRow | null> {
  const result = await db.query<Row>(
    `${SELECT} WHERE symbol = $1 AND timeframe = $2 AND ($3::float8 IS NULL OR open_time < to_timestamp($3::float8 / 1000))
     ORDER BY open_time DESC LIMIT 1`,
    [stream.symbol, stream.timeframe, before],
  );
  return result.rows[0] ? toRow(result.rows[0]) : null;
}

/** The row of one bar, or null. */
export async function readIndicatorAt(db: Db, stream: StreamKey, openTime: number): Promise<IndicatorRow | null> {
  const result = await db.query<Row>(`${SELECT} WHERE symbol = $1 AND timeframe = $2 AND open_time = to_timestamp($3::float8 / 1000)`, [
    stream.symbol,
    stream.timeframe,
    openTime,
  ]);
  return result.rows[0] ? toRow(result.rows[0]) : null;
}
