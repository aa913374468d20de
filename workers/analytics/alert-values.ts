/**
 * The metric values (OHLCV, every indicator series, the candlestick patterns, the quality score) of the last few
 * closed bars of each stream, which is all an alert needs to decide "became true on this bar": the evaluator is
 * replayed over the two closed bars before it (crosses read the previous bar; "was false before" reads the
 * previous bar's truth, whose crosses read the one before). So no evaluator state has to be stored.
 *
 * Filled as the worker analyses bars. The kept bars are used only when they are the stream's newest bars before the
 * evaluated one (the last kept bar is one timeframe before it); otherwise — after a restart, a session gap, or
 * while the analytics worker is still catching up and the live bar runs ahead — the two bars are read from
 * PostgreSQL (candles, their indicators and patterns when analysed, the stored quality score at their close).
 * Each entry says whether it was analysed, so a rule that reads indicators is never judged against a bar whose
 * indicators are not known yet (its "was false before" would be a guess).
 */
import type pg from "pg";
import type { Bar } from "../../server/domain/bars/bar.ts";
import type { IndicatorValues } from "../../server/domain/indicators/indicator-types.ts";
import type { PatternValues } from "../../server/domain/patterns/pattern-registry.ts";
import type { RuleBarValues } from "../../server/domain/rules/rule-types.ts";
import { patternRuleValues, presentPatternRuleValues } from "../../server/domain/rules/rule-values.ts";
import { TIMEFRAME_MS, type Timeframe } from "../../server/domain/time/timeframes.ts";
import { readCandles } from "../../server/db/candles-read.repo.ts";
import { readIndicatorRange } from "../../server/db/indicators.repo.ts";
import { readQualityScoresAt } from "../../server/db/quality.repo.ts";

export interface ClosedValues {
  openTime: number;
  values: RuleBarValues;
  /** Indicators and patterns are known for this bar (false: OHLCV and quality only). */
  analysed: boolean;
}

/** Bars before the evaluated one that the replay needs. */
export const REPLAY_BARS = 2;
const KEEP = REPLAY_BARS + 1;

/** What the analytics computed for a bar (null: not analysed). */
export interface BarAnalysis {
  indicators: Partial<IndicatorValues>;
  patterns: Partial<PatternValues> | null;
}

/** The rule values of a bar: OHLCV, then indicators and patterns when analysed, then the quality score. */
export function barValues(bar: Pick<Bar, "open" | "high" | "low" | "close" | "volume">, analysis: BarAnalysis | null, qualityScore: number | null = null): RuleBarValues {
  const patterns = analysis?.patterns ? patternRuleValues(analysis.patterns) : null;
  return { ...analysis?.indicators, ...patterns, open: bar.open, high: bar.high, low: bar.low, close: bar.close, volume: bar.volume, qualityScore };
}

export class RecentValues {
  private readonly streams = new Map<string, ClosedValues[]>();
  /** Last PostgreSQL answer per stream (live ticks of one bar ask the same question many times). */
  private readonly readCache = new Map<string, { openTime: number; entries: ClosedValues[] }>();

  constructor(private readonly pool: pg.Pool) {}

  /** Records an analysed closed bar's values (ignored when older than the newest one kept; a revision replaces it). */
  record(symbol: string, timeframe: string, entry: ClosedValues): void {
    const key = `${symbol}|${timeframe}`;
    const list = this.streams.get(key) ?? [];
    const last = list.at(-1);
    if (last && entry.openTime < last.openTime) return;
    if (last && entry.openTime === last.openTime) list[list.length - 1] = entry;
    else list.push(entry);
    if (list.length > KEEP) list.splice(0, list.length - KEEP);
    this.streams.set(key, list);
    this.readCache.delete(key);
  }

  /** The REPLAY_BARS closed bars just before `openTime`, oldest first (fewer at the start of the history). */
  async before(symbol: string, timeframe: Timeframe, openTime: number): Promise<ClosedValues[]> {
    const key = `${symbol}|${timeframe}`;
    const kept = (this.streams.get(key) ?? []).filter((entry) => entry.openTime < openTime);
    if (kept.length >= REPLAY_BARS && kept.at(-1)?.openTime === openTime - TIMEFRAME_MS[timeframe]) return kept.slice(-REPLAY_BARS);
    const cached = this.readCache.get(key);
    if (cached?.openTime === openTime) return cached.entries;
    const byTime = new Map(kept.map((entry) => [entry.openTime, entry]));
    const entries = (await this.read(symbol, timeframe, openTime)).map((entry) => byTime.get(entry.openTime) ?? entry); // what was kept is what was evaluated
    // kept for the bar's next ticks only when complete (a just-closed bar may not be stored yet: ask again)
    if (entries.at(-1)?.openTime === openTime - TIMEFRAME_MS[timeframe]) this.readCache.set(key, { openTime, entries });
    return entries;
  }

  private async read(symbol: string, timeframe: Timeframe, openTime: number): Promise<ClosedValues[]> {
    const bars = await readCandles(this.pool, { symbol, timeframe, to: openTime, limit: REPLAY_BARS });
    const first = bars[0];
    if (!first) return [];
    const [rows, quality] = await Promise.all([
      readIndicatorRange(this.pool, { symbol, timeframe, from: first.openTime, to: openTime, limit: REPLAY_BARS }),
      readQualityScoresAt(this.pool, symbol, bars.map((bar) => bar.openTime + TIMEFRAME_MS[timeframe])),
    ]);
    const byTime = new Map(rows.map((row) => [row.openTime, row]));
    return bars.map((bar, index) => {
      const row = byTime.get(bar.openTime);
      const values = barValues(bar, row ? { indicators: row.values, patterns: null } : null, quality[index] ?? null);
      return { openTime: bar.openTime, values: row ? { ...values, ...presentPatternRuleValues(row.patterns) } : values, analysed: row !== undefined };
    });
  }
}
