/**
 * The "latest analytics" records the analytics worker caches in Redis and publishes, and that the API reads
 * (docs/architecture.md "Redis layout"): shapes, builders and defensive parsers. Edit together with the
 * worker (workers/analytics/analytics-output.ts) and the API (analytics.service.ts).
 */
import { z } from "zod";
import type { Bar } from "../domain/bars/bar.ts";
import type { IndicatorValues } from "../domain/indicators/indicator-types.ts";
import { TIMEFRAME_MS, type Timeframe } from "../domain/time/timeframes.ts";
import { PATTERNS } from "../domain/patterns/pattern-registry.ts";
import type { MarketContext } from "../domain/patterns/market-context.ts";

export interface LatestPattern {
  name: string;
  /** TA-Lib's value: +100 bullish, −100 bearish, ±80 weaker engulfing/harami, 100 for neutral ones. */
  value: number;
  /** "bullish engulfing", "hammer". */
  label: string;
}

/** `{ns}:latest:indicators:{SYMBOL}:{tf}` */
export interface LatestIndicators {
  symbol: string;
  timeframe: Timeframe;
  openTime: number;
  bar: Bar;
  indicators: IndicatorValues;
  patterns: LatestPattern[];
  signals: string[];
  description: string | null;
  context: MarketContext | null;
  computedAt: number;
}

/** `{ns}:latest:features:{SYMBOL}:{tf}` */
export interface LatestFeatures {
  symbol: string;
  timeframe: Timeframe;
  featureSet: string;
  openTime: number;
  version: number;
  knownAt: number;
  features: Record<string, number | null>;
  vector: number[];
}

/** Pub/sub `{ns}:analytics:{SYMBOL}:{tf}`: one per analysed bar (the newest of a batch). */
export interface AnalyticsEvent {
  stream: string;
  symbol: string;
  timeframe: Timeframe;
  openTime: number;
  /** Earlier bars were recomputed too (a revision or a catch-up): re-read from here. */
  recomputedFrom: number;
  indicators: IndicatorValues;
  patterns: LatestPattern[];
}

/** Labelled patterns from stored (name, value) pairs; unknown names keep their name as label. */
export function labelPatterns(patterns: readonly { name: string; value: number }[]): LatestPattern[] {
  return patterns.map(({ name, value }) => {
    const definition = PATTERNS.find((pattern) => pattern.name === name);
    return { name, value, label: definition ? definition.label(value) : name };
  });
}

/** Cache lifetime: two bars plus five minutes, so a stream that stops updating falls back to PostgreSQL. */
export function latestTtlSeconds(timeframe: Timeframe): number {
  return Math.round((2 * TIMEFRAME_MS[timeframe]) / 1000) + 300;
}

const ZNullableNumber = z.number().nullable();
const ZLatestIndicators = z.object({
  symbol: z.string(),
  timeframe: z.string(),
  openTime: z.number(),
  bar: z.record(z.string(), z.unknown()),
  indicators: z.record(z.string(), ZNullableNumber),
  patterns: z.array(z.object({ name: z.string(), value: z.number(), label: z.string() })),
  signals: z.array(z.string()),
  description: z.string().nullable(),
  context: z.record(z.string(), z.unknown()).nullable(),
  computedAt: z.number(),
});
const ZLatestFeatures = z.object({
  symbol: z.string(),
  timeframe: z.string(),
  featureSet: z.string(),
  openTime: z.number(),
  version: z.number().int(),
  knownAt: z.number(),
  features: z.record(z.string(), ZNullableNumber),
  vector: z.array(z.number()),
});

function parse<T>(schema: z.ZodType, text: string | null | undefined): T | undefined {
  if (!text) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? (parsed.data as T) : undefined;
  } catch {
    return undefined;
  }
}

/** Parses a cached record; undefined when missing or malformed. */
export const parseLatestIndicators = (text: string | null | undefined) => parse<LatestIndicators>(ZLatestIndicators, text);
export const parseLatestFeatures = (text: string | null | undefined) => parse<LatestFeatures>(ZLatestFeatures, text);
