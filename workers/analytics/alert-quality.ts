/**
 * The `qualityScore` rule metric: a symbol's current data-quality score (0–100), read from the snapshot the
 * collector writes to Redis every 5 s (`{ns}:quality:{SYMBOL}`, server/services/quality-sink.service.ts) and
 * kept here for one second, so a burst of bars or ticks costs one GET per symbol. No snapshot (collector not
 * running, key expired) → null: a condition on the score is false. A Redis error propagates (the bar job retries).
 */
import type { Redis } from "ioredis";
import type { RedisKeys } from "../../server/redis/keys.ts";
import { parseStoredQuality } from "../../server/services/quality.service.ts";

const FRESH_MS = 1_000;

export class QualityScores {
  private readonly cache = new Map<string, { at: number; score: number | null }>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly now: () => number,
  ) {}

  async scoreOf(symbol: string): Promise<number | null> {
    const now = this.now();
    const hit = this.cache.get(symbol);
    if (hit && now - hit.at < FRESH_MS) return hit.score;
    const score = parseStoredQuality(await this.redis.get(this.keys.quality(symbol)))?.score ?? null;
    this.cache.set(symbol, { at: now, score });
    return score;
  }
}
