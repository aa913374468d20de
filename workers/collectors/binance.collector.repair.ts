/**
 * Gap repair of the Binance collector: fetches every closed 1m kline of a symbol over REST from its last known
 * bar (or, for a symbol with none, INITIAL_BACKFILL_BARS back from a UTC day boundary) up to server time, and
 * applies each as final. Holes in the exchange's own history are recorded in known_gaps, never invented; a gap
 * older than the repair window (MAX_REPAIR_BARS) is recorded as not repaired.
 * Used after every (re)connect of a shard and for a symbol added at runtime (binance.collector.ts).
 */
import type pg from "pg";
import type { Bar, SymbolId } from "../../server/domain/bars/bar.ts";
import type { BarBuilder } from "../../server/domain/bars/bar-builder.ts";
import { alignTime, TIMEFRAME_MS } from "../../server/domain/time/timeframes.ts";
import { lastCandleTime, recordKnownGap } from "../../server/db/candles.repo.ts";
import type { CollectorMetrics } from "../../server/observability/collector-metrics.ts";
import type { BinanceRestClient } from "../../server/sources/binance/binance-rest.ts";

const MINUTE = TIMEFRAME_MS["1m"];

export interface GapRepairOptions {
  source: string;
  pool: pg.Pool;
  rest: BinanceRestClient;
  builder: BarBuilder;
  metrics: CollectorMetrics;
  initialBackfillBars: number;
  maxRepairBars: number;
  /** Moves the builder's clock to server time after a repair (the collector skips it while a shard is down). */
  advance(serverTime: number): void;
  /** The data-quality gate on a REST bar (history: judged at its own end); false = quarantined, not applied. */
  passesBar(bar: Bar, now: number): boolean;
  log(level: "info" | "warn" | "error", message: string, details?: object): void;
}

export class GapRepair {
  constructor(private readonly options: GapRepairOptions) {}

  /** Repairs one symbol after `lastKnown` (its newest bar in memory, if any); returns the newest applied open time. */
  async repair(symbol: SymbolId, lastKnown: number | null): Promise<number | null> {
    const { pool, rest, builder, metrics } = this.options;
    const ticker = symbol.slice(symbol.indexOf(":") + 1);
    const stored = await lastCandleTime(pool, symbol, "1m");
    const known = Math.max(stored ?? -Infinity, lastKnown ?? -Infinity);
    const serverTime = await rest.serverTime();
    // With no stored bar, backfill from a UTC day boundary so every higher-timeframe bar is complete.
    // After a long outage, repair only the last maxRepairBars minutes (from a day boundary) and record the rest.
    const earliest = alignTime(serverTime - this.options.maxRepairBars * MINUTE, "1d");
    let from = Number.isFinite(known) ? known + MINUTE : alignTime(serverTime - this.options.initialBackfillBars * MINUTE, "1d");
    if (from < earliest) {
      await this.recordUnrepaired(symbol, from, earliest);
      from = earliest;
    }
    let expected: number | null = Number.isFinite(known) ? from : null;
    let newest: number | null = null;
    for await (const page of rest.closedKlines({ symbol, ticker, timeframe: "1m", from })) {
      for (const bar of page) {
        if (expected !== null && bar.openTime > expected) await this.recordHole(symbol, expected, bar.openTime);
        expected = bar.openTime + MINUTE;
        newest = bar.openTime;
        // history: judged at its own end, i.e. freshness off (a REST bar is never "stale")
        if (!this.options.passesBar(bar, bar.openTime + MINUTE)) continue;
        builder.applyFinalMinute(bar);
      }
      metrics.gapBarsBackfilled.inc({ source: this.options.source }, page.length);
    }
    this.options.advance(await rest.serverTime());
    return newest;
  }

  private async recordUnrepaired(symbol: SymbolId, start: number, end: number): Promise<void> {
    const reason = "not repaired: older than the collector's repair window (MAX_REPAIR_BARS); backfill it";
    await recordKnownGap(this.options.pool, { symbol, timeframe: "1m", start, end, reason });
    this.options.log("warn", "gap older than the repair window recorded, not fetched", { symbol, start: new Date(start).toISOString(), end: new Date(end).toISOString() });
  }

  private async recordHole(symbol: SymbolId, start: number, end: number): Promise<void> {
    this.options.builder.markGap(symbol, start, end);
    await recordKnownGap(this.options.pool, { symbol, timeframe: "1m", start, end, reason: "no klines in the exchange's history" });
    this.options.metrics.knownGaps.inc({ source: this.options.source });
    this.options.log("warn", "exchange history has a hole; recorded as a known gap", { symbol, start: new Date(start).toISOString(), end: new Date(end).toISOString() });
  }
}
