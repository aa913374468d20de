/**
 * The normalized 0–1 vector of feature set v1, for embeddings and RAG similarity search. Fixed transforms
 * (no statistics fitted on data, so no look-ahead and stable across time and symbols). Pure.
 * Missing values (warm-up) map to 0.5, "no information".
 */
import type { FeatureNameV1, FeatureRowV1 } from "./feature-set-v1.ts";

export interface VectorComponent {
  name: string;
  /** How the feature is mapped into [0, 1]. */
  transform: string;
  map: (row: FeatureRowV1) => number | null;
}

/** 0.5 + 0.5·tanh(x / scale): 0 ↦ 0.5, ±scale ↦ 0.12/0.88. */
const squash = (x: number, scale: number) => 0.5 + 0.5 * Math.tanh(x / scale);
const clamp01 = (x: number) => Math.min(1, Math.max(0, x));
const cyclic = (x: number, period: number, fn: (angle: number) => number) => 0.5 + 0.5 * fn((2 * Math.PI * x) / period);

function signed(name: FeatureNameV1, scale: number): VectorComponent {
  return { name, transform: `0.5 + 0.5·tanh(x / ${scale})`, map: (row) => (row[name] === null ? null : squash(row[name], scale)) };
}

function positive(name: FeatureNameV1, scale: number): VectorComponent {
  return { name, transform: `tanh(x / ${scale})`, map: (row) => (row[name] === null ? null : Math.tanh(Math.max(0, row[name]) / scale)) };
}

function logRatio(name: FeatureNameV1, offset: number, scale: number): VectorComponent {
  const transform = `0.5 + 0.5·tanh(ln(${offset ? "1 + " : ""}x) / ${scale}), 0 when that is not positive`;
  return {
    name, transform,
    map: (row) => {
      const value = row[name];
      if (value === null) return null;
      return offset + value > 0 ? squash(Math.log(offset + value), scale) : 0;
    },
  };
}

function asIs(name: FeatureNameV1, transform: string, map: (x: number) => number): VectorComponent {
  return { name, transform, map: (row) => (row[name] === null ? null : clamp01(map(row[name]))) };
}

/** The components, in vector order. volumePriceTrend is left out: cumulative, it depends on where the series starts. */
export const FEATURE_VECTOR_V1: readonly VectorComponent[] = [
  signed("return1", 0.02), signed("return5", 0.05), signed("return10", 0.08),
  signed("logReturn1", 0.02), signed("logReturn5", 0.05), signed("logReturn10", 0.08),
  {
    // momentum10 is in price units; momentum10 / closeₜ = return10 / (1 + return10) makes it scale-free
    name: "momentum10", transform: "0.5 + 0.5·tanh((momentum10 / closeₜ) / 0.08), momentum10 / closeₜ = return10 / (1 + return10)",
    map: (row) => (row.return10 === null || row.return10 <= -1 ? null : squash(row.return10 / (1 + row.return10), 0.08)),
  },
  positive("volatility5", 0.02), positive("volatility10", 0.02), positive("volatility20", 0.02),
  positive("rangeRatio", 0.03),
  logRatio("volumeChange1", 1, 1), logRatio("volumeMomentum", 1, 0.5), logRatio("volumeRatio20", 0, 1),
  asIs("rsi14", "x / 100", (x) => x / 100),
  asIs("rsiZone", "(x + 1) / 2", (x) => (x + 1) / 2),
  signed("macdHistNorm", 0.005),
  asIs("macdAboveSignal", "x", (x) => x), asIs("macdCrossUp", "x", (x) => x), asIs("macdCrossDown", "x", (x) => x),
  asIs("bbPosition", "clamp(x, 0, 1)", (x) => x),
  positive("bbWidth", 0.1),
  asIs("bbSqueeze", "x", (x) => x),
  signed("distSma20", 0.05), signed("distSma50", 0.1), signed("distSma200", 0.2),
  asIs("aboveSma20", "x", (x) => x), asIs("aboveSma50", "x", (x) => x), asIs("aboveSma200", "x", (x) => x),
  { name: "hourSin", transform: "0.5 + 0.5·sin(2π·hour/24)", map: (row) => (row.hour === null ? null : cyclic(row.hour, 24, Math.sin)) },
  { name: "hourCos", transform: "0.5 + 0.5·cos(2π·hour/24)", map: (row) => (row.hour === null ? null : cyclic(row.hour, 24, Math.cos)) },
  { name: "dayOfWeekSin", transform: "0.5 + 0.5·sin(2π·day/7)", map: (row) => (row.dayOfWeek === null ? null : cyclic(row.dayOfWeek, 7, Math.sin)) },
  { name: "dayOfWeekCos", transform: "0.5 + 0.5·cos(2π·day/7)", map: (row) => (row.dayOfWeek === null ? null : cyclic(row.dayOfWeek, 7, Math.cos)) },
  asIs("isMarketOpen", "x", (x) => x),
];

/**
 * The row as a vector of FEATURE_VECTOR_V1.length numbers in [0, 1] (0.5 where the feature is null).
 * @example toFeatureVectorV1(row).length // 36
 */
export function toFeatureVectorV1(row: FeatureRowV1): number[] {
  return FEATURE_VECTOR_V1.map((component) => component.map(row) ?? 0.5);
}
