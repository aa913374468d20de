// Realtime gateway against the real Redis (REDIS_URL): snapshot from the ZSET, pub/sub relay with
// seq, errors for bad messages, unsubscribe, metrics export. Unique namespace per run.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import type { Bar } from "../domain/bars/bar.ts";
import { env } from "../env.ts";
import { startMetricsExport } from "../observability/metrics-export.ts";
import { redisKeys } from "../redis/keys.ts";
import { startGateway, type Gateway } from "./gateway.ts";

const namespace = `test-gw-${randomUUID().slice(0, 8)}`;
const keys = redisKeys(namespace);
const SYMBOL = "BINANCE:BTCUSDT";
const T0 = 1_680_307_200_000; // 2023-04-01T00:00:00Z

function bar(index: number, close: number): Bar {
  return { symbol: SYMBOL, timeframe: "1m", openTime: T0 + index * 60_000, open: 100, high: 110, low: 90, close, volume: 1.5, trades: 3, source: "trades" };
}

type Message = Record<string, unknown>;

/** A ws client that queues incoming JSON messages and lets the test await the next matching one. */
class TestClient {
  readonly messages: Message[] = [];
  private waiters: Array<() => void> = [];
  constructor(readonly socket: WebSocket) {
    socket.on("message", (data) => {
      this.messages.push(JSON.parse(data.toString()) as Message);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }
  static async connect(url: string): Promise<TestClient> {
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    return new TestClient(socket);
  }
  send(value: unknown): void {
    this.socket.send(typeof value === "string" ? value : JSON.stringify(value));
  }
  /** Removes and returns the first queued message matching `match`, waiting up to 3 s. */
  async next(match: (message: Message) => boolean = () => true): Promise<Message> {
    const deadline = Date.now() + 3_000;
    for (;;) {
      const index = this.messages.findIndex(match);
      if (index >= 0) return this.messages.splice(index, 1)[0] as Message;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching message; queue: ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

describe("realtime gateway", () => {
  let redis: Redis;
  let gateway: Gateway;
  let url: string;

  beforeAll(async () => {
    redis = new Redis(env().REDIS_URL, { maxRetriesPerRequest: 1 });
    const zsetKey = keys.bars(SYMBOL, "1m");
    await redis.zadd(zsetKey, T0 + 120_000, JSON.stringify(bar(2, 103)), T0, JSON.stringify(bar(0, 101)), T0 + 60_000, JSON.stringify(bar(1, 102)));
    await redis.set(keys.liveBar(SYMBOL, "1m"), JSON.stringify(bar(3, 104)), "EX", 60);
    gateway = await startGateway({ port: 0, host: "127.0.0.1", namespace, redisUrl: env().REDIS_URL, heartbeatMs: 60_000 });
    await gateway.ready;
    url = `ws://127.0.0.1:${gateway.port}/ws`;
  });

  afterAll(async () => {
    await gateway?.close();
    const leftovers = await redis.keys(`${namespace}:*`);
    if (leftovers.length > 0) await redis.del(...leftovers);
    await redis.quit();
  });

  it("sends a snapshot of the cached bars, then relays published events with their seq", async () => {
    const client = await TestClient.connect(url);
    client.send({ op: "subscribe", symbol: SYMBOL, timeframe: "1m" });
    const snapshot = await client.next((m) => m.type === "snapshot");
    expect(snapshot.stream).toBe("BINANCE:BTCUSDT:1m");
    expect(snapshot.seq).toBeNull();
    expect((snapshot.bars as Bar[]).map((b) => b.close)).toEqual([101, 102, 103]);
    expect((snapshot.live as Bar).close).toBe(104);

    const event = { stream: "BINANCE:BTCUSDT:1m", epoch: "run1", seq: 7, kind: "live", bar: bar(3, 105) };
    await redis.publish(keys.barChannel(SYMBOL, "1m"), JSON.stringify(event));
    const relayed = await client.next((m) => m.type === "bar");
    expect(relayed).toMatchObject({ type: "bar", stream: "BINANCE:BTCUSDT:1m", epoch: "run1", seq: 7, kind: "live" });
    expect((relayed.bar as Bar).close).toBe(105);

    // A re-subscribe (what a client does after a gap) returns a snapshot carrying the last seq.
    client.send({ op: "subscribe", symbol: "binance:btcusdt", timeframe: "1m" });
    const again = await client.next((m) => m.type === "snapshot");
    expect(again).toMatchObject({ epoch: "run1", seq: 7 });
    client.socket.close();
  });

  it("answers bad messages with errors and keeps the socket open", async () => {
    const client = await TestClient.connect(url);
    client.send("not json{");
    expect(String((await client.next()).message)).toMatch(/invalid JSON/);
    client.send({ op: "subscribe", symbol: "BTCUSDT", timeframe: "1m" });
    expect(String((await client.next()).message)).toMatch(/invalid symbol "BTCUSDT"/);
    client.send({ op: "subscribe", symbol: SYMBOL, timeframe: "2m" });
    expect(String((await client.next()).message)).toMatch(/unknown timeframe "2m".*1m, 5m, 15m, 1h, 4h, 1d/);
    client.send({ op: "dance" });
    expect(String((await client.next()).message)).toMatch(/unknown op "dance"/);
    client.send({ op: "ping" });
    expect(await client.next()).toEqual({ type: "pong" });
    expect(client.socket.readyState).toBe(WebSocket.OPEN);
    client.socket.close();
  });

  it("stops relaying a stream after unsubscribe and counts clients", async () => {
    const client = await TestClient.connect(url);
    client.send({ op: "subscribe", symbol: SYMBOL, timeframe: "1m" });
    client.send({ op: "subscribe", symbol: SYMBOL, timeframe: "5m" });
    await client.next((m) => m.type === "snapshot" && m.stream === "BINANCE:BTCUSDT:1m");
    await client.next((m) => m.type === "snapshot" && m.stream === "BINANCE:BTCUSDT:5m");
    const metrics = await gateway.registry.getSingleMetricAsString("marketlens_gateway_clients");
    expect(metrics).toMatch(/marketlens_gateway_clients [1-9]/);

    client.send({ op: "unsubscribe", symbol: SYMBOL, timeframe: "1m" });
    client.send({ op: "ping" });
    await client.next((m) => m.type === "pong"); // the unsubscribe was processed before this
    const bar5m = { ...bar(0, 200), timeframe: "5m" };
    await redis.publish(keys.barChannel(SYMBOL, "1m"), JSON.stringify({ stream: "BINANCE:BTCUSDT:1m", epoch: "run1", seq: 8, kind: "closed", bar: bar(3, 106) }));
    await redis.publish(keys.barChannel(SYMBOL, "5m"), JSON.stringify({ stream: "BINANCE:BTCUSDT:5m", epoch: "run1", seq: 1, kind: "live", bar: bar5m }));
    const received = await client.next((m) => m.type === "bar");
    expect(received.stream).toBe("BINANCE:BTCUSDT:5m"); // pub/sub keeps order: the 1m event would have come first
    expect(client.messages.filter((m) => m.type === "bar")).toEqual([]);
    client.socket.close();
  });

  it("delivers every event published around a subscribe after the snapshot, without a seq gap", async () => {
    const client = await TestClient.connect(url);
    const channel = keys.barChannel(SYMBOL, "15m");
    const publish = (seq: number) =>
      redis.publish(channel, JSON.stringify({ stream: "BINANCE:BTCUSDT:15m", epoch: "burst", seq, kind: "live", bar: { ...bar(0, seq), timeframe: "15m" } }));
    await publish(1);
    client.send({ op: "subscribe", symbol: SYMBOL, timeframe: "15m" });
    await Promise.all([2, 3, 4, 5, 6].map(publish));
    const snapshot = await client.next((m) => m.type === "snapshot");
    // Depending on timing the snapshot already covers some of the burst; the rest must follow in order.
    let expected = typeof snapshot.seq === "number" ? snapshot.seq + 1 : null;
    while (expected !== 7) {
      const event = await client.next((m) => m.type === "bar");
      expected ??= event.seq as number;
      expect(event.seq).toBe(expected);
      expected += 1;
    }
    client.socket.close();
  });

  it("exports the gateway registry to {ns}:metrics:gateway", async () => {
    const exporter = startMetricsExport("gateway", gateway.registry, { keys, intervalMs: 60_000 });
    await exporter.flush();
    const stored = JSON.parse((await redis.get(keys.metrics("gateway"))) ?? "[]") as Array<{ name: string }>;
    expect(stored.map((metric) => metric.name)).toContain("marketlens_gateway_clients");
    expect(await redis.ttl(keys.metrics("gateway"))).toBeGreaterThan(0);
    await exporter.stop();
    expect(await redis.exists(keys.metrics("gateway"))).toBe(0);
  });
});
