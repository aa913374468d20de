// The gateway's process entry (workers/gateway.ts) as the product runs it, against the real Redis: one
// gateway process per core (node:cluster) on one port; clients spread over them all get a published bar
// (byte-identical), every process exports its own metrics key, a killed process is replaced, and SIGTERM to
// the primary stops them all.
// The entry takes its port from GATEWAY_PORT, so the test reserves an ephemeral port (listen on 0, close).
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { signAccessToken } from "../auth/access-token.ts";
import { env } from "../env.ts";
import { redisKeys } from "../redis/keys.ts";
import { defaultGatewayProcesses } from "./gateway-cluster.ts";

const namespace = `test-gwcluster-${randomUUID().slice(0, 8)}`;
const keys = redisKeys(namespace);
const SECRET = randomUUID() + randomUUID();
const SYMBOL = "BINANCE:SOLUSDT";
const T0 = 1_680_307_200_000;

async function ephemeralPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Collects the pino lines (JSON) a child prints; `waitFor` polls them. */
function logLines(child: ChildProcessWithoutNullStreams) {
  const lines: Array<Record<string, unknown>> = [];
  let partial = "";
  child.stdout.on("data", (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split("\n");
    partial = parts.pop() ?? "";
    for (const part of parts) {
      try {
        lines.push(JSON.parse(part) as Record<string, unknown>);
      } catch {
        // not pino output
      }
    }
  });
  return {
    lines,
    async waitFor(match: (line: Record<string, unknown>) => boolean, what: string, timeoutMs = 60_000): Promise<Record<string, unknown>> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = lines.find(match);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no log line ${what} within ${timeoutMs} ms; last lines: ${JSON.stringify(lines.slice(-5))}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}

/** Connects `count` clients with `token`, each subscribed (snapshot received) and collecting its bar messages. */
async function subscribedClients(port: number, token: string, count: number) {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${token}`, { perMessageDeflate: false });
      const bars: Buffer[] = [];
      let snapshot: () => void = () => undefined;
      const subscribed = new Promise<void>((resolve) => (snapshot = resolve));
      socket.on("message", (data: Buffer) => {
        const type = (JSON.parse(data.toString()) as { type: string }).type;
        if (type === "snapshot") snapshot();
        if (type === "bar") bars.push(data);
      });
      await new Promise<void>((resolve, reject) => {
        socket.once("open", () => resolve());
        socket.once("error", reject);
      });
      socket.send(JSON.stringify({ op: "subscribe", symbol: SYMBOL, timeframe: "1m" }));
      await subscribed;
      return { socket, bars };
    }),
  );
}

/** Publishes bar event `seq` and expects every client to receive exactly its bytes as its newest bar message. */
async function expectBarReceived(redis: Redis, clients: Array<{ bars: Buffer[] }>, seq: number): Promise<void> {
  const bar = { symbol: SYMBOL, timeframe: "1m", openTime: T0, open: 1, high: 2, low: 0.5, close: 1.5, volume: 3, trades: 4, source: "trades" };
  for (const client of clients) client.bars.length = 0;
  await redis.publish(keys.barChannel(SYMBOL, "1m"), JSON.stringify({ stream: `${SYMBOL}:1m`, epoch: "cluster", seq, kind: "live", bar }));
  const expected = Buffer.from(JSON.stringify({ type: "bar", stream: `${SYMBOL}:1m`, epoch: "cluster", seq, kind: "live", bar }));
  const deadline = Date.now() + 10_000;
  while (clients.some((client) => client.bars.length === 0) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  for (const client of clients) {
    expect(client.bars).toHaveLength(1);
    expect(client.bars[0]?.equals(expected)).toBe(true);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("gateway process entry with one process per core", () => {
  const processes = defaultGatewayProcesses();
  let redis: Redis;
  let primary: ChildProcessWithoutNullStreams;
  let log: ReturnType<typeof logLines>;
  let port: number;
  let pids: number[] = [];

  beforeAll(async () => {
    redis = new Redis(env().REDIS_URL, { maxRetriesPerRequest: 1 });
    port = await ephemeralPort();
    primary = spawn(process.execPath, ["--import", "tsx", "workers/gateway.ts"], {
      env: { ...process.env, GATEWAY_PORT: String(port), MARKETLENS_NAMESPACE: namespace, AUTH_SECRET: SECRET, LOG_LEVEL: "info" },
    });
    primary.stderr.on("data", () => undefined);
    log = logLines(primary);
    const ready = await log.waitFor((line) => line.msg === (processes > 1 ? "gateway processes ready" : "gateway listening"), "ready");
    pids = processes > 1 ? (ready.pids as number[]) : [primary.pid as number];
  }, 90_000);

  afterAll(async () => {
    if (primary.exitCode === null) primary.kill("SIGKILL");
    const leftovers = await redis.keys(`${namespace}:*`);
    if (leftovers.length > 0) await redis.del(...leftovers);
    await redis.quit();
  });

  it("relays a bar to clients spread over every process, each exporting its metrics; replaces a killed process; stops them all on SIGTERM", async () => {
    expect(pids).toHaveLength(processes);
    const { token } = await signAccessToken({ secret: SECRET, sub: "user-cluster", role: "user", nowMs: Date.now() });
    const clients = await subscribedClients(port, token, 4 * processes);
    await expectBarReceived(redis, clients, 1);

    // Every process exports its registry under its own name (every 5 s), and each holds some of the clients.
    const names = processes > 1 ? Array.from({ length: processes }, (_, index) => `gateway-${index + 1}`) : ["gateway"];
    const clientCounts = async () =>
      (await Promise.all(names.map((name) => redis.get(keys.metrics(name))))).map((json) => {
        const metrics = JSON.parse(json ?? "[]") as Array<{ name: string; values: Array<{ value: number }> }>;
        return metrics.find((metric) => metric.name === "marketlens_gateway_clients")?.values[0]?.value ?? 0;
      });
    let counts = await clientCounts();
    for (const until = Date.now() + 12_000; counts.some((count) => count === 0) && Date.now() < until; counts = await clientCounts()) {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(counts.every((count) => count > 0)).toBe(true);
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(clients.length);

    if (processes > 1) {
      // A process that dies is replaced; its clients lose their connection, the others keep theirs.
      const victim = pids[0] as number;
      const victimClosed = clients.map(
        (client) =>
          new Promise<boolean>((resolve) => {
            client.socket.once("close", () => resolve(true));
            setTimeout(() => resolve(false), 3_000);
          }),
      );
      process.kill(victim, "SIGKILL");
      const replaced = await log.waitFor((line) => line.msg === "gateway process ready" && !pids.includes(line.gatewayPid as number), "replacement ready", 30_000);
      pids = [...pids.filter((pid) => pid !== victim), replaced.gatewayPid as number];
      const closed = await Promise.all(victimClosed);
      expect(closed.filter(Boolean).length).toBeGreaterThan(0);
      expect(closed.filter((flag) => !flag).length).toBeGreaterThan(0);
      const open = clients.filter((_, index) => !closed[index]);
      const fresh = await subscribedClients(port, token, 4 * processes);
      clients.splice(0, clients.length, ...open, ...fresh);
      await expectBarReceived(redis, clients, 2);
    }

    const exit = new Promise<number | null>((resolve) => primary.once("exit", (code) => resolve(code)));
    const closes = clients.map((client) => new Promise<number>((resolve) => client.socket.once("close", (code) => resolve(code))));
    primary.kill("SIGTERM");
    expect(await exit).toBe(0);
    expect(await Promise.all(closes)).toEqual(clients.map(() => 1001)); // "gateway shutting down"
    expect(pids.filter(isAlive)).toEqual([]);
  }, 60_000);
});
