/**
 * Snapshot read for a new subscription: the cached closed bars (ZSET, ascending, up to 1,000) and
 * the still-open bar, in one MULTI so both come from the same moment.
 */
import type { Redis } from "ioredis";
import type { Bar, SymbolId } from "../domain/bars/bar.ts";
import type { Timeframe } from "../domain/time/timeframes.ts";
import { BAR_CACHE_SIZE, type RedisKeys } from "../redis/keys.ts";
import { parseBarJson, parseBarList } from "../services/bar-json.ts";

export interface StreamSnapshot {
  bars: Bar[];
  live: Bar | null;
}

/** Reads the snapshot of one stream; throws when Redis does not answer. */
export async function readSnapshot(
  redis: Redis,
  keys: RedisKeys,
  symbol: SymbolId,
  timeframe: Timeframe,
): Promise<StreamSnapshot> {
  const results = await redis
    .multi()
    .zrange(keys.bars(symbol, timeframe), String(-BAR_CACHE_SIZE), "-1")
    .get(keys.liveBar(symbol, timeframe))
    .exec();
  const [zrange, live] = results ?? [];
  if (!zrange || zrange[0] || !live || live[0]) {
    throw new Error(`snapshot of ${symbol}:${timeframe} failed: ${String(zrange?.[0] ?? live?.[0] ?? "no reply")}`);
  }
  const bars = parseBarList(zrange[1] as string[]);
  const liveBar = parseBarJson(live[1] as string | null) ?? null;
  const last = bars.at(-1);
  return { bars, live: liveBar && (!last || liveBar.openTime > last.openTime) ? liveBar : null };
}
