/**
 * Value checks that need no history: finite numbers, positive prices, a consistent OHLC, and the freshness
 * of live data. Also the number and label formatting shared by every quality message.
 */
import type { Bar, Trade } from "../bars/bar.ts";
import type { QualityIssue } from "./quality-types.ts";

const NUMBER_FORMAT = new Intl.NumberFormat("en-US", { maximumFractionDigits: 8 });

/** `31000` → `"31,000"`; NaN and infinities as `NaN`, `Infinity`. */
export function formatNumber(value: number): string {
  return Number.isFinite(value) ? NUMBER_FORMAT.format(value) : String(value);
}

/** `0.1243` → `"12.4%"` (one decimal, trailing `.0` dropped). */
export function formatPercent(ratio: number): string {
  return `${Number((ratio * 100).toFixed(1))}%`;
}

/** `BINANCE:BTCUSDT trade 123` */
export function tradeLabel(trade: Trade): string {
  return `${trade.symbol} trade ${trade.id}`;
}

/** `BINANCE:BTCUSDT 1m bar 2023-04-01T00:00:00.000Z` (the raw open time if it is not a valid date). */
export function barLabel(bar: Bar): string {
  const time = Number.isFinite(bar.openTime) && Math.abs(bar.openTime) <= 8.64e15 ? new Date(bar.openTime).toISOString() : String(bar.openTime);
  return `${bar.symbol} ${bar.timeframe} bar ${time}`;
}

function invalid(label: string, field: string, value: number, threshold: number, rule: string): QualityIssue {
  return { check: "invalid_value", value, threshold, message: `${label}: ${field} ${formatNumber(value)} ${rule}` };
}

function requireFinite(label: string, fields: Record<string, number>): QualityIssue[] {
  return Object.entries(fields)
    .filter(([, value]) => !Number.isFinite(value))
    .map(([field, value]) => invalid(label, field, value, 0, "is not a finite number"));
}

/**
 * Invalid values of a trade: non-finite price, quantity or time; price ≤ 0; quantity ≤ 0.
 *
 * @example
 * validateTrade({ symbol: "BINANCE:BTCUSDT", id: 7, price: -1, quantity: 0.5, time: 0, buyerIsMaker: false, count: 1 });
 * // [{ check: "invalid_value", value: -1, threshold: 0, message: "BINANCE:BTCUSDT trade 7: price -1 must be > 0" }]
 */
export function validateTrade(trade: Trade): QualityIssue[] {
  const label = tradeLabel(trade);
  const issues = requireFinite(label, { price: trade.price, quantity: trade.quantity, time: trade.time });
  if (trade.price <= 0) issues.push(invalid(label, "price", trade.price, 0, "must be > 0"));
  if (trade.quantity <= 0) issues.push(invalid(label, "quantity", trade.quantity, 0, "must be > 0"));
  return issues;
}

/**
 * Invalid values of a bar: non-finite fields; a price ≤ 0; volume < 0; high < max(open, close); low > min(open, close).
 *
 * @example
 * validateBar({ ...bar, high: 99, low: 101, open: 100, close: 100 });
 * // two issues: "high 99 is below max(open, close) 100", "low 101 is above min(open, close) 100"
 */
export function validateBar(bar: Bar): QualityIssue[] {
  const label = barLabel(bar);
  const { open, high, low, close, volume } = bar;
  const issues = requireFinite(label, { open, high, low, close, volume, openTime: bar.openTime });
  for (const [field, value] of Object.entries({ open, high, low, close })) {
    if (value <= 0) issues.push(invalid(label, field, value, 0, "must be > 0"));
  }
  if (volume < 0) issues.push(invalid(label, "volume", volume, 0, "must be ≥ 0"));
  const top = Math.max(open, close);
  const bottom = Math.min(open, close);
  if (high < top) issues.push(invalid(label, "high", high, top, `is below max(open, close) ${formatNumber(top)}`));
  if (low > bottom) issues.push(invalid(label, "low", low, bottom, `is above min(open, close) ${formatNumber(bottom)}`));
  return issues;
}

/**
 * Freshness of live data: an issue when `now - eventTime > maxAgeMs`. Future times are not stale.
 *
 * @example
 * checkFreshness("BINANCE:BTCUSDT trade 1", 1_000, 62_000, 60_000);
 * // { check: "stale", value: 61000, threshold: 60000, message: "BINANCE:BTCUSDT trade 1: data is 61 s old (limit 60 s)" }
 */
export function checkFreshness(label: string, eventTime: number, now: number, maxAgeMs: number): QualityIssue | null {
  const age = now - eventTime;
  if (!Number.isFinite(age) || age <= maxAgeMs) return null;
  return {
    check: "stale",
    value: age,
    threshold: maxAgeMs,
    message: `${label}: data is ${formatNumber(age / 1000)} s old (limit ${formatNumber(maxAgeMs / 1000)} s)`,
  };
}
