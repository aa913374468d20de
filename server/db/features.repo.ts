/**
 * The `ml_features` table (pg, parameterized): versioned feature rows. History is never overwritten: a write
 * whose values differ (beyond ml_same_features' 1e-9 tolerance) from the newest stored version of that bar adds
 * version + 1 with `known_at`; an identical write adds nothing. Reads pick, per bar, the newest version known
 * at `asOf` (or the newest overall), so training data can be reproduced point-in-time.
 */
import type { Timeframe } from "../domain/time/timeframes.ts";
import type { SymbolId } from "../domain/bars/bar.ts";
import type { Db } from "./indicators.repo.ts";

export interface FeatureStreamKey {
  symbol: SymbolId;
  timeframe: Timeframe;
  featureSet: string;
}

export interface FeatureValuesInput {
  openTime: number;
  /** Feature name → value (null during its warm-up). */
  values: Record<string, number | null>;
  /** The normalized 0–1 vector. */
  vector: readonly number[];
}

export interface StoredFeatureRow {
  openTime: number;
  version: number;
  /** Epoch ms this version became known. */
  knownAt: number;
  values: Record<string, number | null>;
  vector: number[];
}

const INSERT_SQL = `WITH input AS (
    SELECT to_timestamp(u.t / 1000.0) AS open_time, u.v::jsonb AS "values", u.vec::real[] AS vector
    FROM unnest($4::bigint[], $5::text[], $6::text[]) AS u(t, v, vec)
  ), latest AS (
    SELECT DISTINCT ON (f.open_time) f.open_time, f.version, f."values"
    FROM ml_features f
    WHERE f.symbol = $1 AND f.timeframe = $2 AND f.feature_set = $3
      AND f.open_time BETWEEN (SELECT min(open_time) FROM input) AND (SELECT max(open_time) FROM input)
    ORDER BY f.open_time, f.version DESC
  )
  INSERT INTO ml_features (symbol, timeframe, feature_set, open_time, version, known_at, "values", vector)
  SELECT $1, $2, $3, i.open_time, COALESCE(l.version, 0) + 1, to_timestamp($7::float8 / 1000), i."values", i.vector
  FROM input i LEFT JOIN latest l ON l.open_time = i.open_time
  WHERE l.version IS NULL OR NOT ml_same_features(l."values", i."values")
  ON CONFLICT DO NOTHING`;

/**
 * Stores the rows of one stream as new versions where they differ from the newest stored one.
 * Returns how many versions were added (0 when the same job runs twice).
 * @example await insertFeatureVersions(pool, { symbol, timeframe: "1m", featureSet: "v1" }, rows, Date.now())
 */
export async function insertFeatureVersions(db: Db, stream: FeatureStreamKey, rows: readonly FeatureValuesInput[], knownAt: number): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await db.query({
    name: "ml-features-insert-v1",
    text: INSERT_SQL,
    values: [
      stream.symbol,
      stream.timeframe,
      stream.featureSet,
      rows.map((row) => row.openTime),
      rows.map((row) => JSON.stringify(row.values)),
      rows.map((row) => `{${row.vector.join(",")}}`),
      knownAt,
    ],
  });
  return result.rowCount ?? 0;
}

interface Row {
  t: string;
  version: number;
  known: string;
  values: Record<string, number | null>;
  vector: number[];
}

const toRow = (row: Row): StoredFeatureRow => ({
  openTime: Number(row.t),
  version: row.version,
  knownAt: Number(row.known),
  values: row.values,
  vector: row.vector,
});

const COLUMNS = `(extract(epoch FROM open_time) * 1000)::bigint AS t, version, (extract(epoch FROM known_at) * 1000)::bigint AS known, "values", vector`;

export interface FeatureRangeQuery extends FeatureStreamKey {
  /** Inclusive lower bound on open time (ms); page with `from = last + 1`. */
  from: number;
  /** Exclusive upper bound on open time (ms); null for none. */
  to?: number | null;
  /** Only versions known at or before this time (ms); null for the newest. */
  asOf?: number | null;
  limit: number;
}

/** One row per bar (its newest version known at `asOf`), ascending by open time. */
export async function readFeatureRange(db: Db, query: FeatureRangeQuery): Promise<StoredFeatureRow[]> {
  const result = await db.query<Row>({
    name: "ml-features-range-v1",
    text: `SELECT DISTINCT ON (open_time) ${COLUMNS} FROM ml_features
     WHERE symbol = $1 AND timeframe = $2 AND feature_set = $3
       AND open_time >= to_timestamp($4::float8 / 1000)
       AND ($5::float8 IS NULL OR open_time < to_timestamp($5::float8 / 1000))
       AND ($6::float8 IS NULL OR known_at <= to_timestamp($6::float8 / 1000))
     ORDER BY open_time, version DESC LIMIT $7`,
    values: [query.symbol, query.timeframe, query.featureSet, query.from, query.to ?? null, query.asOf ?? null, query.limit],
  });
  return result.rows.map(toRow);
}

/** The newest version of the newest bar with openTime < before (any when null), or null. */
export async function readLastFeature(db: Db, stream: FeatureStreamKey, before: number | null = null): Promise<StoredFeatureRow | null> {
  const result = await db.query<Row>({
    name: "ml-features-last-v1",
    text: `SELECT ${COLUMNS} FROM ml_features
     WHERE symbol = $1 AND timeframe = $2 AND feature_set = $3
       AND ($4::float8 IS NULL OR open_time < to_timestamp($4::float8 / 1000))
     ORDER BY open_time DESC, version DESC LIMIT 1`,
    values: [stream.symbol, stream.timeframe, stream.featureSet, before],
  });
  return result.rows[0] ? toRow(result.rows[0]) : null;
}

/** Every version of one bar, oldest first (audit, tests). */
export async function readFeatureVersions(db: Db, stream: FeatureStreamKey, openTime: number): Promise<StoredFeatureRow[]> {
  const result = await db.query<Row>(
    `SELECT ${COLUMNS} FROM ml_features
     WHERE symbol = $1 AND timeframe = $2 AND feature_set = $3 AND open_time = to_timestamp($4::float8 / 1000)
     ORDER BY version`,
    [stream.symbol, stream.timeframe, stream.featureSet, openTime],
  );
  return result.rows.map(toRow);
}
