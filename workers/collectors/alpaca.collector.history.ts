/**
 * The Alpaca collector's history side: session minutes (which minutes count, which stretches are closed), seeding
 * the bar builder from PostgreSQL after a restart, and the REST gap repair (1m bars after the last known one,
 * regular-session minutes only, through the quality stage, applied as final). Used after every authentication,
 * after the close, and for a symbol added live.
 */
import type pg from "pg";
import { closedStretches, RegularSessionFilter, sessionMinutesBack } from "../../server/domain/alpaca/regular-session.ts";
import type { SymbolId } from "../../server/domain/bars/bar.ts";
import type { BarBuilder } from "../../server/domain/bars/bar-builder.ts";
import type { ExchangeCalendar } from "../../server/domain/calendars/calendar-types.ts";
import { alignTime, TIMEFRAME_MS } from "../../server/domain/time/timeframes.ts";
import { lastCandleTime, readCandleRange } from "../../server/db/candles.repo.ts";
import type { CollectorMetrics } from "../../server/observability/collector-metrics.ts";
import type { AlpacaRestClient } from "../../server/sources/alpaca/alpaca-rest.ts";
import type { AlpacaQualityStage } from "./alpaca.collector.quality.ts";
import type { AlpacaSymbols } from "./alpaca.collector.symbols.ts";

const MINUTE = TIMEFRAME_MS["1m"];
const DAY = TIMEFRAME_MS["1d"];
type Log = (level: "info" | "warn" | "error", message: string, details?: object) => void;

/** Which minutes count for a calendar (null calendar: every minute, e.g. Alpaca's 24/7 test symbol). */
export class SessionMinutes {
  private readonly filter: RegularSessionFilter | null;

  constructor(readonly calendar: ExchangeCalendar | null) {
    this.filter = calendar ? new RegularSessionFilter(calendar) : null;
  }

  /** Whether the minute containing `time` is in a regular session (false past the holiday data). */
  contains(time: number): boolean {
    if (!this.filter) return true;
    try {
      return this.filter.containsMinute(time);
    } catch {
      return false; // past the holiday data: the session gate reports it
    }
  }

  /** Where to start fetching so that `minutes` counted minutes before `now` are covered. */
  back(now: number, minutes: number): number {
    return this.calendar ? sessionMinutesBack(this.calendar, now, minutes) : alignTime(now - minutes * MINUTE, "1d");
  }

  /** Closed stretches overlapping [from, to); [] without a calendar. Throws past the holiday data. */
  closed(from: number, to: number): [number, number][] {
    return this.calendar ? closedStretches(this.calendar, from, to) : [];
  }
}

export interface AlpacaHistoryOptions {
  pool: pg.Pool;
  rest: AlpacaRestClient;
  builder: BarBuilder;
  quality: AlpacaQualityStage;
  symbols: AlpacaSymbols;
  sessions: SessionMinutes;
  metrics: CollectorMetrics;
  source: string;
  now: () => number;
  initialBackfillBars: number;
  maxRepairBars: number;
  log: Log;
}

export class AlpacaHistory {
  constructor(private readonly options: AlpacaHistoryOptions) {}

  /** Rebuilds open higher-timeframe bars from stored 1m bars (today and yesterday, UTC). */
  async seed(symbols: readonly SymbolId[]): Promise<void> {
    const now = this.options.now();
    const from = alignTime(now, "1d") - DAY;
    for (const symbol of symbols) {
      const bars = await readCandleRange(this.options.pool, { symbol, timeframe: "1m", from, to: now });
      this.options.builder.seed(bars);
      if (bars.length > 0) this.options.symbols.noteBar(symbol, bars[bars.length - 1]!.openTime);
    }
  }

  /**
   * Fetches every closed regular-session 1m bar after the last known one (minus `overlapMs`: changed ones become
   * revisions) over REST and applies it as final. A symbol without history gets `initialBackfillBars` minutes.
   */
  async repair(ticker: string, symbol: SymbolId, overlapMs = 0): Promise<void> {
    const { symbols, sessions, builder, quality } = this.options;
    if (!symbols.has(symbol)) return;
    symbols.setHealth(symbol, { status: "repairing" });
    const stored = await lastCandleTime(this.options.pool, symbol, "1m");
    const known = Math.max(stored ?? -Infinity, symbols.lastBarAt(symbol) ?? -Infinity);
    const now = this.options.now();
    const earliest = sessions.back(now, this.options.maxRepairBars);
    const from = Math.max(earliest, Number.isFinite(known) ? known + MINUTE - overlapMs : sessions.back(now, this.options.initialBackfillBars));
    this.markClosedHours(symbol, from, now);
    let skipped = 0;
    for await (const page of this.options.rest.minuteBars({ symbol, ticker, from, to: now })) {
      let applied = 0;
      for (const bar of page) {
        if (!sessions.contains(bar.openTime)) {
          skipped += 1;
          continue;
        }
        if (!quality.passesBar(bar, bar.openTime + MINUTE)) continue;
        // REST history moves the exchange clock too: without it a closed market's score aged by wall time (stale).
        quality.noteExchangeTime(bar.openTime + MINUTE);
        builder.applyFinalMinute(bar);
        applied += 1;
      }
      this.options.metrics.gapBarsBackfilled.inc({ source: this.options.source }, applied);
    }
    if (skipped > 0) this.options.log("info", "Alpaca repair: extended-hours minutes skipped", { symbol, skipped });
    builder.advance(now);
    if (symbols.has(symbol)) symbols.setHealth(symbol, { status: "healthy" });
  }

  /** Declares nights, weekends and holidays in [from, to + a week) holes, so no zero-volume bars fill them. */
  private markClosedHours(symbol: SymbolId, from: number, to: number): void {
    try {
      for (const [start, end] of this.options.sessions.closed(from, to + 7 * DAY)) this.options.builder.markGap(symbol, start, end);
    } catch (error) {
      this.options.log("warn", "Alpaca: closed hours unknown past the holiday data", { error: (error as Error).message });
    }
  }
}
