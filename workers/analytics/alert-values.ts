/**
 * The metric values (OHLCV + every indicator series) of the last few closed bars of each stream, which is all an
 * alert needs to decide "became true on this bar": the evaluator is replayed over the two closed bars before it
 * (crosses read the previous bar; "was false before" reads the previous bar's truth, whose crosses read the one
 * before). Filled as the worker analyses bars; after a restart, or for a stream not seen yet, the two bars are read
 * from PostgreSQL (candles + indicators). So no evaluator state has to be stored.
 */
import type pg from "pg";
import type { Bar } from "../../server/domain/bars/bar.ts";
import type { IndicatorValues } from "../../server/domain/indicators/indicator-types.ts";
import type { RuleBarValues } from "../../server/domain/rules/rule-types.ts";
import type { Timeframe } from "../../server/domain/time/timeframes.ts";
import { readCandles } from "../../server/db/candles-read.repo.ts";
import { readIndicatorRange } from "../../server/db/indicators.repo.ts";

export interface ClosedValues {
  openTime: number;
  values: RuleBarValues;
}

/** Bars before the evaluated one that the replay needs. */
export const REPLAY_BARS = 2;
const KEEP = REPLAY_BARS + 1;

export function barValues(bar: Pick<Bar, "open" | "high" | "low" | "close" | "volume">, indicators: Partial<IndicatorValues> | null): RuleBarValues {
  return { ...indicators, open: bar.open, high: bar.high, low: bar.low, close: bar.close, volume: bar.volume };
}

export class RecentValues {
  private readonly streams = new Map<string, ClosedValues[]>();

  constructor(private readonly pool: pg.Pool) {}

  /** Records a closed bar's values (ignored when older than the newest one kept; a revision replaces it). */
  record(symbol: string, timeframe: string, entry: ClosedValues): void {
    const key = `${symbol}|${timeframe}`;
    const list = this.streams.get(key) ?? [];
    const last = list.at(-1);
    if (last && entry.openTime < last.openTime) return;
    if (last && entry.openTime === last.openTime) list[list.length - 1] = entry;
    else list.push(entry);
    if (list.length > KEEP) list.splice(0, list.length - KEEP);
    this.streams.set(key, list);
  }

  /** The REPLAY_BARS closed bars before `openTime`, oldest first (fewer at the start of the history). */
  async before(symbol: string, timeframe: Timeframe, openTime: number): Promise<ClosedValues[]> {
    const kept = (this.streams.get(`${symbol}|${timeframe}`) ?? []).filter((entry) => entry.openTime < openTime);
    if (kept.length >= REPLAY_BARS) return kept.slice(-REPLAY_BARS);
    const bars = await readCandles(this.pool, { symbol, timeframe, to: openTime, limit: REPLAY_BARS });
    const first = bars[0];
    if (!first) return [];
    const rows = await readIndicatorRange(this.pool, { symbol, timeframe, from: first.openTime, to: openTime, limit: REPLAY_BARS });
    const byTime = new Map(rows.map((row) => [row.openTime, row.values]));
    return bars.map((bar) => ({ openTime: bar.openTime, values: barValues(bar, byTime.get(bar.openTime) ?? null) }));
  }
}
