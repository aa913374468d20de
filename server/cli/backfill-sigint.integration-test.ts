/**
 * `marketlens backfill` as a real process interrupted with SIGINT (Ctrl-C), then run again: it resumes from the
 * checkpoint and ends with exactly the rows of an uninterrupted run (every timeframe, every value), no duplicates.
 * The replay exchange serves the recorded BTCUSDT 1m klines under two tickers: BTCSIGINT (interrupted) and
 * BTCSIGREF (uninterrupted reference). A small HTTP relay in front of it slows each REST page by 150 ms so the
 * signal lands mid-run. Only BINANCE:BTCSIGINT / BINANCE:BTCSIGREF rows are touched.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteBackfillCheckpoints, readBackfillCheckpoint } from "../db/backfill-checkpoints.repo.ts";
import { env } from "../env.ts";
import { FakeBinanceServer } from "../replay/fake-binance-server.ts";
import { ReplayClock, ReplayDataset } from "../replay/replay-dataset.ts";

const root = path.resolve(import.meta.dirname, "..", "..");
const file = path.join(root, "fixtures/binance/ohlcv/BTCUSDT-1m-20230401-20230403.json");
const MINUTE = 60_000;
const first = Date.UTC(2023, 3, 1);
const end = Date.UTC(2023, 3, 4); // 4,320 recorded minutes: 5 pages of 1,000
const INTERRUPTED = "BINANCE:BTCSIGINT";
const REFERENCE = "BINANCE:BTCSIGREF";
const PAGE_DELAY_MS = 150;

let server: FakeBinanceServer;
let relay: http.Server;
let relayUrl: string;
let pool: pg.Pool;

async function clean(symbol: string) {
  await pool.query("DELETE FROM candles WHERE symbol = $1", [symbol]);
  await deleteBackfillCheckpoints(pool, symbol);
}

/** Every stored row of a symbol, without the symbol, ordered (timeframe, open time). */
async function rows(symbol: string) {
  const result = await pool.query(
    `SELECT timeframe, (extract(epoch from open_time) * 1000)::bigint AS open_time, open, high, low, close, volume, trades, source
       FROM candles WHERE symbol = $1 ORDER BY timeframe, open_time`,
    [symbol],
  );
  return result.rows;
}

function backfill(ticker: string) {
  const child = spawn(process.execPath, ["bin/marketlens.mjs", "backfill", "--exchange", "binance", "--symbol", ticker, "--from", "2023-04-01", "--to", "2023-04-04", "--timeframe", "1m"], {
    cwd: root,
    env: { ...process.env, BINANCE_REST_URL: relayUrl, LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, "exit").then(([code, signal]) => ({ code: code as number | null, signal: signal as string | null, output }));
  return { child, exited };
}

async function waitFor<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

beforeAll(async () => {
  const datasets = [ReplayDataset.fromFile("BTCSIGINT", file, first, false), ReplayDataset.fromFile("BTCSIGREF", file, first, false)];
  server = new FakeBinanceServer({ datasets, clock: new ReplayClock(end + 30 * MINUTE, 1) });
  await server.listen();
  // The relay forwards every request to the fake exchange after PAGE_DELAY_MS (headers and status kept).
  relay = http.createServer((request, response) => {
    setTimeout(() => {
      void fetch(`${server.url}${request.url}`, { method: request.method })
        .then(async (upstream) => {
          const headers: Record<string, string> = {};
          upstream.headers.forEach((value, name) => {
            if (name !== "content-length" && name !== "content-encoding" && name !== "transfer-encoding") headers[name] = value;
          });
          response.writeHead(upstream.status, headers);
          response.end(Buffer.from(await upstream.arrayBuffer()));
        })
        .catch(() => response.destroy());
    }, PAGE_DELAY_MS);
  });
  relay.listen(0, "127.0.0.1");
  await once(relay, "listening");
  relayUrl = `http://127.0.0.1:${(relay.address() as AddressInfo).port}`;
  pool = new pg.Pool({ connectionString: env().DATABASE_URL, max: 2 });
  await clean(INTERRUPTED);
  await clean(REFERENCE);
});

afterAll(async () => {
  await clean(INTERRUPTED);
  await clean(REFERENCE);
  await pool.end();
  relay.close();
  await server.close();
});

describe("backfill interrupted with SIGINT", () => {
  it("stops at a page boundary with exit 130, keeping the checkpoint and only whole pages", async () => {
    const run = backfill("BTCSIGINT");
    const key = { source: "binance", symbol: INTERRUPTED, timeframe: "1m" as const, from: first, to: end };
    const checkpoint = await waitFor(() => readBackfillCheckpoint(pool, key), (value) => value !== null && value.nextStart > first, "the first stored page");
    expect(checkpoint!.nextStart).toBeLessThan(end);
    run.child.kill("SIGINT");
    const { code, output } = await run.exited;
    expect(code, output).toBe(130);
    const after = await readBackfillCheckpoint(pool, key);
    expect(after).not.toBeNull();
    expect(after!.nextStart).toBeLessThan(end); // interrupted before the end
    const minutes = await pool.query<{ n: string; max: string }>(
      "SELECT count(*) AS n, (extract(epoch from max(open_time)) * 1000)::bigint AS max FROM candles WHERE symbol = $1 AND timeframe = '1m'",
      [INTERRUPTED],
    );
    // the stored minutes are exactly those before the checkpoint: no half-written page
    expect(Number(minutes.rows[0]!.n)).toBe((after!.nextStart - first) / MINUTE);
    expect(Number(minutes.rows[0]!.max)).toBe(after!.nextStart - MINUTE);
  });

  it("run again, it resumes and ends with exactly the rows of an uninterrupted run", async () => {
    const resumed = await backfill("BTCSIGINT").exited;
    expect(resumed.code, resumed.output).toBe(0);
    expect(resumed.output).toMatch(/resum/i);
    const reference = await backfill("BTCSIGREF").exited;
    expect(reference.code, reference.output).toBe(0);
    const interrupted = await rows(INTERRUPTED);
    const uninterrupted = await rows(REFERENCE);
    expect(uninterrupted.filter((row) => row.timeframe === "1m")).toHaveLength(4_320);
    expect(interrupted).toEqual(uninterrupted);
    const again = await backfill("BTCSIGINT").exited; // idempotent: a third run changes nothing
    expect(again.code, again.output).toBe(0);
    expect(await rows(INTERRUPTED)).toEqual(uninterrupted);
  });
});
