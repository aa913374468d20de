/**
 * Gateway fan-out benchmark (DESIGN.md budget: fan-out to 5,000 WebSocket clients, p99 < 100 ms from the
 * Redis publish to the client's receipt). The real gateway as the product runs it (workers/gateway.ts):
 * one gateway process per core (server/realtime/gateway-cluster.ts, node:cluster, 2 on the dev machine)
 * sharing one port, each running server/realtime/gateway.ts in open mode (no token check, which only costs
 * at connect); this file is also their process entry (cluster worker branch at the bottom). `--processes 1`
 * measures a single gateway process (still forked, the same way). The real Redis (REDIS_URL, own namespace);
 * 5,000 `ws` clients in a worker thread (their own event loop and core, like browsers elsewhere), opened in
 * batches of 250 and all subscribed to one stream. Then 3 warm-up + 30 timed bar events are published
 * 250 ms apart; every client records when each arrived (performance.timeOrigin + now(), one clock for both
 * threads). Reports p50 / p99 / max over every (client, event) pair, and the p99 over events of the time
 * until the last client had it. Never asserts. Needs ~10,000 file descriptors (`ulimit -n`; the process
 * cannot raise its own). Same machine: the clients' kernel receive path runs inside the gateway's socket writes
 * (loopback) and the 5,000 clients share the 2 cores with the gateway, costs remote browsers would not add.
 * Changed 2026-11-22 (before: p50 46 / p99 106 ms with one gateway in this process):
 * - the gateway runs as one process per core, as workers/gateway.ts now does (was one, in this process);
 * - each client reads a bar's seq from the message bytes (prefix `{"type":"bar",` + the digits after `"seq":`)
 *   instead of JSON.parse: the arrival time is taken before either, and a browser parses its one message on
 *   its own CPU, while here 5,000 parses in a row on one thread delayed the next clients' reads (~2 µs each).
 *   Client 0 still parses every bar in full and checks the seq (a mismatch fails the run); snapshots are parsed.
 * Client count (5,000), events (3 + 30), spacing and what is timed are unchanged.
 * Run: node --import tsx bench/gateway-fanout.bench.ts [--clients N] [--processes N]
 */
import cluster from "node:cluster";
import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { Redis } from "ioredis";
import { env } from "../server/env.ts";
import { startGateway } from "../server/realtime/gateway.ts";
import { announceGatewayReady, defaultGatewayProcesses, forkGatewayProcesses } from "../server/realtime/gateway-cluster.ts";
import { redisKeys } from "../server/redis/keys.ts";
import type { BenchResult } from "./bench-result.ts";

const CLIENTS = 5_000;
const BATCH = 250;
const WARMUP_EVENTS = 3;
const TIMED_EVENTS = 30;
const SPACING_MS = 250;
const SYMBOL = "BINANCE:BTCUSDT";
const T0 = Date.UTC(2026, 10, 21);
/** argv marker of the forked gateway processes: `--fanout-gateway-process <namespace>`. */
const GATEWAY_PROCESS_FLAG = "--fanout-gateway-process";

const clock = () => performance.timeOrigin + performance.now();
interface ClientJob {
  url: string;
  clients: number;
  events: number;
  batch: number;
  symbol: string;
  wsPath: string;
}

type FromClients = { type: "ready"; open: number } | { type: "received"; seq: number } | { type: "times"; times: Float64Array[] } | { type: "error"; message: string };

/**
 * Worker side (plain JavaScript: a worker thread does not load tsx): open the clients in batches,
 * subscribe, record arrival times per event (seq 1..events); on "report", post them and close.
 */
