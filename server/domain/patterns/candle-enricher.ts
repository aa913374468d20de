/**
 * CandleEnricher: indicators + patterns + market context + description for one (symbol, timeframe),
 * streaming (push closed bars, preview the open one). Pure. Context reads the last `contextBars` bars.
 */
import type { Bar } from "../bars/bar.ts";
import type { IndicatorEngineOptions } from "../indicators/indicator-engine.ts";
import { IndicatorEngine } from "../indicators/indicator-engine.ts";
import type { IndicatorValues } from "../indicators/indicator-types.ts";
import type { EnrichedCandle } from "./enriched-candle.ts";
import { enrichCandle } from "./enriched-candle.ts";
import type { MarketContextOptions } from "./market-context.ts";
import { computeMarketContext } from "./market-context.ts";
import { PatternEngine } from "./pattern-engine.ts";
import type { SwingLevelOptions } from "./support-resistance.ts";
import { swingLevels } from "./support-resistance.ts";

export interface CandleEnricherOptions extends IndicatorEngineOptions {
  /** Bars kept for context and support/resistance (default 100). */
  contextBars?: number;
  context?: MarketContextOptions;
  levels?: SwingLevelOptions;
}

/**
 * @example
 * const enricher = new CandleEnricher();
 * for (const bar of history) enricher.push(bar);
 * enricher.preview(liveBar).description; // "BTCUSDT 1h is trading at 64,120 (+0.8%), RSI 71 overbought, ..."
 */
export class CandleEnricher {
  private readonly indicators: IndicatorEngine;
  private readonly patterns = new PatternEngine();
  private readonly recent: Bar[] = [];
  private previous: IndicatorValues | null = null;
  private readonly options: CandleEnricherOptions;

  constructor(options: CandleEnricherOptions = {}) {
    this.indicators = new IndicatorEngine(options);
    this.options = options;
  }

  push(bar: Bar): EnrichedCandle {
    const indicators = this.indicators.push(bar);
    const patterns = this.patterns.push(bar);
    this.recent.push(bar);
    if (this.recent.length > (this.options.contextBars ?? 100)) this.recent.shift();
    const candle = this.enrich(bar, true, indicators, patterns, this.recent);
    this.previous = indicators;
    return candle;
  }

  preview(bar: Bar): EnrichedCandle {
    const indicators = this.indicators.preview(bar);
    const patterns = this.patterns.preview(bar);
    const window = [...this.recent.slice(1 - (this.options.contextBars ?? 100)), bar];
    return this.enrich(bar, false, indicators, patterns, window);
  }

  private enrich(bar: Bar, closed: boolean, indicators: IndicatorValues, patterns: EnrichedCandle["patterns"], window: readonly Bar[]): EnrichedCandle {
    const context = computeMarketContext(window, indicators, this.options.context);
    const levels = swingLevels(window, this.options.levels);
    return enrichCandle({ bar, closed, indicators, previous: this.previous, patterns, context, levels });
  }
}
