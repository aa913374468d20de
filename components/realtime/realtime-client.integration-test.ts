// The browser clients against the real gateway (in-process, real Redis and PostgreSQL, real tokens),
// with `ws` standing in for the browser's WebSocket: the chart's LiveConnection (now on the shared
// GatewaySocket) gets a 4001 for a bad token, reconnects with a fresh one, then its snapshot and bars;
// the RealtimeClient gets the user's notifications, the scanner snapshot and updates, and "not found"
// for another user's screen.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { signAccessToken } from "../../server/auth/access-token.ts";
import type { Bar } from "../../server/domain/bars/bar.ts";
import { env } from "../../server/env.ts";
import { startGateway, type Gateway } from "../../server/realtime/gateway.ts";
import { LiveConnection } from "../chart/live-connection.ts";
import type { ConnectionStatus, SocketLike } from "./gateway-socket.ts";
import { RealtimeClient } from "./realtime-client.ts";
import type { TopicMessage } from "./realtime-messages.ts";

const namespace = `test-rtclient-${randomUUID().slice(0, 8)}`;
// Key names as in server/redis/keys.ts (components may not import server/redis: scripts/check-imports.mjs).
const keys = {
  bars: (symbol: string, timeframe: string) => `${namespace}:bars:${symbol}:${timeframe}`,
  barChannel: (symbol: string, timeframe: string) => `${namespace}:bars:${symbol}:${timeframe}`,
  scannerList: (name: string) => `${namespace}:scanner:${name}`,
  scannerUpdates: () => `${namespace}:scanner:updates`,
  notifyUser: (userId: string) => `${namespace}:notify:user:${userId}`,
};
const SECRET = randomUUID() + randomUUID();
const USER = `user-${randomUUID().slice(0, 8)}`;
const OTHER_SCREEN = `scr-${randomUUID().slice(0, 8)}`;
const SYMBOL = "BINANCE:ETHUSDT";
const T0 = 1_700_000_040_000;
const createSocket = (url: string) => new WebSocket(url) as unknown as SocketLike;

function bar(index: number, close: number): Bar {
  return { symbol: SYMBOL, timeframe: "1m", openTime: T0 + index * 60_000, open: 1, high: 2, low: 0.5, close, volume: 1, trades: 1, source: "trades" };
}

async function until<T>(read: () => T | undefined, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("browser realtime clients against the gateway", () => {
  let redis: Redis;
  let pool: pg.Pool;
  let gateway: Gateway;
  let url: string;
  const token = async (sub: string) => (await signAccessToken({ secret: SECRET, sub, role: "user", nowMs: Date.now() })).token;

  beforeAll(async () => {
    redis = new Redis(env().REDIS_URL, { maxRetriesPerRequest: 1 });
    pool = new pg.Pool({ connectionString: env().DATABASE_URL, max: 2 });
    await pool.query("INSERT INTO screens (id, user_id, name, rule) VALUES ($1, 'someone-else', 'x', '{}')", [OTHER_SCREEN]);
    await redis.zadd(keys.bars(SYMBOL, "1m"), T0, JSON.stringify(bar(0, 10)));
    await redis.zadd(keys.scannerList("volume"), 100, "BINANCE:BTCUSDT");
    gateway = await startGateway({ port: 0, host: "127.0.0.1", namespace, redisUrl: env().REDIS_URL, heartbeatMs: 60_000, auth: { secret: SECRET }, pool });
    await gateway.ready;
    url = `ws://127.0.0.1:${gateway.port}/ws`;
  });

  afterAll(async () => {
    await gateway?.close();
    await pool?.query("DELETE FROM screens WHERE id = $1", [OTHER_SCREEN]);
    await pool?.end();
    const leftovers = await redis.keys(`${namespace}:*`);
    if (leftovers.length > 0) await redis.del(...leftovers);
    redis?.disconnect();
  });

  it("LiveConnection: a refused token (4001) reconnects with a fresh one, then snapshot and in-order bars", async () => {
    const statuses: ConnectionStatus["state"][] = [];
    const snapshots: Bar[][] = [];
    const bars: Bar[] = [];
    let tokens = 0;
    const live = new LiveConnection(
      url,
      { onSnapshot: (_stream, list) => snapshots.push(list), onBar: (_stream, item) => bars.push(item), onStatus: (status) => statuses.push(status.state) },
      10,
      async () => (++tokens === 1 ? "not-a-token" : token(USER)),
      createSocket,
    );
    live.setStream({ symbol: SYMBOL, timeframe: "1m" });
    live.start();
    try {
      await until(() => snapshots[0], "snapshot");
      expect(snapshots[0]?.map((b) => b.close)).toEqual([10]);
      expect(tokens).toBe(2);
      expect(statuses).toEqual(["connecting", "connected", "reconnecting", "reconnecting", "connected"]);
      await redis.publish(keys.barChannel(SYMBOL, "1m"), JSON.stringify({ stream: `${SYMBOL}:1m`, epoch: "x", seq: 1, kind: "live", bar: bar(1, 11) }));
      await until(() => bars[0], "bar");
      expect(bars.map((b) => b.close)).toEqual([11]);
    } finally {
      live.stop();
    }
  });

  it("RealtimeClient: notifications, scanner snapshot + updates, and another user's screen refused", async () => {
    const client = new RealtimeClient(url, { fetchToken: () => token(USER), createSocket });
    const messages: TopicMessage[] = [];
    client.onMessage((message) => messages.push(message));
    const releaseScanner = client.subscribe("scanner");
    client.subscribe(`screen:${OTHER_SCREEN}`);
    client.start();
    try {
      const snapshot = await until(() => messages.find((m) => m.type === "scanner"), "scanner snapshot");
      expect(snapshot).toMatchObject({ snapshot: true, lists: { volume: [["BINANCE:BTCUSDT", 100]] } });
      const refused = await until(() => messages.find((m) => m.type === "error"), "screen error");
      expect(refused).toMatchObject({ stream: `screen:${OTHER_SCREEN}`, message: `screen ${OTHER_SCREEN} not found` });

      const note = { deliveryId: randomUUID(), notificationId: randomUUID(), title: "ETH crossed", body: "b", severity: "info", sourceRef: null, createdAt: Date.now() };
      await redis.publish(keys.notifyUser(USER), JSON.stringify(note));
      await redis.publish(keys.scannerUpdates(), JSON.stringify({ epoch: "e", seq: 1, at: 1, symbols: 1, durationMs: 1, lists: { volume: [] }, screens: [] }));
      expect(await until(() => messages.find((m) => m.type === "notification"), "notification")).toEqual({ type: "notification", ...note });
      expect(await until(() => messages.find((m) => m.type === "scanner" && !m.snapshot), "scanner update")).toMatchObject({ seq: 1, lists: { volume: [] } });

      releaseScanner(); // the last user of "scanner": unsubscribed
      messages.length = 0;
      await new Promise((resolve) => setTimeout(resolve, 100));
      await redis.publish(keys.scannerUpdates(), JSON.stringify({ epoch: "e", seq: 2, at: 2, symbols: 1, durationMs: 1, lists: {}, screens: [] }));
      await redis.publish(keys.notifyUser(USER), JSON.stringify({ ...note, deliveryId: randomUUID() }));
      await until(() => messages.find((m) => m.type === "notification"), "second notification");
      expect(messages.filter((m) => m.type === "scanner")).toEqual([]);
    } finally {
      client.stop();
    }
  });
});
