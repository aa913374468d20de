// Gateway authentication against the real Redis: a WebSocket without a token, with a forged or
// expired one is closed with code 4001 (and counted); a valid user or guest token subscribes and
// gets its snapshot; a connection is closed with 4001 when its token runs out.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { ACCESS_TOKEN_TTL_S, signAccessToken } from "../auth/access-token.ts";
import { env } from "../env.ts";
import { redisKeys } from "../redis/keys.ts";
import { startGateway, type Gateway } from "./gateway.ts";

const namespace = `test-gwauth-${randomUUID().slice(0, 8)}`;
const keys = redisKeys(namespace);
const SECRET = randomUUID() + randomUUID();
const SYMBOL = "BINANCE:BTCUSDT";
const T0 = 1_680_307_200_000;

/** Resolves with the close code and reason of a socket, or "open" when the server let it talk. */
function closeOf(socket: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => socket.once("close", (code, reason) => resolve({ code, reason: reason.toString() })));
}

function firstMessage(socket: WebSocket): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    socket.once("message", (data) => resolve(JSON.parse(data.toString()) as Record<string, unknown>));
    socket.once("close", (code) => reject(new Error(`closed with ${code} before any message`)));
  });
}

describe("gateway authentication", () => {
  let redis: Redis;
  let gateway: Gateway;
  let base: string;

  beforeAll(async () => {
    redis = new Redis(env().REDIS_URL, { maxRetriesPerRequest: 1 });
    const bar = { symbol: SYMBOL, timeframe: "1m", openTime: T0, open: 1, high: 2, low: 0.5, close: 1.5, volume: 3, trades: 4, source: "trades" };
    await redis.zadd(keys.bars(SYMBOL, "1m"), T0, JSON.stringify(bar));
    gateway = await startGateway({ port: 0, host: "127.0.0.1", namespace, redisUrl: env().REDIS_URL, heartbeatMs: 60_000, auth: { secret: SECRET } });
    await gateway.ready;
    base = `ws://127.0.0.1:${gateway.port}/ws`;
  });

  afterAll(async () => {
    await gateway?.close();
    await redis?.del(keys.bars(SYMBOL, "1m"));
    redis?.disconnect();
  });

  it("closes a WebSocket without a token with code 4001", async () => {
    const socket = new WebSocket(base);
    const closed = await closeOf(socket);
    expect(closed.code).toBe(4001);
    expect(closed.reason).toMatch(/missing token/);
  });

  it("closes a WebSocket with a forged or expired token with code 4001, and counts them", async () => {
    const forged = await signAccessToken({ secret: "someone else's secret, long enough to sign", sub: "u1", role: "admin", nowMs: Date.now() });
    const expired = await signAccessToken({ secret: SECRET, sub: "u1", role: "user", nowMs: Date.now() - (ACCESS_TOKEN_TTL_S + 60) * 1000 });
    const forgedClose = await closeOf(new WebSocket(`${base}?token=${forged.token}`));
    const expiredClose = await closeOf(new WebSocket(`${base}?token=${expired.token}`));
    const garbageClose = await closeOf(new WebSocket(`${base}?token=not-a-token`));
    expect([forgedClose.code, expiredClose.code, garbageClose.code]).toEqual([4001, 4001, 4001]);
    expect(forgedClose.reason).toBe("invalid token");
    expect(expiredClose.reason).toBe("token expired");
    const metrics = await gateway.registry.metrics();
    expect(metrics).toMatch(/marketlens_gateway_auth_rejected_total\{reason="invalid token"\} 2/);
    expect(metrics).toMatch(/marketlens_gateway_auth_rejected_total\{reason="token expired"\} 1/);
  });

  it("lets a valid user token and a guest token subscribe (frames sent before the check are kept)", async () => {
    for (const role of ["user", "guest"] as const) {
      const { token } = await signAccessToken({ secret: SECRET, sub: role === "guest" ? "guest:127.0.0.1" : "u1", role, nowMs: Date.now() });
      const socket = new WebSocket(`${base}?token=${encodeURIComponent(token)}`);
      await new Promise<void>((resolve, reject) => {
        socket.once("open", () => resolve());
        socket.once("error", reject);
      });
      const message = firstMessage(socket);
      socket.send(JSON.stringify({ op: "subscribe", symbol: SYMBOL, timeframe: "1m" }));
      const snapshot = await message;
      expect(snapshot.type).toBe("snapshot");
      expect(snapshot.stream).toBe(`${SYMBOL}:1m`);
      expect((snapshot.bars as unknown[]).length).toBe(1);
      socket.close();
    }
  });

  it("closes a connection with 4001 when its token runs out", async () => {
    // Issued just under 15 minutes ago: about one second of validity left.
    const { token } = await signAccessToken({ secret: SECRET, sub: "u1", role: "user", nowMs: Date.now() - (ACCESS_TOKEN_TTL_S - 1) * 1000 });
    const socket = new WebSocket(`${base}?token=${token}`);
    const closed = closeOf(socket);
    await new Promise<void>((resolve) => socket.once("open", () => resolve()));
    expect((await closed).code).toBe(4001);
    expect((await closed).reason).toBe("token expired");
  });
});
