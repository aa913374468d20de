/**
 * Yahoo Finance v8 chart → closed OHLCV bars (pure: no I/O, no env, no clock; the caller passes `now`).
 *
 * Layout (docs/PROTOCOLS §3): `{"chart":{"result":[R],"error":null}}`; R.timestamp[] (unix seconds, bar start),
 * R.indicators.quote[0].{open,high,low,close,volume}[] parallel to it, R.meta (priceHint, exchangeTimezoneName,
 * regularMarketTime, currentTradingPeriod). Rules applied here:
 * - A row with any null (or non-finite, or non-positive) open/high/low/close is skipped and counted: Yahoo inserts
 *   such rows for minutes without prints, halts and session edges. A null volume with all four prices present is
 *   kept with volume 0 (indices and some FX rows carry no volume at all; the prices are real).
 * - Prices are rounded to `meta.priceHint` decimals (Yahoo's numbers are float32-ish: 34.099998474121094 → 34.1).
 * - Intraday bars keep Yahoo's stamp (bar start), s → ms. Daily bars are stamped by Yahoo at the session open
 *   (13:30Z for New York); they are moved to 00:00 UTC of the exchange-local date, computed with the IANA
 *   `exchangeTimezoneName` (never `gmtoffset`, which describes "now", not each bar).
 * - The still-forming last bar is dropped: while the regular session runs at `now`, an intraday row whose end is
 *   after `meta.regularMarketTime` (Yahoo's latest, possibly delayed, trade) and a daily row of today's session.
 *   Any row ending after `now` is dropped too.
 * - No `timestamp` key (e.g. a weekend range; `quote` is `[{}]`) → no bars. `result: null` with an `error`
 *   object → YahooChartError carrying Yahoo's code and description.
 * The same function reads the raw JSON (fixtures, fake server) and yahoo-finance2's `chart(…, {return:"object"})`
 * output (which has Date objects where Yahoo sends seconds).
 */
import { z } from "zod";
import type { Bar, SymbolId } from "../bars/bar.ts";
import { localDate } from "../calendars/zoned-time.ts";
import type { Timeframe } from "../time/timeframes.ts";

/** Yahoo `interval` values Marketlens reads, and the timeframe each maps to. */
export const YAHOO_INTERVALS = { "1m": "1m", "5m": "5m", "15m": "15m", "60m": "1h", "1d": "1d" } as const satisfies Record<string, Timeframe>;
export type YahooInterval = keyof typeof YAHOO_INTERVALS;

/** The Yahoo interval for a timeframe (4h has none). */
export function yahooIntervalFor(timeframe: Timeframe): YahooInterval | null {
  const entry = Object.entries(YAHOO_INTERVALS).find(([, value]) => value === timeframe);
  return entry ? (entry[0] as YahooInterval) : null;
}

/** `result: null` + `error` (unknown symbol: code "Not Found", "No data found, symbol may be delisted"). */
export class YahooChartError extends Error {
  constructor(
    readonly code: string,
    readonly description: string,
  ) {
    super(`Yahoo chart error ${code}: ${description}`);
    this.name = "YahooChartError";
  }
}

/** Seconds since the epoch from Yahoo's number or yahoo-finance2's Date. */
const Seconds = z.union([z.number(), z.date().transform((date) => Math.floor(date.getTime() / 1000))]);
const Series = z.array(z.number().nullable()).optional();
const Period = z.object({ start: Seconds, end: Seconds }).passthrough();

const ChartMeta = z
  .object({
    symbol: z.string(),
    currency: z.string().nullish(),
    exchangeName: z.string().nullish(),
    exchangeTimezoneName: z.string().min(1),
    regularMarketTime: Seconds.nullish(),
    regularMarketPrice: z.number().nullish(),
    priceHint: z.number().int().min(0).max(10).nullish(),
    dataGranularity: z.string().nullish(),
    currentTradingPeriod: z.object({ regular: Period }).passthrough().nullish(),
  })
  .passthrough();

const ChartResult = z
  .object({
    meta: ChartMeta,
    timestamp: z.array(Seconds).optional(),
    indicators: z.object({
      quote: z.array(z.object({ open: Series, high: Series, low: Series, close: Series, volume: Series }).passthrough()),
    }).passthrough(),
  })
  .passthrough();

const ChartEnvelope = z.object({
  chart: z.object({
    result: z.array(z.unknown()).nullable(),
    error: z.object({ code: z.string(), description: z.string() }).passthrough().nullable(),
  }),
});

export type YahooChartMeta = z.infer<typeof ChartMeta>;

export interface ParseChartOptions {
  symbol: SymbolId;
  interval: YahooInterval;
  /** The caller's clock (ms): rows ending after it, and the forming bar of a running session, are dropped. */
  now: number;
}

