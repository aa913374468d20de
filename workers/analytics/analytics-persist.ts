/**
 * Writes analysed bars of one stream: the indicators upsert and the feature versions in one transaction, so
 * the two tables never disagree about which bars are done. Returns the number of feature versions added.
 */
import type pg from "pg";
import { FEATURE_SET_V1, FEATURE_NAMES_V1 } from "../../server/domain/features/feature-set-v1.ts";
import { insertFeatureVersions } from "../../server/db/features.repo.ts";
import { upsertIndicators, type StreamKey } from "../../server/db/indicators.repo.ts";
import type { AnalysedBar } from "./stream-analytics.ts";

/** The feature row as stored in ml_features.values: every v1 feature by name, in set order. */
export function featureValues(analysed: AnalysedBar): Record<string, number | null> {
  const values: Record<string, number | null> = {};
  for (const name of FEATURE_NAMES_V1) values[name] = analysed.features[name];
  return values;
}

export async function persistAnalysed(pool: pg.Pool, stream: StreamKey, analysed: readonly AnalysedBar[], knownAt: number): Promise<number> {
  if (analysed.length === 0) return 0;
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await upsertIndicators(
      client,
      stream,
      analysed.map((item) => ({ openTime: item.bar.openTime, values: item.indicators, patterns: item.patterns })),
    );
    const versions = await insertFeatureVersions(
      client,
      { ...stream, featureSet: FEATURE_SET_V1 },
      analysed.map((item) => ({ openTime: item.bar.openTime, values: featureValues(item), vector: item.vector })),
      knownAt,
    );
    await client.query("COMMIT");
    return versions;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