const CLIENTS_SOURCE = `
const { parentPort, workerData: job } = require("node:worker_threads");
const WebSocket = require(job.wsPath);
const clock = () => performance.timeOrigin + performance.now();
const times = Array.from({ length: job.events + 1 }, () => new Float64Array(job.clients).fill(NaN));
const counts = new Int32Array(job.events + 1);
const sockets = [];
// The seq of a bar message read from its bytes, or -1 for any other message (see the header).
const BAR_PREFIX = Buffer.from('{"type":"bar",');
const SEQ_KEY = Buffer.from('"seq":');
function barSeq(data) {
  if (data.length <= BAR_PREFIX.length || data.compare(BAR_PREFIX, 0, BAR_PREFIX.length, 0, BAR_PREFIX.length) !== 0) return -1;
  const key = data.indexOf(SEQ_KEY, BAR_PREFIX.length);
  if (key < 0) return -1;
  let seq = 0;
  for (let at = key + SEQ_KEY.length; data[at] >= 48 && data[at] <= 57; at++) seq = seq * 10 + data[at] - 48;
  return seq;
}
(async () => {
  for (let start = 0; start < job.clients; start += job.batch) {
    const batch = [];
    for (let index = start; index < Math.min(job.clients, start + job.batch); index++) {
      const socket = new WebSocket(job.url, { perMessageDeflate: false });
      sockets.push(socket);
      batch.push(new Promise((done, fail) => {
        socket.on("message", (data) => {
          const at = clock();
          const seq = barSeq(data);
          if (seq < 0) {
            if (JSON.parse(data.toString()).type === "snapshot") done();
            return;
          }
          if (index === 0) {
            // One client parses every bar in full and checks the cheap read against it.
            const message = JSON.parse(data.toString());
            if (message.type !== "bar" || message.seq !== seq) parentPort.postMessage({ type: "error", message: "seq read " + seq + " but the message says " + message.seq });
          }
          if (seq <= job.events) {
            times[seq][index] = at;
            if (++counts[seq] === job.clients) parentPort.postMessage({ type: "received", seq });
          }
        });
        socket.once("open", () => socket.send(JSON.stringify({ op: "subscribe", symbol: job.symbol, timeframe: "1m" })));
        socket.once("error", fail);
      }));
    }
    await Promise.all(batch);
  }
  parentPort.postMessage({ type: "ready", open: sockets.length });
})().catch((error) => parentPort.postMessage({ type: "error", message: String(error) }));
parentPort.on("message", (message) => {
  if (message !== "report") return;
  parentPort.postMessage({ type: "times", times });
  for (const socket of sockets) socket.terminate();
});
`;

function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

