/**
 * The data behind the fake Yahoo chart server (fake-yahoo-server.ts): per symbol, its `meta` and its rows for a
 * range, in Yahoo's own units (seconds, float prices, null where Yahoo has nulls).
 * - `SyntheticSessionSeries` (THYAO.IS): no recorded v8 chart exists for any .IS symbol, so the 1m rows are
 *   synthesized inside the exchange calendar's sessions (BIST 10:00–18:00 Europe/Istanbul) from a recorded price
 *   path (a ReplayDataset, the Binance BTC/USDT 1m recording) rescaled to the recorded regularMarketPrice of the
 *   symbol; every `nullEvery`-th minute is a row of nulls; the newest `delayMinutes` are not published yet
 *   (Yahoo's BIST data is 15 minutes late) and the newest published minute is still forming.
 *   5m/15m/60m/1d rows aggregate the 1m rows (daily rows stamped at the session open, as Yahoo does).
 * - `RecordedSeries`: a recorded chart result (fixtures/yahoo/chart) served as recorded, filtered to the range,
 *   for its own interval only.
 * Exactly what is synthesized is listed in fixtures/SOURCES.md and server/replay/README.md.
 */
import type { ExchangeCalendar, Session } from "../domain/calendars/calendar-types.ts";
import { nextOpen, sessionsBetween } from "../domain/calendars/sessions.ts";
import { addDays } from "../domain/calendars/civil-date.ts";
import { localDate } from "../domain/calendars/zoned-time.ts";
import { roundTo } from "../domain/yahoo/yahoo-chart.ts";
import type { ReplayDataset } from "./replay-dataset.ts";

export interface ChartRows {
  timestamp: number[];
  open: (number | null)[];
  high: (number | null)[];
  low: (number | null)[];
  close: (number | null)[];
  volume: (number | null)[];
}

export interface FakeChartSeries {
  readonly ticker: string;
  /** The chart meta at `nowMs` for a request of `interval`. */
  meta(nowMs: number, interval: string): Record<string, unknown>;
  /** Rows with a stamp in [period1, period2) (seconds) as Yahoo would answer at `nowMs`; null: unsupported interval. */
  rows(period1: number, period2: number, interval: string, nowMs: number): ChartRows | null;
}

const INTERVAL_MINUTES: Record<string, number> = { "1m": 1, "2m": 2, "5m": 5, "15m": 15, "30m": 30, "60m": 60, "90m": 90, "1h": 60 };
const VALID_RANGES = ["1d", "5d", "1mo", "3mo", "6mo", "1y", "2y", "5y", "10y", "ytd", "max"];
const MINUTE = 60_000;

export interface SyntheticSeriesOptions {
  ticker: string;
  calendar: ExchangeCalendar;
  dataset: ReplayDataset;
  /** The recorded quote the prices are scaled to (quoteSummary.price of the symbol). */
  price: { regularMarketPrice: number; currency: string; exchange: string; exchangeName: string; priceHint: number; longName?: string; shortName?: string };
  /** Every Nth session minute (by epoch minute) is a row of nulls; 0 = never (default 37). */
  nullEvery?: number;
  /** Minutes Yahoo lags the market (default 15 for BIST). */
  delayMinutes?: number;
  /** Volume multiplier applied to the recorded volume (default 1000). */
  volumeScale?: number;
}

function emptyRows(): ChartRows {
  return { timestamp: [], open: [], high: [], low: [], close: [], volume: [] };
}

function pushRow(rows: ChartRows, ts: number, values: [number | null, number | null, number | null, number | null, number | null]): void {
  rows.timestamp.push(ts);
  rows.open.push(values[0]);
  rows.high.push(values[1]);
  rows.low.push(values[2]);
  rows.close.push(values[3]);
  rows.volume.push(values[4]);
}

export class SyntheticSessionSeries implements FakeChartSeries {
  readonly ticker: string;
  private readonly scale: number;

  constructor(private readonly options: SyntheticSeriesOptions) {
    this.ticker = options.ticker;
    const first = options.dataset.klineAt(options.dataset.firstRecorded);
    this.scale = options.price.regularMarketPrice / (first?.open ?? 1);
  }

  private get delayMs(): number {
    return (this.options.delayMinutes ?? 15) * MINUTE;
  }

  /** The 1m row of a session minute (ms), or nulls on a null minute / recorded hole. */
  minute(openTime: number): [number | null, number | null, number | null, number | null, number | null] {
    const every = this.options.nullEvery ?? 37;
    const kline = this.options.dataset.klineAt(openTime);
    if ((every > 0 && Math.floor(openTime / MINUTE) % every === 0) || !kline) return [null, null, null, null, null];
    const digits = this.options.price.priceHint;
    const price = (value: number) => roundTo(value * this.scale, digits);
    return [price(kline.open), price(kline.high), price(kline.low), price(kline.close), Math.round(kline.volume * (this.options.volumeScale ?? 1000))];
  }

  /** Sessions overlapping [fromMs, toMs). */
  private sessions(fromMs: number, toMs: number): Session[] {
    const zone = this.options.calendar.timeZone;
    return sessionsBetween(this.options.calendar, localDate(zone, fromMs), addDays(localDate(zone, toMs), 1)).filter((session) => session.close > fromMs && session.open < toMs);
  }

  /** Yahoo's clock for this symbol: now minus the delay. */
  published(nowMs: number): number {
    return nowMs - this.delayMs;
  }

