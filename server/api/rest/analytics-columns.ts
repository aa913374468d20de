/**
 * Output shapes of the analytics exports: the JSON row of each route and the flat columns of CSV and Parquet
 * (open time as epoch ms plus an ISO `time` column in CSV; Parquet stores times as TIMESTAMP_MILLIS).
 * Edit when an indicator or feature is added (the lists come from the domain, so usually nothing to do).
 */
import { FEATURE_NAMES_V1 } from "../../domain/features/feature-set-v1.ts";
import { FEATURE_VECTOR_V1 } from "../../domain/features/feature-vector-v1.ts";
import type { StoredFeatureRow } from "../../db/features.repo.ts";
import { INDICATOR_VALUE_KEYS, type IndicatorRow } from "../../db/indicators.repo.ts";
import type { ExportColumn } from "./tabular-export.ts";

const iso = (ms: number) => new Date(ms).toISOString();

export function indicatorColumns(format: "csv" | "parquet"): ExportColumn<IndicatorRow>[] {
  return [
    { name: "openTime", type: format === "parquet" ? "timestamp" : "int", value: (row) => row.openTime },
    ...(format === "csv" ? [{ name: "time", type: "string" as const, value: (row: IndicatorRow) => iso(row.openTime) }] : []),
    ...INDICATOR_VALUE_KEYS.map((key): ExportColumn<IndicatorRow> => ({ name: key, type: "double", value: (row) => row.values[key] })),
    { name: "patterns", type: "string", value: (row) => row.patterns.map((pattern) => `${pattern.name}:${pattern.value}`).join(";") },
  ];
}

export function indicatorJsonRow(row: IndicatorRow): Record<string, unknown> {
  return { openTime: row.openTime, ...row.values, patterns: row.patterns };
}

export function featureColumns(format: "csv" | "parquet"): ExportColumn<StoredFeatureRow>[] {
  const time = format === "parquet" ? ("timestamp" as const) : ("int" as const);
  return [
    { name: "openTime", type: time, value: (row) => row.openTime },
    ...(format === "csv" ? [{ name: "time", type: "string" as const, value: (row: StoredFeatureRow) => iso(row.openTime) }] : []),
    { name: "version", type: "int", value: (row) => row.version },
    { name: "knownAt", type: time, value: (row) => row.knownAt },
    ...FEATURE_NAMES_V1.map((name): ExportColumn<StoredFeatureRow> => ({ name, type: "double", value: (row) => row.values[name] ?? null })),
    ...FEATURE_VECTOR_V1.map((_, index): ExportColumn<StoredFeatureRow> => ({ name: `vector${index}`, type: "float", value: (row) => row.vector[index] ?? null })),
  ];
}

export function featureJsonRow(row: StoredFeatureRow): Record<string, unknown> {
  const features: Record<string, number | null> = {};
  for (const name of FEATURE_NAMES_V1) features[name] = row.values[name] ?? null;
  return { openTime: row.openTime, version: row.version, knownAt: row.knownAt, features, vector: row.vector };
}