export async function runGatewayFanoutBench(options: { clients?: number; processes?: number } = {}): Promise<BenchResult[]> {
  const clients = options.clients ?? CLIENTS;
  const processes = options.processes ?? defaultGatewayProcesses();
  const config = env();
  const namespace = `bench-fanout-${randomUUID().slice(0, 8)}`;
  const keys = redisKeys(namespace);
  // Each process announces itself once its Redis subscriptions are active (gateway.ready).
  const gateway = await forkGatewayProcesses({ processes, exec: fileURLToPath(import.meta.url), args: [GATEWAY_PROCESS_FLAG, namespace] });
  const publisher = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
  const events = WARMUP_EVENTS + TIMED_EVENTS;
  const worker = new Worker(CLIENTS_SOURCE, {
    eval: true,
    workerData: { url: `ws://127.0.0.1:${gateway.port}/ws`, clients, events, batch: BATCH, symbol: SYMBOL, wsPath: createRequire(import.meta.url).resolve("ws") } satisfies ClientJob,
  });
  const received = new Map<number, () => void>();
  let ready: () => void = () => undefined;
  let reported: (times: Float64Array[]) => void = () => undefined;
  let failed: (error: Error) => void = () => undefined;
  const failure = new Promise<never>((_, reject) => (failed = reject));
  failure.catch(() => undefined);
  worker.on("message", (message: FromClients) => {
    if (message.type === "error") failed(new Error(`clients: ${message.message}`));
    else if (message.type === "ready") ready();
    else if (message.type === "received") received.get(message.seq)?.();
    else if (message.type === "times") reported(message.times);
  });
  worker.on("error", (error) => failed(error));
  try {
    const connectStarted = performance.now();
    await Promise.race([new Promise<void>((done) => (ready = done)), failure]);
    const connectSeconds = (performance.now() - connectStarted) / 1000;
    const published = new Float64Array(events + 1);
    const lastArrival: number[] = [];
    for (let seq = 1; seq <= events; seq++) {
      const all = new Promise<void>((done) => received.set(seq, done));
      const bar = { symbol: SYMBOL, timeframe: "1m", openTime: T0 + seq * 60_000, open: 100, high: 101, low: 99, close: 100 + seq / 100, volume: seq, trades: seq, source: "trades" };
      const text = JSON.stringify({ stream: `${SYMBOL}:1m`, epoch: "bench", seq, kind: "live", bar });
      published[seq] = clock();
      await publisher.publish(keys.barChannel(SYMBOL, "1m"), text);
      await Promise.race([all, new Promise((done) => setTimeout(done, 5_000)), failure]);
      await new Promise((done) => setTimeout(done, SPACING_MS));
    }
    const times = await Promise.race([
      new Promise<Float64Array[]>((done) => {
        reported = done;
        worker.postMessage("report");
      }),
      failure,
    ]);
    const latencies: number[] = [];
    let missing = 0;
    for (let seq = WARMUP_EVENTS + 1; seq <= events; seq++) {
      let last = 0;
      for (const at of times[seq] as Float64Array) {
        if (Number.isNaN(at)) {
          missing += 1;
          continue;
        }
        const latency = at - (published[seq] as number);
        latencies.push(latency);
        last = Math.max(last, latency);
      }
      lastArrival.push(last);
    }
    latencies.sort((a, b) => a - b);
    lastArrival.sort((a, b) => a - b);
    const context = `${clients.toLocaleString("en-US")} ws clients on one stream (worker thread, same machine), ${processes} gateway process${processes === 1 ? "" : "es"} (node:cluster, one port; was 1 before 2026-11-22), clients read the seq from the bytes (client 0 JSON-parses every bar and checks it), ${TIMED_EVENTS} events ${SPACING_MS} ms apart after ${WARMUP_EVENTS} warm-up; ${latencies.length.toLocaleString("en-US")} deliveries, ${missing} missing; clients connected in ${connectSeconds.toFixed(1)} s`;
    return [
      { name: "gateway fan-out, Redis publish → client receipt, p50", value: percentile(latencies, 50), unit: "ms", budget: "p99 < 100 ms", note: context },
      { name: "gateway fan-out, Redis publish → client receipt, p99", value: percentile(latencies, 99), unit: "ms", budget: "p99 < 100 ms", note: context },
      { name: "gateway fan-out, Redis publish → client receipt, max", value: latencies.at(-1) ?? Number.NaN, unit: "ms", note: context },
      { name: "gateway fan-out, publish → last of the clients, p99 over events", value: percentile(lastArrival, 99), unit: "ms", note: context },
    ];
  } finally {
    await worker.terminate();
    await gateway.stop();
    publisher.disconnect();
  }
}

/** A forked gateway process of the benchmark: the real gateway on the shared port until SIGTERM. */
async function runGatewayProcess(namespace: string): Promise<void> {
  const gateway = await startGateway({ port: 0, host: "127.0.0.1", namespace, redisUrl: env().REDIS_URL, heartbeatMs: 600_000, maxSubscriptionsPerClient: 5 });
  await gateway.ready;
  process.once("SIGTERM", () => void gateway.close().finally(() => process.exit(0)));
  announceGatewayReady(gateway.port);
}

const gatewayFlag = process.argv.indexOf(GATEWAY_PROCESS_FLAG);
if (cluster.isWorker && gatewayFlag >= 0) {
  await runGatewayProcess(process.argv[gatewayFlag + 1] ?? "");
} else if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const option = (name: string) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : undefined);
  const results = await runGatewayFanoutBench({ clients: option("--clients"), processes: option("--processes") });
  for (const result of results) console.log(`${result.name.padEnd(66)} ${result.value.toFixed(2).padStart(8)} ${result.unit}  ${result.budget ? `budget ${result.budget}` : ""}`);
  console.log(`- ${results[0]?.note ?? ""}`);
  process.exit(0);
}
