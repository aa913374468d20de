// GET /api/v1/notifications handler against the real Redis: a user reads only their own bell, newest
// first, limited; malformed entries are skipped; guests are refused; a bad limit is a 400.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { env } from "@/server/env.ts";
import { redisKeys } from "@/server/redis/keys.ts";
import { handleListNotifications } from "./bell-handler.ts";

const keys = redisKeys(`test-bell-${randomUUID().slice(0, 8)}`);
const url = "http://127.0.0.1/api/v1/notifications";

function entry(title: string, createdAt: number) {
  return { deliveryId: randomUUID(), notificationId: randomUUID(), title, body: `${title}!`, severity: "info", sourceRef: null, createdAt };
}

describe("GET /api/v1/notifications", () => {
  let redis: Redis;
  const user = (userId: string) => ({ kind: "user" as const, userId, role: "user" as const, via: "token" as const, ip: "127.0.0.1" });

  beforeAll(async () => {
    redis = new Redis(env().REDIS_URL, { maxRetriesPerRequest: 1 });
    // The notifier LPUSHes: the newest is at the head.
    await redis.lpush(keys.notifyBell("a"), JSON.stringify(entry("first", 1)), "{broken", JSON.stringify(entry("second", 2)), JSON.stringify({ ...entry("third", 3), url: "/alerts" }));
    await redis.lpush(keys.notifyBell("b"), JSON.stringify(entry("for b", 9)));
  });

  afterAll(async () => {
    await redis.del(keys.notifyBell("a"), keys.notifyBell("b"));
    redis.disconnect();
  });

  it("returns the caller's bell, newest first, skipping malformed entries", async () => {
    const response = await handleListNotifications(new Request(url), user("a"), { redis, keys });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { notifications: Array<{ title: string; url?: string }> };
    expect(body.notifications.map((n) => n.title)).toEqual(["third", "second", "first"]);
    expect(body.notifications[0]?.url).toBe("/alerts");
    const other = (await (await handleListNotifications(new Request(url), user("b"), { redis, keys })).json()) as { notifications: Array<{ title: string }> };
    expect(other.notifications.map((n) => n.title)).toEqual(["for b"]);
  });

  it("honours ?limit and refuses bad limits and guests", async () => {
    const limited = (await (await handleListNotifications(new Request(`${url}?limit=1`), user("a"), { redis, keys })).json()) as { notifications: Array<{ title: string }> };
    expect(limited.notifications.map((n) => n.title)).toEqual(["third"]);
    const bad = await handleListNotifications(new Request(`${url}?limit=0`), user("a"), { redis, keys });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/invalid limit "0"/);
    const guest = await handleListNotifications(new Request(url), { kind: "guest", ip: "1.2.3.4" }, { redis, keys });
    expect(guest.status).toBe(401);
  });
});
