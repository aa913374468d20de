// Fan-out of shared pre-framed messages (shared-frame.ts) against the real Redis (REDIS_URL): every
// subscriber gets byte-identical messages, the raw frames interleave cleanly with ws's own replies, and a
// subscriber that stops reading is cut off and counted once its unsent data passes maxBufferedBytes while
// the others keep receiving everything in order. Unique namespace per run.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { env } from "../env.ts";
import { redisKeys } from "../redis/keys.ts";
import { startGateway, type Gateway } from "./gateway.ts";
import { sharedTextFrame } from "./shared-frame.ts";

const namespace = `test-gwfan-${randomUUID().slice(0, 8)}`;
const keys = redisKeys(namespace);
const SYMBOL = "BINANCE:ETHUSDT";
const STREAM = `${SYMBOL}:1m`;
const T0 = 1_680_307_200_000;
const MAX_BUFFERED = 64 * 1024;
const PONG = '{"type":"pong"}';

function barEvent(seq: number) {
  return {
    stream: STREAM,
    epoch: "fan",
    seq,
    kind: "live",
    bar: { symbol: SYMBOL, timeframe: "1m", openTime: T0, open: 100, high: 110, low: 90, close: 100 + seq / 1000, volume: seq, trades: seq, source: "trades" },
  };
}

/** A subscribed ws client that keeps every message's raw bytes. */
async function subscriber(url: string): Promise<{ socket: WebSocket; raw: Buffer[]; closed: Promise<number> }> {
  const socket = new WebSocket(url, { perMessageDeflate: false });
  const raw: Buffer[] = [];
  const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
  let snapshot: () => void = () => undefined;
  const gotSnapshot = new Promise<void>((resolve) => (snapshot = resolve));
  socket.on("message", (data: Buffer) => {
    if ((JSON.parse(data.toString()) as { type: string }).type === "snapshot") snapshot();
    else raw.push(data);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  socket.send(JSON.stringify({ op: "subscribe", symbol: SYMBOL, timeframe: "1m" }));
  await gotSnapshot;
  return { socket, raw, closed };
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("gateway fan-out of shared frames", () => {
  let redis: Redis;
  let gateway: Gateway;
  let url: string;

  beforeAll(async () => {
    redis = new Redis(env().REDIS_URL, { maxRetriesPerRequest: 1 });
    gateway = await startGateway({ port: 0, host: "127.0.0.1", namespace, redisUrl: env().REDIS_URL, heartbeatMs: 60_000, maxBufferedBytes: MAX_BUFFERED });
    await gateway.ready;
    url = `ws://127.0.0.1:${gateway.port}/ws`;
  });

  afterAll(async () => {
    await gateway?.close();
    const leftovers = await redis.keys(`${namespace}:*`);
    if (leftovers.length > 0) await redis.del(...leftovers);
    await redis.quit();
  });

  it("frames a message exactly as ws.send would (final unmasked text frame, 7/16/64-bit lengths)", () => {
    for (const length of [0, 125, 126, 65_535, 65_536]) {
      const text = "x".repeat(length);
      const { bytes, payload } = sharedTextFrame(text);
      const header = length < 126 ? [0x81, length] : length < 65_536 ? [0x81, 126, length >> 8, length & 0xff] : [0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0];
      expect([...bytes.subarray(0, header.length)]).toEqual(header);
      expect(bytes.subarray(header.length).equals(Buffer.from(text))).toBe(true);
      expect(payload.equals(Buffer.from(text))).toBe(true);
    }
  });

  it("sends every subscriber the same bytes, interleaved cleanly with ws's own replies", async () => {
    const clients = await Promise.all([1, 2, 3, 4].map(() => subscriber(url)));
    const pongs = new Map(clients.map((client) => [client, 0]));
    for (const client of clients) client.socket.on("message", (data: Buffer) => data.toString() === PONG && pongs.set(client, (pongs.get(client) ?? 0) + 1));
    const events = Array.from({ length: 200 }, (_, index) => barEvent(index + 1));
    for (const event of events) {
      for (const client of clients) client.socket.send('{"op":"ping"}');
      await redis.publish(keys.barChannel(SYMBOL, "1m"), JSON.stringify(event));
    }
    await until(() => clients.every((client) => client.raw.length === events.length * 2 && pongs.get(client) === events.length), "all frames");
    const expected = events.map((event) => Buffer.from(JSON.stringify({ type: "bar", stream: STREAM, epoch: event.epoch, seq: event.seq, kind: event.kind, bar: event.bar })));
    for (const client of clients) {
      const bars = client.raw.filter((data) => data.toString() !== PONG);
      expect(bars.length).toBe(expected.length);
      expect(bars.every((data, index) => data.equals(expected[index] as Buffer))).toBe(true);
      expect(client.socket.readyState).toBe(WebSocket.OPEN);
      client.socket.close();
    }
  });

  it("cuts off a subscriber that stopped reading and counts it, while the others get every event in order", async () => {
    const slow = await subscriber(url);
    const fast = await Promise.all([1, 2].map(() => subscriber(url)));
    const before = await slowTerminated(gateway);
    slow.socket.pause(); // stops reading: the kernel buffers fill, then the gateway's
    let published = 0;
    // Publish until the gateway drops it (kernel buffers absorb an unknown amount first).
    while ((await slowTerminated(gateway)) === before && published < 200_000) {
      const pipeline = redis.pipeline();
      for (let index = 0; index < 500; index++) pipeline.publish(keys.barChannel(SYMBOL, "1m"), JSON.stringify(barEvent(1_000 + ++published)));
      await pipeline.exec();
      await until(() => fast.every((client) => client.raw.length === published), "fast clients to catch up", 20_000);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    slow.socket.resume();
    expect(await slow.closed).toBe(1006); // terminated by the gateway: no close frame
    expect((await slowTerminated(gateway)) - before).toBe(1);
    for (const client of fast) {
      const seqs = client.raw.map((data) => (JSON.parse(data.toString()) as { seq: number }).seq);
      expect(seqs).toEqual(Array.from({ length: published }, (_, index) => 1_001 + index));
      expect(client.socket.readyState).toBe(WebSocket.OPEN);
      client.socket.close();
    }
  }, 60_000);
});

async function slowTerminated(gateway: Gateway): Promise<number> {
  const metric = await gateway.registry.getSingleMetric("marketlens_gateway_slow_clients_terminated_total")?.get();
  return metric?.values[0]?.value ?? 0;
}
