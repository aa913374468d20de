/**
 * Parsing of BarJson (docs/architecture.md) read back from Redis: the ZSET members, the live-bar
 * string and pub/sub BarEvents. Defensive: a malformed entry is skipped, never thrown.
 */
import type { Bar, BarSource } from "../domain/bars/bar.ts";
import { isTimeframe } from "../domain/time/timeframes.ts";

const SOURCES: readonly BarSource[] = ["trades", "kline", "rest"];
const NUMBER_FIELDS = ["openTime", "open", "high", "low", "close", "volume", "trades"] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Checks an already parsed value against the Bar shape. */
export function asBar(value: unknown): Bar | undefined {
  if (!isRecord(value)) return undefined;
  if (typeof value.symbol !== "string" || !isTimeframe(value.timeframe)) return undefined;
  for (const field of NUMBER_FIELDS) {
    const number = value[field];
    if (typeof number !== "number" || !Number.isFinite(number)) return undefined;
  }
  const source = SOURCES.includes(value.source as BarSource) ? (value.source as BarSource) : "trades";
  return {
    symbol: value.symbol,
    timeframe: value.timeframe,
    openTime: value.openTime as number,
    open: value.open as number,
    high: value.high as number,
    low: value.low as number,
    close: value.close as number,
    volume: value.volume as number,
    trades: value.trades as number,
    source,
  };
}

/** Parses one BarJson string; undefined when it is not valid JSON or not a bar. */
export function parseBarJson(text: string | null | undefined): Bar | undefined {
  if (!text) return undefined;
  try {
    return asBar(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/** Parses ZSET members (ascending) and drops malformed ones. */
export function parseBarList(members: readonly string[]): Bar[] {
  const bars: Bar[] = [];
  for (const member of members) {
    const bar = parseBarJson(member);
    if (bar) bars.push(bar);
  }
  return bars;
}
