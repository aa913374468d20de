/**
 * One Yahoo symbol of the Yahoo collector: its bar builder, quality gate, fetch cursor and health, and one poll.
 *
 * A poll reads Yahoo's view of the market, which lags by the symbol's data delay (15 min for BIST, from
 * server/domain/calendars/market-status.ts): the "market clock" is `now - delay`. It fetches 1m bars from the
 * cursor (the minute after the last one Yahoo has settled) to now, only when a session of the symbol's calendar
 * overlaps [cursor, market clock) (so a closed market costs no request), applies every bar that passes the quality
 * gate as a final minute (BarBuilder.applyFinalMinute → 5m…1d → BarSink), and marks minutes Yahoo skipped (null
 * rows, quiet minutes, nights) as known holes so the builder never fills them with zero-volume bars.
 * When the market clock has passed the session's close and every minute is in, the symbol is finalized: the night
 * up to the next open is a hole and the builder advances to just before it, closing the 4h and the daily bar (which
 * therefore lands on the session date: BIST 07:00–15:00 UTC lies inside one UTC day).
 * Idempotent: a repeated poll finds nothing after the cursor; a restart seeds from PostgreSQL.
 */
import type pg from "pg";
import type { Bar, SymbolId } from "../../server/domain/bars/bar.ts";
import { BarBuilder, type BarEvent } from "../../server/domain/bars/bar-builder.ts";
import type { ExchangeCalendar } from "../../server/domain/calendars/calendar-types.ts";
import { addDays } from "../../server/domain/calendars/civil-date.ts";
import { nextOpen, sessionsBetween } from "../../server/domain/calendars/sessions.ts";
import { localDate } from "../../server/domain/calendars/zoned-time.ts";
import { QualityGate } from "../../server/domain/quality/quality-gate.ts";
import type { QualityOptions } from "../../server/domain/quality/quality-types.ts";
import { alignTime, TIMEFRAME_MS } from "../../server/domain/time/timeframes.ts";
import { lastCandleTime, readCandleRange } from "../../server/db/candles.repo.ts";
import type { SymbolHealth } from "../../server/sources/market-data-source.ts";
import { YAHOO_1M_MAX_AGE_MS, type YahooChartClient } from "../../server/sources/yahoo/yahoo-chart-client.ts";

const MINUTE = TIMEFRAME_MS["1m"];
const DAY = TIMEFRAME_MS["1d"];

export interface YahooSymbolOptions {
  symbol: SymbolId;
  ticker: string;
  calendar: ExchangeCalendar;
  delayMs: number;
  latenessMs: number;
  initialBackfillBars: number;
  pool: pg.Pool;
  client: YahooChartClient;
  onEvent: (event: BarEvent) => void;
  /** A final bar the quality gate refused (the collector quarantines it). */
  onRejected: (bar: Bar, result: Extract<ReturnType<QualityGate["checkBar"]>, { ok: false }>) => void;
  gate?: Partial<QualityOptions>;
}

export interface PollOutcome {
  fetched: number;
  applied: number;
  skippedNullRows: number;
  /** true when no request was needed (market closed and everything in). */
  idle: boolean;
}

export class YahooSymbol {
  readonly builder: BarBuilder;
  readonly gate: QualityGate;
  readonly health: SymbolHealth = { status: "repairing", lastBarAt: null };
  /** Everything before this open time is settled (stored, or known to be absent); null before the first poll. */
  cursor: number | null = null;

  constructor(readonly options: YahooSymbolOptions) {
    this.gate = new QualityGate(options.symbol, options.gate);
    this.builder = new BarBuilder({
      latenessMs: options.latenessMs,
      onEvent: (event) => {
        options.onEvent(event);
        if (event.kind !== "live" && event.bar.timeframe === "1m" && (this.health.lastBarAt ?? 0) < event.bar.openTime) this.health.lastBarAt = event.bar.openTime;
      },
    });
  }

  /** Rebuilds the open higher-timeframe bars from stored 1m bars (today and yesterday, UTC) and sets the cursor. */
  async seed(now: number): Promise<void> {
    const { pool, symbol } = this.options;
    const from = alignTime(now, "1d") - DAY;
    const bars = await readCandleRange(pool, { symbol, timeframe: "1m", from, to: now });
    this.builder.seed(bars);
    const last = bars.length > 0 ? bars[bars.length - 1]!.openTime : await lastCandleTime(pool, symbol, "1m");
    if (last !== null) {
      this.health.lastBarAt = last;
      this.cursor = last + MINUTE;
    }
  }