export interface ParsedChart {
  bars: Bar[];
  /** Rows skipped because open/high/low/close had a null (or an impossible value). */
  skippedNullRows: number;
  /** Whether the last row was dropped as still forming. */
  droppedForming: boolean;
  meta: YahooChartMeta;
}

const INTERVAL_SECONDS: Record<YahooInterval, number> = { "1m": 60, "5m": 300, "15m": 900, "60m": 3600, "1d": 86_400 };

/** Rounds to `digits` decimals (priceHint). @example roundTo(34.099998474121094, 2) // 34.1 */
export function roundTo(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/**
 * Parses a whole chart response body (`{"chart":{...}}`): throws YahooChartError for Yahoo's error object.
 * @example parseYahooChartResponse(body, { symbol: "YAHOO:THYAO.IS", interval: "1m", now: Date.now() }).bars
 */
export function parseYahooChartResponse(body: unknown, options: ParseChartOptions): ParsedChart {
  const envelope = ChartEnvelope.safeParse(body);
  if (!envelope.success) throw new YahooChartError("Malformed", `not a v8 chart response: ${envelope.error.issues[0]?.message ?? "unknown shape"}`);
  const { result, error } = envelope.data.chart;
  if (error) throw new YahooChartError(error.code, error.description);
  if (!result || result.length === 0) throw new YahooChartError("Malformed", "chart.result is empty and chart.error is null");
  return parseYahooChartResult(result[0], options);
}

/**
 * Parses one chart result R (`chart.result[0]`, or yahoo-finance2's `return: "object"` value) into closed bars.
 * @example parseYahooChartResult(result, { symbol: "YAHOO:WSU.DE", interval: "1d", now }).bars[0].openTime // Date.UTC(2023, 7, 4)
 */
export function parseYahooChartResult(input: unknown, options: ParseChartOptions): ParsedChart {
  const parsed = ChartResult.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new YahooChartError("Malformed", `chart result: ${issue ? `${issue.path.join(".")}: ${issue.message}` : "invalid"}`);
  }
  const { meta, timestamp, indicators } = parsed.data;
  const result: ParsedChart = { bars: [], skippedNullRows: 0, droppedForming: false, meta };
  if (!timestamp || timestamp.length === 0) return result;
  const quote = indicators.quote[0] ?? {};
  const digits = meta.priceHint ?? 2;
  const step = INTERVAL_SECONDS[options.interval];
  const daily = options.interval === "1d";
  const timeframe = YAHOO_INTERVALS[options.interval];
  const nowSeconds = Math.floor(options.now / 1000);
  const lastIndex = timestamp.length - 1;
  for (let index = 0; index <= lastIndex; index++) {
    const ts = timestamp[index]!;
    if (!daily && ts + step > nowSeconds) {
      if (index === lastIndex) result.droppedForming = true;
      continue;
    }
    if (index === lastIndex && isForming(ts, step, daily, meta, options.now)) {
      result.droppedForming = true;
      continue;
    }
    const [open, high, low, close] = [quote.open?.[index], quote.high?.[index], quote.low?.[index], quote.close?.[index]];
    if (!validPrice(open) || !validPrice(high) || !validPrice(low) || !validPrice(close)) {
      result.skippedNullRows += 1;
      continue;
    }
    const volume = quote.volume?.[index];
    result.bars.push({
      symbol: options.symbol,
      timeframe,
      openTime: daily ? Date.parse(`${localDate(meta.exchangeTimezoneName, ts * 1000)}T00:00:00Z`) : ts * 1000,
      open: roundTo(open, digits),
      high: roundTo(high, digits),
      low: roundTo(low, digits),
      close: roundTo(close, digits),
      volume: typeof volume === "number" && Number.isFinite(volume) && volume > 0 ? volume : 0,
      trades: 0,
      source: "rest",
    });
  }
  return result;
}

function validPrice(value: number | null | undefined): value is number {
  return typeof value === "number" && Number.isFinite(value) && value > 0;
}

/** The last row is still forming when the regular session runs at `now` and the row is its current one. */
function isForming(ts: number, step: number, daily: boolean, meta: YahooChartMeta, now: number): boolean {
  const regular = meta.currentTradingPeriod?.regular;
  const nowSeconds = Math.floor(now / 1000);
  if (!regular || nowSeconds < regular.start || nowSeconds >= regular.end) return false;
  if (daily) return localDate(meta.exchangeTimezoneName, ts * 1000) === localDate(meta.exchangeTimezoneName, now);
  return meta.regularMarketTime == null || ts + step > meta.regularMarketTime;
}
