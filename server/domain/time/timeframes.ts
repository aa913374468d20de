/**
 * Timeframes Marketlens builds bars for, and UTC alignment helpers.
 * Pure: no I/O, no clock. Edit when a timeframe is added (also update the DB check constraint).
 */

export const TIMEFRAMES = ["1m", "5m", "15m", "1h", "4h", "1d"] as const;
export type Timeframe = (typeof TIMEFRAMES)[number];

const MINUTE = 60_000;

/** Length of each timeframe in milliseconds. */
export const TIMEFRAME_MS: Readonly<Record<Timeframe, number>> = {
  "1m": MINUTE,
  "5m": 5 * MINUTE,
  "15m": 15 * MINUTE,
  "1h": 60 * MINUTE,
  "4h": 240 * MINUTE,
  "1d": 1440 * MINUTE,
};

export function isTimeframe(value: unknown): value is Timeframe {
  return typeof value === "string" && (TIMEFRAMES as readonly string[]).includes(value);
}

/**
 * Open time of the UTC-aligned bar that contains `timeMs`.
 * @example alignTime(1680307265000, "1m") // 1680307260000
 */
export function alignTime(timeMs: number, timeframe: Timeframe): number {
  const size = TIMEFRAME_MS[timeframe];
  return Math.floor(timeMs / size) * size;
}

/** Parses a comma separated list such as "1m,5m,1h"; throws on an unknown timeframe. */
export function parseTimeframeList(text: string): Timeframe[] {
  const items = text.split(",").map((item) => item.trim()).filter(Boolean);
  for (const item of items) {
    if (!isTimeframe(item)) throw new Error(`unknown timeframe "${item}" (expected one of ${TIMEFRAMES.join(", ")})`);
  }
  return items as Timeframe[];
}
