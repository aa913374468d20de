/**
 * Turns one recorded 1m kline into the trades the replay exchange streams during that minute.
 * The recording has candles, not ticks, so the path inside the minute is synthesized the way
 * bar-based backtesters do it (open → nearer extreme → farther extreme → close, linear in between);
 * every price stays inside the recorded high/low and the trades add up to the recorded candle exactly
 * (first = open, max = high, min = low, last = close, summed quantity = volume).
 */
export interface RecordedKline {
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export interface PathTrade {
  /** Offset from the minute's open time, ms (0 < offset < 60,000). */
  offsetMs: number;
  price: number;
  quantity: number;
}

/** Number of prints per minute the replay streams (one every ~3 s). */
export const PRINTS_PER_MINUTE = 20;

/**
 * @example minutePath({ openTime: 0, open: 10, high: 12, low: 9, close: 11, volume: 2 }, 4)
 * // → prices 10 (open), 9 (low, nearer), 12 (high), 11 (close); quantities 0.5 each
 */
export function minutePath(kline: RecordedKline, prints = PRINTS_PER_MINUTE): PathTrade[] {
  if (!(kline.volume > 0)) return [];
  const count = Math.max(4, prints);
  const lowFirst = kline.open - kline.low <= kline.high - kline.open;
  const anchors = lowFirst ? [kline.open, kline.low, kline.high, kline.close] : [kline.open, kline.high, kline.low, kline.close];
  const anchorIndex = [0, Math.round((count - 1) / 3), Math.round((2 * (count - 1)) / 3), count - 1];
  const quantity = kline.volume / count;
  const trades: PathTrade[] = [];
  let used = 0;
  for (let index = 0; index < count; index += 1) {
    const segment = index >= anchorIndex[2]! ? 2 : index >= anchorIndex[1]! ? 1 : 0;
    const from = anchorIndex[segment]!;
    const to = anchorIndex[segment + 1]!;
    const share = to === from ? 0 : (index - from) / (to - from);
    const exact = anchorIndex.indexOf(index);
    const price = exact >= 0 ? anchors[exact]! : anchors[segment]! + (anchors[segment + 1]! - anchors[segment]!) * share;
    const last = index === count - 1;
    const size = last ? kline.volume - used : quantity;
    used += quantity;
    trades.push({ offsetMs: Math.round(((index + 0.5) * 60_000) / count), price: roundLike(price, kline), quantity: size });
  }
  return trades;
}

/** Rounds an interpolated price to the recorded prices' decimals (a tick-size stand-in). */
function roundLike(price: number, kline: RecordedKline): number {
  const decimals = Math.max(...[kline.open, kline.high, kline.low, kline.close].map((value) => (String(value).split(".")[1] ?? "").length));
  const factor = 10 ** decimals;
  return Math.min(kline.high, Math.max(kline.low, Math.round(price * factor) / factor));
}