  rows(period1: number, period2: number, interval: string, nowMs: number): ChartRows | null {
    const rows = emptyRows();
    const until = Math.min(period2 * 1000, this.published(nowMs));
    if (interval === "1d") {
      for (const session of this.sessions(period1 * 1000, until)) {
        if (session.open < period1 * 1000) continue;
        pushRow(rows, session.open / 1000, this.aggregate(session.open, Math.min(session.close, until)));
      }
      return rows;
    }
    const size = INTERVAL_MINUTES[interval];
    if (!size) return null;
    for (const session of this.sessions(period1 * 1000, until)) {
      const start = Math.max(session.open, Math.ceil((period1 * 1000) / (size * MINUTE)) * size * MINUTE);
      for (let t = start; t < session.close && t <= until; t += size * MINUTE) {
        if (t < session.open) continue;
        const end = Math.min(t + size * MINUTE, session.close, until + MINUTE);
        pushRow(rows, t / 1000, size === 1 ? this.minute(t) : this.aggregate(t, end));
      }
    }
    return rows;
  }

  /** Aggregate of the 1m rows in [from, to) (nulls skipped; all null → a null row). */
  private aggregate(from: number, to: number): [number | null, number | null, number | null, number | null, number | null] {
    let open: number | null = null;
    let high = -Infinity;
    let low = Infinity;
    let close: number | null = null;
    let volume = 0;
    for (let t = from; t < to; t += MINUTE) {
      const [o, h, l, c, v] = this.minute(t);
      if (o === null || h === null || l === null || c === null) continue;
      open ??= o;
      high = Math.max(high, h);
      low = Math.min(low, l);
      close = c;
      volume += v ?? 0;
    }
    return open === null ? [null, null, null, null, null] : [open, high, low, close, volume];
  }

  meta(nowMs: number, interval: string): Record<string, unknown> {
    const { calendar, price } = this.options;
    const published = this.published(nowMs);
    // Yahoo's last trade: the delayed clock inside a session, else the close of the last session before it.
    const running = this.sessions(published, published + 1).find((session) => session.open <= published);
    const lastTrade = running ? published : this.lastClose(published);
    const [, , , lastPrice] = this.lastPublishedMinute(Math.floor((lastTrade - 1) / MINUTE) * MINUTE);
    const current = this.currentSession(nowMs);
    const seconds = (ms: number) => Math.floor(ms / 1000);
    const period = (start: number, end: number) => ({ timezone: "TRT", start: seconds(start), end: seconds(end), gmtoffset: 10800 });
    return {
      currency: price.currency,
      symbol: this.ticker,
      exchangeName: price.exchange,
      fullExchangeName: price.exchangeName,
      instrumentType: "EQUITY",
      firstTradeDate: 946879200,
      regularMarketTime: seconds(lastTrade),
      hasPrePostMarketData: false,
      gmtoffset: 10800,
      timezone: "TRT",
      exchangeTimezoneName: calendar.timeZone,
      regularMarketPrice: lastPrice ?? price.regularMarketPrice,
      ...(price.longName ? { longName: price.longName } : {}),
      ...(price.shortName ? { shortName: price.shortName } : {}),
      chartPreviousClose: price.regularMarketPrice,
      priceHint: price.priceHint,
      currentTradingPeriod: current
        ? { pre: period(current.open, current.open), regular: period(current.open, current.close), post: period(current.close, current.close) }
        : { pre: period(nowMs, nowMs), regular: period(nowMs, nowMs), post: period(nowMs, nowMs) },
      dataGranularity: interval,
      range: "",
      validRanges: VALID_RANGES,
    };
  }

  /** Today's session (running or not yet open), else the next one. */
  private currentSession(nowMs: number): Session | null {
    const today = this.sessions(nowMs, nowMs + 1)[0];
    if (today) return today;
    try {
      const open = nextOpen(this.options.calendar, nowMs);
      return this.sessions(open, open + 1)[0] ?? null;
    } catch {
      return null;
    }
  }

  private lastClose(nowMs: number): number {
    const zone = this.options.calendar.timeZone;
    const past = sessionsBetween(this.options.calendar, addDays(localDate(zone, nowMs), -10), addDays(localDate(zone, nowMs), 1)).filter((session) => session.close <= nowMs);
    return past[past.length - 1]?.close ?? nowMs;
  }

  private lastPublishedMinute(minute: number): [number | null, number | null, number | null, number | null, number | null] {
    for (let t = minute, tries = 0; tries < 60; t -= MINUTE, tries++) {
      const row = this.minute(t);
      if (row[3] !== null) return row;
    }
    return [null, null, null, null, null];
  }
}

/** A recorded chart result (`chart.result[0]` of a fixtures/yahoo/chart file), served for its own interval. */
export class RecordedSeries implements FakeChartSeries {
  readonly ticker: string;

  constructor(private readonly result: { meta: Record<string, unknown>; timestamp?: number[]; indicators: { quote: Partial<Record<keyof ChartRows, (number | null)[]>>[] } }) {
    this.ticker = String(result.meta.symbol);
  }

  meta(): Record<string, unknown> {
    return this.result.meta;
  }

  rows(period1: number, period2: number, interval: string): ChartRows | null {
    if (interval !== this.result.meta.dataGranularity) return null;
    const rows = emptyRows();
    const quote = this.result.indicators.quote[0] ?? {};
    (this.result.timestamp ?? []).forEach((ts, index) => {
      if (ts < period1 || ts >= period2) return;
      pushRow(rows, ts, [quote.open?.[index] ?? null, quote.high?.[index] ?? null, quote.low?.[index] ?? null, quote.close?.[index] ?? null, quote.volume?.[index] ?? null]);
    });
    return rows;
  }
}
