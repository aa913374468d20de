/**
 * The enriched candle: a bar joined with its indicators, patterns and market context, plus the signals
 * and the one-paragraph plain-English description shown to users and fed to RAG. Pure.
 */
import type { Bar } from "../bars/bar.ts";
import type { IndicatorValues } from "../indicators/indicator-types.ts";
import type { MarketContext } from "./market-context.ts";
import type { PatternValues } from "./pattern-registry.ts";
import { patternLabels } from "./pattern-registry.ts";
import type { SwingLevels } from "./support-resistance.ts";

export interface EnrichedCandle {
  bar: Bar;
  /** false for a preview of the still-open bar. */
  closed: boolean;
  indicators: IndicatorValues;
  patterns: PatternValues;
  context: MarketContext;
  levels: SwingLevels;
  /** Notable facts, e.g. "RSI 71 overbought", "MACD bullish crossover", "hammer". */
  signals: string[];
  description: string;
}

export interface EnrichInput {
  bar: Bar;
  closed: boolean;
  indicators: IndicatorValues;
  /** The previous closed bar's values (for crossovers); null for the first bar. */
  previous: IndicatorValues | null;
  patterns: PatternValues;
  context: MarketContext;
  levels: SwingLevels;
}

/** 64,120 / 1.2345 / 0.00012345: whole units from 1,000 up, cents from 1, 4 significant digits below. */
export function formatPrice(value: number): string {
  const absolute = Math.abs(value);
  const options: Intl.NumberFormatOptions =
    absolute >= 1000 ? { maximumFractionDigits: 0 } : absolute >= 1 ? { maximumFractionDigits: 2 } : { maximumSignificantDigits: 4 };
  return value.toLocaleString("en-US", options);
}

function signed(value: number, digits = 1): string {
  return `${value >= 0 ? "+" : "−"}${Math.abs(value).toFixed(digits)}`;
}

/** RSI zone, MACD crossover, Bollinger breaks, volume spike, then the patterns present. */
export function candleSignals(input: Pick<EnrichInput, "bar" | "indicators" | "previous" | "patterns">): string[] {
  const { bar, indicators: v, previous: p, patterns } = input;
  const signals: string[] = [];
  if (v.rsi14 !== null) {
    const zone = v.rsi14 >= 70 ? " overbought" : v.rsi14 <= 30 ? " oversold" : "";
    signals.push(`RSI ${Math.round(v.rsi14)}${zone}`);
  }
  if (v.macd !== null && v.macdSignal !== null && p?.macd != null && p.macdSignal != null) {
    if (p.macd <= p.macdSignal && v.macd > v.macdSignal) signals.push("MACD bullish crossover");
    else if (p.macd >= p.macdSignal && v.macd < v.macdSignal) signals.push("MACD bearish crossover");
  }
  if (v.bbUpper !== null && bar.close > v.bbUpper) signals.push("above the upper Bollinger band");
  if (v.bbLower !== null && bar.close < v.bbLower) signals.push("below the lower Bollinger band");
  if (v.relVolume20 !== null && v.relVolume20 >= 2) signals.push(`volume ${v.relVolume20.toFixed(1)}× its 20-bar average`);
  signals.push(...patternLabels(patterns));
  return signals;
}

const REGIME_TEXT = { "trending-up": "trending up", "trending-down": "trending down", ranging: "ranging", volatile: "volatile" } as const;

/**
 * One paragraph, e.g. "BTCUSDT 1h closed at 64,120 (+0.8%), RSI 71 overbought, MACD bullish crossover,
 * hammer; trending up (ADX 31); support 63,500, resistance 65,000."
 */
export function describeCandle(input: EnrichInput, signals: readonly string[]): string {
  const { bar, closed, indicators, context, levels } = input;
  const ticker = bar.symbol.split(":").at(-1) ?? bar.symbol;
  const change = indicators.change1 !== null ? ` (${signed(indicators.change1)}%)` : "";
  const head = `${ticker} ${bar.timeframe} ${closed ? "closed" : "is trading"} at ${formatPrice(bar.close)}${change}`;
  const parts = [[head, ...signals].join(", ")];
  if (context.regime !== null && context.trendStrength !== null) {
    parts.push(`${REGIME_TEXT[context.regime]} (ADX ${Math.round(context.trendStrength)})`);
  }
  const support = levels.supports[0];
  const resistance = levels.resistances[0];
  const levelText = [support && `support ${formatPrice(support.price)}`, resistance && `resistance ${formatPrice(resistance.price)}`].filter(Boolean);
  if (levelText.length > 0) parts.push(levelText.join(", "));
  return `${parts.join("; ")}.`;
}

/**
 * Joins everything for one bar and writes its description.
 * @example enrichCandle({ bar, closed: true, indicators, previous, patterns, context, levels }).description
 */
export function enrichCandle(input: EnrichInput): EnrichedCandle {
  const signals = candleSignals(input);
  const { bar, closed, indicators, patterns, context, levels } = input;
  return { bar, closed, indicators, patterns, context, levels, signals, description: describeCandle(input, signals) };
}
