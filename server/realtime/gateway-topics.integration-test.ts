// Gateway relays besides bars, against the real Redis and PostgreSQL, with real access tokens:
// in-app notifications reach only their own user's sockets (never another user's, never a guest's);
// the scanner stream sends a snapshot of the toplist ZSETs then each cycle's update; a user's own screen
// sends its matches then their changes; another user's (or a missing) screen is refused like "not found".
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { signAccessToken, type TokenRole } from "../auth/access-token.ts";
import { env } from "../env.ts";
import { redisKeys } from "../redis/keys.ts";
import { startGateway, type Gateway } from "./gateway.ts";

const namespace = `test-gwtopics-${randomUUID().slice(0, 8)}`;
const keys = redisKeys(namespace);
const SECRET = randomUUID() + randomUUID();
const USER_A = `user-a-${randomUUID().slice(0, 8)}`;
const USER_B = `user-b-${randomUUID().slice(0, 8)}`;
const SCREEN_A = `scr-${randomUUID().slice(0, 8)}`;
const SCREEN_B = `scr-${randomUUID().slice(0, 8)}`;

type Message = Record<string, unknown>;

class Client {
  readonly messages: Message[] = [];
  private waiters: Array<() => void> = [];
  constructor(readonly socket: WebSocket) {
    socket.on("message", (data) => {
      this.messages.push(JSON.parse(data.toString()) as Message);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }
  static async connect(base: string, sub: string, role: TokenRole): Promise<Client> {
    const { token } = await signAccessToken({ secret: SECRET, sub, role, nowMs: Date.now() });
    const socket = new WebSocket(`${base}?token=${encodeURIComponent(token)}`);
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    const client = new Client(socket);
    // A ping answered means the token check is done (frames wait for it), so the user is registered.
    client.send({ op: "ping" });
    await client.next((m) => m.type === "pong");
    return client;
  }
  send(value: unknown): void {
    this.socket.send(JSON.stringify(value));
  }
  async next(match: (message: Message) => boolean, timeoutMs = 3_000): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
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
  /** Round trip: everything the gateway sent before the pong has arrived. */
  async drain(): Promise<void> {
    this.send({ op: "ping" });
    await this.next((m) => m.type === "pong");
  }
}

function inApp(title: string) {
  return { deliveryId: randomUUID(), notificationId: randomUUID(), title, body: `${title} body`, severity: "warning", sourceRef: "alert:1", createdAt: Date.now() };
}

function scannerUpdate(seq: number, lists: Record<string, [string, number][]>, screens: unknown[] = []) {
  return { type: "scanner", epoch: "ep1", seq, at: 1_700_000_000_000 + seq * 1000, symbols: 3, durationMs: 1.2, lists, screens };
}

describe("gateway: notifications and scanner", () => {
  let redis: Redis;
  let pool: pg.Pool;
  let gateway: Gateway;
  let base: string;

  beforeAll(async () => {
    redis = new Redis(env().REDIS_URL, { maxRetriesPerRequest: 1 });
    pool = new pg.Pool({ connectionString: env().DATABASE_URL, max: 2 });
    const rule = { name: "r", timeframe: "1m", when: { all: [{ metric: "close", op: ">", value: 1 }] } };
    await pool.query("INSERT INTO screens (id, user_id, name, rule) VALUES ($1, $2, 'a', $4), ($3, $5, 'b', $4)", [SCREEN_A, USER_A, SCREEN_B, JSON.stringify(rule), USER_B]);
    await redis.zadd(keys.scannerList("gainers-1m"), 5.5, "BINANCE:ETHUSDT", 9.25, "BINANCE:BTCUSDT", 5.5, "BINANCE:ADAUSDT");
    await redis.zadd(keys.scannerList("losers-1m"), -3, "BINANCE:XRPUSDT", -1, "BINANCE:DOGEUSDT");
    await redis.zadd(keys.scannerScreen(SCREEN_A), 0, "BINANCE:BTCUSDT", 0, "BINANCE:AAVEUSDT");
    gateway = await startGateway({ port: 0, host: "127.0.0.1", namespace, redisUrl: env().REDIS_URL, heartbeatMs: 60_000, auth: { secret: SECRET }, pool, maxBufferedBytes: 256 * 1024 });
    await gateway.ready;
    base = `ws://127.0.0.1:${gateway.port}/ws`;
  });

  afterAll(async () => {
    await gateway?.close();
    await pool?.query("DELETE FROM screens WHERE id = ANY($1)", [[SCREEN_A, SCREEN_B]]);
    await pool?.end();
    const leftovers = await redis.keys(`${namespace}:*`);
    if (leftovers.length > 0) await redis.del(...leftovers);
    redis?.disconnect();
  });

  it("relays a user's in-app notification to all of that user's sockets, never to another user or a guest", async () => {
    const a1 = await Client.connect(base, USER_A, "user");
    const a2 = await Client.connect(base, USER_A, "user");
    const b = await Client.connect(base, USER_B, "admin");
    const guest = await Client.connect(base, "guest:127.0.0.1", "guest");
    // A guest token whose sub happens to look like a user id still gets nothing.
    const guestNamedA = await Client.connect(base, USER_A, "guest");

    const forA = inApp("BTC crossed 100k");
    await redis.publish(keys.notifyUser(USER_A), JSON.stringify(forA));
    // Before B's: once B has its message, the gateway has handled this one too (one subscriber connection, in order).
    await redis.publish(keys.notifyUser(USER_A), "{not json");
    await redis.publish(keys.notifyUser(USER_B), JSON.stringify(inApp("for B")));

    for (const client of [a1, a2]) {
      const message = await client.next((m) => m.type === "notification");
      expect(message).toEqual({ type: "notification", ...forA });
    }
    expect((await b.next((m) => m.type === "notification")).title).toBe("for B");
    for (const client of [a1, a2, b, guest, guestNamedA]) await client.drain();
    for (const client of [a1, a2, guest, guestNamedA]) expect(client.messages.filter((m) => m.type === "notification")).toEqual([]);
    expect(b.messages.filter((m) => m.type === "notification")).toEqual([]);

    const metrics = await gateway.registry.metrics();
    expect(metrics).toMatch(/marketlens_gateway_topic_events_total\{topic="notification",outcome="relayed"\} 2/);
    expect(metrics).toMatch(/marketlens_gateway_topic_events_total\{topic="notification",outcome="malformed"\} 1/);
    expect(metrics).toMatch(/marketlens_gateway_topic_frames_total\{topic="notification",outcome="sent"\} 3/);

    // A closed socket leaves the fan-out: the other socket of the same user still gets messages.
    a1.socket.close();
    await new Promise((resolve) => a1.socket.once("close", resolve));
    await redis.publish(keys.notifyUser(USER_A), JSON.stringify(inApp("second")));
    expect((await a2.next((m) => m.type === "notification")).title).toBe("second");
    for (const client of [a2, b, guest, guestNamedA]) client.socket.close();
  });

  it("cuts off a user socket that does not read its notifications (counted as dropped_slow); a new socket gets them again", async () => {
    const USER_C = `user-c-${randomUUID().slice(0, 8)}`;
    const stuck = await Client.connect(base, USER_C, "user");
    // Stop reading from the TCP socket: the kernel buffers fill, then the gateway's send buffer grows.
    (stuck.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const relayed = async () => {
      const metric = await gateway.registry.getSingleMetric("marketlens_gateway_topic_events_total")?.get();
      return metric?.values.find((v) => v.labels.topic === "notification" && v.labels.outcome === "relayed")?.value ?? 0;
    };
    const before = await relayed();
    const big = "x".repeat(16 * 1024);
    const pipeline = redis.pipeline();
    for (let index = 0; index < 1_000; index++) pipeline.publish(keys.notifyUser(USER_C), JSON.stringify({ ...inApp(`n${index}`), body: big }));
    await pipeline.exec();
    // The stuck socket cannot read its close frame (paused): check the gateway's side.
    const deadline = Date.now() + 10_000;
    let metrics = await gateway.registry.metrics();
    while (!/outcome="dropped_slow"/.test(metrics) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      metrics = await gateway.registry.metrics();
    }
    expect(metrics).toMatch(/marketlens_gateway_topic_frames_total\{topic="notification",outcome="dropped_slow"\} 1\b/);
    expect(metrics).toMatch(/marketlens_gateway_slow_clients_terminated_total 1\b/);
    // After the cut, frames for that socket are no longer attempted ("closed" at most once per in-flight message).
    expect(metrics).toMatch(/marketlens_gateway_topic_frames_total\{topic="notification",outcome="sent"\} \d+/);
    stuck.socket.terminate();
    // Once the gateway has handled the whole burst, a new socket of the user gets the next message.
    while ((await relayed()) < before + 1_000) await new Promise((resolve) => setTimeout(resolve, 50));
    const fresh = await Client.connect(base, USER_C, "user");
    await redis.publish(keys.notifyUser(USER_C), JSON.stringify(inApp("after the cut")));
    expect((await fresh.next((m) => m.type === "notification")).title).toBe("after the cut");
    fresh.socket.close();
  });

  it("sends a scanner snapshot from the ZSETs, then each cycle's update", async () => {
    const client = await Client.connect(base, "guest:1.2.3.4", "guest");
    client.send({ op: "subscribe", stream: "scanner" });
    const snapshot = await client.next((m) => m.type === "scanner");
    expect(snapshot).toMatchObject({ stream: "scanner", snapshot: true });
    const lists = snapshot.lists as Record<string, [string, number][]>;
    // Best first; equal values by symbol name (as the scanner ranks them), losers lowest first.
    expect(lists["gainers-1m"]).toEqual([["BINANCE:BTCUSDT", 9.25], ["BINANCE:ADAUSDT", 5.5], ["BINANCE:ETHUSDT", 5.5]]);
    expect(lists["losers-1m"]).toEqual([["BINANCE:XRPUSDT", -3], ["BINANCE:DOGEUSDT", -1]]);
    expect(lists["volume"]).toEqual([]);

    await redis.publish(keys.scannerUpdates(), JSON.stringify(scannerUpdate(41, { "gainers-1m": [["BINANCE:SOLUSDT", 12]] })));
    const update = await client.next((m) => m.type === "scanner");
    expect(update).toEqual({ type: "scanner", stream: "scanner", snapshot: false, epoch: "ep1", seq: 41, at: 1_700_000_041_000, lists: { "gainers-1m": [["BINANCE:SOLUSDT", 12]] } });

    // A later subscribe carries the position of the newest cycle; after unsubscribe nothing more comes.
    client.send({ op: "subscribe", stream: "scanner" });
    expect(await client.next((m) => m.type === "scanner")).toMatchObject({ snapshot: true, epoch: "ep1", seq: 41 });
    client.send({ op: "unsubscribe", stream: "scanner" });
    await client.drain();
    await redis.publish(keys.scannerUpdates(), JSON.stringify(scannerUpdate(42, {})));
    await redis.publish(keys.scannerUpdates(), "{}");
    const watcher = await Client.connect(base, "guest:1.2.3.5", "guest");
    watcher.send({ op: "subscribe", stream: "scanner" });
    expect(await watcher.next((m) => m.type === "scanner")).toMatchObject({ snapshot: true, seq: 42 });
    await client.drain();
    expect(client.messages).toEqual([]);
    expect(await gateway.registry.metrics()).toMatch(/marketlens_gateway_topic_events_total\{topic="scanner",outcome="malformed"\} 1/);
    client.socket.close();
    watcher.socket.close();
  });

  it("streams a user's own screen (snapshot, then its changes only) and refuses other users' and missing screens", async () => {
    const a = await Client.connect(base, USER_A, "user");
    a.send({ op: "subscribe", stream: `screen:${SCREEN_A}` });
    const snapshot = await a.next((m) => m.type === "screen");
    expect(snapshot).toMatchObject({ stream: `screen:${SCREEN_A}`, screenId: SCREEN_A, snapshot: true, symbols: ["BINANCE:AAVEUSDT", "BINANCE:BTCUSDT"], count: 2 });

    const screens = [
      { id: SCREEN_B, count: 1, added: ["BINANCE:LTCUSDT"], removed: [], truncated: false },
      { id: SCREEN_A, count: 2, added: ["BINANCE:ETHUSDT"], removed: ["BINANCE:AAVEUSDT"], truncated: false },
    ];
    await redis.publish(keys.scannerUpdates(), JSON.stringify(scannerUpdate(50, { volume: [["BINANCE:BTCUSDT", 1e9]] }, screens)));
    const change = await a.next((m) => m.type === "screen");
    expect(change).toEqual({ type: "screen", stream: `screen:${SCREEN_A}`, screenId: SCREEN_A, snapshot: false, epoch: "ep1", seq: 50, added: ["BINANCE:ETHUSDT"], removed: ["BINANCE:AAVEUSDT"], count: 2, truncated: false });
    await a.drain();
    expect(a.messages).toEqual([]); // neither the toplists (not subscribed) nor B's screen

    // B's screen, a missing one, and a guest asking for A's: all "not found".
    a.send({ op: "subscribe", stream: `screen:${SCREEN_B}` });
    expect(await a.next((m) => m.type === "error")).toEqual({ type: "error", stream: `screen:${SCREEN_B}`, message: `screen ${SCREEN_B} not found` });
    a.send({ op: "subscribe", stream: "screen:does-not-exist" });
    expect(String((await a.next((m) => m.type === "error")).message)).toBe("screen does-not-exist not found");
    const guest = await Client.connect(base, "guest:9.9.9.9", "guest");
    guest.send({ op: "subscribe", stream: `screen:${SCREEN_A}` });
    expect(String((await guest.next((m) => m.type === "error")).message)).toBe(`screen ${SCREEN_A} not found`);
    guest.send({ op: "subscribe", stream: "screen:bad id!" });
    expect(String((await guest.next((m) => m.type === "error")).message)).toMatch(/invalid screen id/);

    await redis.publish(keys.scannerUpdates(), JSON.stringify(scannerUpdate(51, {}, [{ ...screens[0], count: 2, added: ["BINANCE:XLMUSDT"] }])));
    await a.drain();
    await guest.drain();
    expect(a.messages.filter((m) => m.type === "screen")).toEqual([]);
    expect(guest.messages.filter((m) => m.type === "screen")).toEqual([]);
    a.socket.close();
    guest.socket.close();
  });
});