  /**
   * Where the next fetch starts: the cursor, or for a new symbol INITIAL_BACKFILL_BARS back from a UTC day, and at
   * least the day of the last session (a Monday-morning start still shows Friday), within Yahoo's 30 days.
   */
  private fetchStart(now: number): number {
    const oldest = alignTime(now - YAHOO_1M_MAX_AGE_MS, "1d") + DAY;
    if (this.cursor !== null) return Math.max(this.cursor, oldest);
    const market = now - this.options.delayMs;
    const zone = this.options.calendar.timeZone;
    const past = sessionsBetween(this.options.calendar, addDays(localDate(zone, market), -10), addDays(localDate(zone, market), 1)).filter((session) => session.open < market);
    const lastSession = past.length > 0 ? alignTime(past[past.length - 1]!.open, "1d") : Number.POSITIVE_INFINITY;
    return Math.max(Math.min(alignTime(now - this.options.initialBackfillBars * MINUTE, "1d"), lastSession), oldest);
  }

  /** The close of the latest session that ended by `time` and after `since`, or -Infinity. */
  private lastCloseBefore(time: number, since: number): number {
    const zone = this.options.calendar.timeZone;
    const closes = sessionsBetween(this.options.calendar, localDate(zone, since), addDays(localDate(zone, time), 1))
      .map((session) => session.close)
      .filter((close) => close > since && close <= time);
    return closes.length > 0 ? closes[closes.length - 1]! : Number.NEGATIVE_INFINITY;
  }

  /** Whether a session of the calendar overlaps [from, to). */
  private sessionOverlaps(from: number, to: number): boolean {
    if (!(from < to)) return false;
    const zone = this.options.calendar.timeZone;
    return sessionsBetween(this.options.calendar, localDate(zone, from), addDays(localDate(zone, to), 1)).some((session) => session.open < to && session.close > from);
  }

  async poll(now: number): Promise<PollOutcome> {
    const market = now - this.options.delayMs;
    const from = this.fetchStart(now);
    if (from >= market) return { fetched: 0, applied: 0, skippedNullRows: 0, idle: true }; // nothing new can exist yet
    if (!this.sessionOverlaps(from, market)) {
      this.finalize(from, now);
      return { fetched: 0, applied: 0, skippedNullRows: 0, idle: true };
    }
    const outcome: PollOutcome = { fetched: 0, applied: 0, skippedNullRows: 0, idle: false };
    let expected = from;
    let settled = from;
    const { symbol, ticker } = this.options;
    for await (const chart of this.options.client.charts({ symbol, ticker, interval: "1m", from, to: now, now: market })) {
      outcome.skippedNullRows += chart.skippedNullRows;
      outcome.fetched += chart.bars.length;
      for (const bar of chart.bars) {
        if (bar.openTime < expected) continue;
        if (bar.openTime > expected) this.builder.markGap(symbol, expected, bar.openTime);
        expected = bar.openTime + MINUTE;
        const result = this.gate.checkBar(bar, bar.openTime + MINUTE); // history: judged at its own end (no staleness)
        if (!result.ok) {
          this.options.onRejected(bar, result);
          continue;
        }
        this.builder.applyFinalMinute(bar);
        outcome.applied += 1;
      }
      // Yahoo has settled everything before its last trade (regularMarketTime) and before the market clock.
      const lastTrade = chart.meta.regularMarketTime != null ? chart.meta.regularMarketTime * 1000 : market;
      settled = Math.max(settled, expected, alignTime(Math.min(market, lastTrade), "1m"));
    }
    // A session whose close the market clock has passed is complete, whatever Yahoo's last trade time says
    // (an illiquid symbol would otherwise be re-fetched all night).
    settled = Math.max(settled, this.lastCloseBefore(market, from));
    if (settled > expected) this.builder.markGap(symbol, expected, settled);
    this.cursor = settled;
    return outcome;
  }

  /**
   * Market closed and every minute in: the night up to the next open is a hole, and the builder advances to just
   * before it so the last session's 4h and daily bars close.
   */
  private finalize(from: number, now: number): void {
    let next: number;
    try {
      next = nextOpen(this.options.calendar, now - this.options.delayMs);
    } catch {
      return;
    }
    if (this.cursor === null || this.health.lastBarAt === null) return;
    this.builder.markGap(this.options.symbol, from, next);
    this.builder.advance(Math.min(next - 1, alignTime(from - 1, "1d") + DAY + this.options.latenessMs));
  }
}
