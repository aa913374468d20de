/**
 * Watches the live feed the collectors publish (`{ns}:bars:{SYMBOL}:{tf}` on Redis, the channel the alert engine
 * and the gateway read), recording when each live update arrived: the e2e measures "the feed crossed the alert →
 * the toast appeared" from it (same machine, same clock as the browser).
 */
import { Redis } from "ioredis";
import { env } from "../server/env.ts";
import { redisKeys } from "../server/redis/keys.ts";
import type { Timeframe } from "../server/domain/time/timeframes.ts";

export interface LiveUpdate {
  /** Date.now() when this process received it. */
  receivedAt: number;
  openTime: number;
  close: number;
}

export async function watchLiveBars(symbol: string, timeframe: Timeframe): Promise<{ updates: LiveUpdate[]; close: () => Promise<void> }> {
  const { REDIS_URL, MARKETLENS_NAMESPACE } = env();
  const subscriber = new Redis(REDIS_URL, { lazyConnect: true });
  const updates: LiveUpdate[] = [];
  subscriber.on("message", (_channel: string, message: string) => {
    const receivedAt = Date.now();
    try {
      const event = JSON.parse(message) as { kind?: string; bar?: { openTime?: number; close?: number } };
      if (event.kind === "live" && typeof event.bar?.openTime === "number" && typeof event.bar.close === "number") {
        updates.push({ receivedAt, openTime: event.bar.openTime, close: event.bar.close });
      }
    } catch {
      // not a bar event: ignored
    }
  });
  await subscriber.connect();
  await subscriber.subscribe(redisKeys(MARKETLENS_NAMESPACE).barChannel(symbol, timeframe));
  return { updates, close: async () => void (await subscriber.quit().catch(() => undefined)) };
}
