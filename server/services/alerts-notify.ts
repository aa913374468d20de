/**
 * The link from alerts to notifications: the producer-side NotificationServiceDeps (notify queue + SSRF guard,
 * one per ServiceDeps, built from env; the guard's allowlist is NOTIFY_ALLOWED_HOSTS ∪ the hosts admins allow on
 * /admin, re-read when they change: notify-allowlist-cache.ts) used by the API's `channels.*` and by the alert engine, and
 * `ensureInAppChannel`: every user who has alerts gets exactly one in-app channel, because an alert always
 * tells the user in-app (bell + toast) besides the channels they picked.
 */
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type pg from "pg";
import { insertChannel, listChannelsOfUser } from "../db/notifications.repo.ts";
import { env } from "../env.ts";
import { createNotifyQueue, type TNotifyJob } from "../queues/notify.ts";
import { queueConnection } from "../redis/client.ts";
import type { RedisKeys } from "../redis/keys.ts";
import type { NotificationServiceDeps } from "./notifications/notifications.service.ts";
import { parseAllowedHosts } from "./notifications/ssrf-guard.ts";
import { createAllowlistCache } from "./notify-allowlist-cache.ts";

const byKeys = new WeakMap<RedisKeys, NotificationServiceDeps>();

/**
 * Notification deps for this process and namespace (the queue is created once, closed by `closeNotificationDeps`).
 * `redis` (the command connection) lets the guard notice allowlist changes at once; without it they arrive within 10 s.
 */
export function notificationDeps(deps: { pool: pg.Pool; keys: RedisKeys; redis?: Redis }): NotificationServiceDeps {
  let found = byKeys.get(deps.keys);
  if (!found) {
    const config = env();
    const queue: Queue<TNotifyJob> = createNotifyQueue({
      connection: queueConnection("producer"),
      prefix: deps.keys.queuePrefix(),
      attempts: config.NOTIFY_ATTEMPTS,
      backoffMs: config.NOTIFY_BACKOFF_MS,
    });
    const allowedHosts = createAllowlistCache({ pool: deps.pool, keys: deps.keys, envHosts: parseAllowedHosts(config.NOTIFY_ALLOWED_HOSTS), ...(deps.redis ? { redis: deps.redis } : {}) });
    found = { pool: deps.pool, queue, guard: { allowedHosts } };
    byKeys.set(deps.keys, found);
  }
  return found;
}

/** Closes the queue `notificationDeps` made for these keys (tests, shutdown). */
export async function closeNotificationDeps(keys: RedisKeys): Promise<void> {
  const found = byKeys.get(keys);
  byKeys.delete(keys);
  await found?.queue.close();
}

/**
 * The user's in-app channel id, created (enabled, generous rate) when missing. Serialized per user with a
 * transaction-scoped advisory lock, so two concurrent calls create one channel.
 */
export async function ensureInAppChannel(pool: pg.Pool, userId: string): Promise<string> {
  const existing = (await listChannelsOfUser(pool, userId)).find((channel) => channel.kind === "in_app");
  if (existing) return existing.id;
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('in-app-channel:' || $1))`, [userId]);
    const again = (await listChannelsOfUser(client, userId)).find((channel) => channel.kind === "in_app");
    const id = again?.id ?? (await insertChannel(client, { userId, kind: "in_app", name: "In-app", config: {}, secret: null, enabled: true, ratePerMinute: 600, rateBurst: 100 })).id;
    await client.query("COMMIT");
    return id;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
