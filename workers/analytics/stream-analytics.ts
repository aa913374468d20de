/**
 * The streaming analytics state of one (symbol, timeframe): IndicatorEngine + PatternEngine + FeatureEngineV1
 * fed the same closed bars, the recent bars (rehydration window, enrichment context) and the offsets that keep
 * cumulative series continuous after a rehydration. Pure (domain imports only); the state manager
 * (analytics-streams.ts) feeds it from PostgreSQL.
 *
 * Cumulative series (OBV, volume-price trend) start at whatever bar the engine starts at. After a restart the
 * engine is warmed on a window, so `anchor()` shifts them by (stored − recomputed) at the window's last bar:
 * the stored history stays continuous instead of jumping back to the window's start.
 */
import type { Bar } from "../../server/domain/bars/bar.ts";
import { computeMarketContext } from "../../server/domain/patterns/market-context.ts";
import { enrichCandle, type EnrichedCandle } from "../../server/domain/patterns/enriched-candle.ts";
import { swingLevels } from "../../server/domain/patterns/support-resistance.ts";
import { IndicatorEngine } from "../../server/domain/indicators/indicator-engine.ts";
import type { IndicatorValues, SessionKeyFn } from "../../server/domain/indicators/indicator-types.ts";
import { PatternEngine } from "../../server/domain/patterns/pattern-engine.ts";
import { PATTERNS, type PatternValues } from "../../server/domain/patterns/pattern-registry.ts";
import { FeatureEngineV1 } from "../../server/domain/features/feature-engine-v1.ts";
import type { FeatureRowV1, MarketOpenFn } from "../../server/domain/features/feature-set-v1.ts";
import { toFeatureVectorV1 } from "../../server/domain/features/feature-vector-v1.ts";

/** Everything computed for one closed bar. */
export interface AnalysedBar {
  bar: Bar;
  indicators: IndicatorValues;
  patternValues: PatternValues;
  /** The patterns present (non-zero), in registry order. */
  patterns: { name: string; value: number }[];
  features: FeatureRowV1;
  vector: number[];
}

export interface StreamAnalyticsOptions {
  sessionKey?: SessionKeyFn;
  isMarketOpen?: MarketOpenFn;
  /** Recent bars kept (default 1,000). */
  keep?: number;
}

/** Bars read for enrichment context (market context, support/resistance). */
const CONTEXT_BARS = 100;

export function sameBar(a: Bar, b: Bar): boolean {
  return a.openTime === b.openTime && a.open === b.open && a.high === b.high && a.low === b.low && a.close === b.close && a.volume === b.volume;
}

export class StreamAnalytics {
  private readonly indicatorEngine: IndicatorEngine;
  private readonly patternEngine = new PatternEngine();
  private readonly featureEngine: FeatureEngineV1;
  private readonly recentBars: Bar[] = [];
  private readonly keep: number;
  private obvOffset = 0;
  private trendOffset = 0;
  private last: AnalysedBar | null = null;
  private beforeLast: AnalysedBar | null = null;
  /** Open time from which bars were computed and stored by this state (not only warmed). */
  private computedSince = Number.POSITIVE_INFINITY;

  constructor(options: StreamAnalyticsOptions = {}) {
    this.indicatorEngine = new IndicatorEngine({ sessionKey: options.sessionKey });
    this.featureEngine = new FeatureEngineV1({ sessionKey: options.sessionKey, isMarketOpen: options.isMarketOpen });
    this.keep = options.keep ?? 1_000;
  }

  /** Open time of the last bar pushed (−Infinity before the first). */
  get lastTime(): number {
    return this.indicatorEngine.lastTime;
  }

  get count(): number {
    return this.indicatorEngine.count;
  }

  /** The analysis of the last bar pushed. */
  get latest(): AnalysedBar | null {
    return this.last;
  }

  /** A closed bar, in increasing openTime (RangeError otherwise). */
  push(bar: Bar): AnalysedBar {
    const indicators = this.indicatorEngine.push(bar);
    if (indicators.obv !== null) indicators.obv += this.obvOffset;
    const patternValues = this.patternEngine.push(bar);
    const features = this.featureEngine.push(bar);
    if (features.volumePriceTrend !== null) features.volumePriceTrend += this.trendOffset;
    const patterns: AnalysedBar["patterns"] = [];
    for (const pattern of PATTERNS) {
      const value = patternValues[pattern.name];
      if (value) patterns.push({ name: pattern.name, value });
    }
    const analysed: AnalysedBar = { bar, indicators, patternValues, patterns, features, vector: toFeatureVectorV1(features) };
    this.recentBars.push(bar);
    if (this.recentBars.length > this.keep + 200) this.recentBars.splice(0, this.recentBars.length - this.keep);
    this.beforeLast = this.last;
    this.last = analysed;
    return analysed;
  }

  /** Indicators of the still-open bar (after the last pushed one) without changing the state: tick alerts. */
  previewIndicators(bar: Bar): IndicatorValues {
    const indicators = this.indicatorEngine.preview(bar);
    if (indicators.obv !== null) indicators.obv += this.obvOffset;
    return indicators;
  }

  /** Candlestick patterns of a live (open) bar, as `push` would give them; state unchanged. */
  previewPatterns(bar: Bar): PatternValues {
    return this.patternEngine.preview(bar);
  }

  /**
   * Continues cumulative series from stored values of the last pushed bar (after a warm-up on a window).
   * Pass null for a series that has no stored value.
   */
  anchor(stored: { obv: number | null; volumePriceTrend: number | null }): void {
    const last = this.last;
    if (!last) return;
    if (stored.obv !== null && last.indicators.obv !== null) {
      this.obvOffset += stored.obv - last.indicators.obv;
      last.indicators.obv = stored.obv;
    }
    if (stored.volumePriceTrend !== null && last.features.volumePriceTrend !== null) {
      this.trendOffset += stored.volumePriceTrend - last.features.volumePriceTrend;
      last.features.volumePriceTrend = stored.volumePriceTrend;
    }
  }

  /** Marks bars from `openTime` on as computed and stored by this state. */
  markComputed(openTime: number): void {
    this.computedSince = Math.min(this.computedSince, openTime);
  }

  /** The bar this state computed and stored at `openTime`, if it still holds it (undefined for warm-up bars). */
  computedBar(openTime: number): Bar | undefined {
    if (openTime < this.computedSince) return undefined;
    for (let index = this.recentBars.length - 1; index >= 0; index--) {
      const bar = this.recentBars[index]!;
      if (bar.openTime === openTime) return bar;
      if (bar.openTime < openTime) return undefined;
    }
    return undefined;
  }

  /** Indicators + patterns + context + levels + description of the last bar (cheap: one bar's worth). */
  describeLatest(): EnrichedCandle | null {
    const last = this.last;
    if (!last) return null;
    const window = this.recentBars.slice(-CONTEXT_BARS);
    return enrichCandle({
      bar: last.bar,
      closed: true,
      indicators: last.indicators,
      previous: this.beforeLast?.indicators ?? null,
      patterns: last.patternValues,
      context: computeMarketContext(window, last.indicators),
      levels: swingLevels(window),
    });
  }
}
