/**
 * Snapshots for scanner subscriptions, read from the scanner's ZSETs (workers/scanner/scanner-publisher.ts):
 * every toplist `{ns}:scanner:{list}` in one MULTI, ordered as the scanner ranks them (best first; equal
 * values by symbol name), and one screen's matches `{ns}:scanner:screen:{id}` (symbol order). Throws when
 * Redis does not answer. Also the ownership check of a screen (the `screens` table).
 */
import type { Redis } from "ioredis";
import type pg from "pg";
import { TOPLISTS } from "../domain/scanner/scan-cycle.ts";
import type { RedisKeys } from "../redis/keys.ts";
import type { ToplistEntries } from "./protocol.ts";

/** The scanner's own rounding of values in its messages (8 significant digits). */
function compact(value: number): number {
  return Number(value.toPrecision(8));
}

export async function readToplists(redis: Redis, keys: RedisKeys): Promise<Record<string, ToplistEntries>> {
  const transaction = redis.multi();
  for (const list of TOPLISTS) transaction.zrange(keys.scannerList(list.name), "0", "-1", "WITHSCORES");
  const results = (await transaction.exec()) ?? [];
  const lists: Record<string, ToplistEntries> = {};
  TOPLISTS.forEach((list, index) => {
    const [error, reply] = results[index] ?? [new Error("no reply"), null];
    if (error) throw new Error(`scanner snapshot failed: ${String(error)}`);
    const flat = reply as string[];
    const entries: ToplistEntries = [];
    for (let i = 0; i + 1 < flat.length; i += 2) entries.push([flat[i] as string, compact(Number(flat[i + 1]))]);
    const sign = list.direction === "top" ? -1 : 1;
    entries.sort((a, b) => sign * (a[1] - b[1]) || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    lists[list.name] = entries;
  });
  return lists;
}

export async function readScreenMatches(redis: Redis, keys: RedisKeys, screenId: string): Promise<string[]> {
  return redis.zrange(keys.scannerScreen(screenId), "0", "-1");
}

/** The owner (user id) of a screen, or null when there is no such screen. */
export async function screenOwner(pool: pg.Pool, screenId: string): Promise<string | null> {
  const result = await pool.query<{ user_id: string }>("SELECT user_id FROM screens WHERE id = $1", [screenId]);
  return result.rows[0]?.user_id ?? null;
}
