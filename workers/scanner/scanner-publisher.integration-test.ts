/**
 * ScannerPublisher against real Redis through a TCP proxy that can be cut: only changed lists and screen
 * differences are written, and after a failed write (Redis unreachable) the next successful cycle rewrites
 * every key, so nothing stays missing or stale.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { createScanOutput, scanCycle } from "../../server/domain/scanner/scan-cycle.ts";
import { CompiledScreen } from "../../server/domain/scanner/screen-program.ts";
import { ScannerState } from "../../server/domain/scanner/scanner-state.ts";
import { DAY, MINUTE, makeAnalytics, makeBar } from "../../server/domain/scanner/scanner-test-helpers.ts";
import { env } from "../../server/env.ts";
import { redisKeys } from "../../server/redis/keys.ts";
import { TcpProxy } from "../../test-support/tcp-proxy.ts";
import { ScannerPublisher } from "./scanner-publisher.ts";

const namespace = `test-scanpub-${randomBytes(3).toString("hex")}`;
const keys = redisKeys(namespace);
const T = DAY + 30 * MINUTE;

describe("ScannerPublisher (real Redis, cut connection)", () => {
  const direct = new Redis(env().REDIS_URL, { maxRetriesPerRequest: 1 });
  const proxy = new TcpProxy(new URL(env().REDIS_URL).hostname, Number(new URL(env().REDIS_URL).port || 6379));
  let redis: Redis | undefined;

  afterAll(async () => {
    redis?.disconnect();
    await proxy.close();
    const found = await direct.keys(`${namespace}:*`);
    if (found.length > 0) await direct.del(...found);
    await direct.quit();
  });

  it("writes changes only, and everything again after a failed write", async () => {
    const port = await proxy.listen();
    redis = new Redis({ host: "127.0.0.1", port, maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 1_000, retryStrategy: () => 50 }); // like createRedis("command")
    redis.on("error", () => undefined);
    await new Promise((resolve) => redis?.once("ready", resolve));
    const publisher = new ScannerPublisher(redis, keys);
    const state = new ScannerState({ screenTimeframes: ["1m"] });
    state.setSymbols(["X:A", "X:B"]);
    for (const [symbol, close] of [["X:A", 101], ["X:B", 102]] as const) {
      state.applyBar(makeBar(symbol, "1m", T - MINUTE, 100), "closed");
      state.applyBar(makeBar(symbol, "1m", T, close), "live");
      state.applyAnalytics(makeAnalytics(symbol, "1m", T, { rsi14: symbol === "X:A" ? 20 : 60 }));
    }
    const screen = new CompiledScreen({ id: "low", rule: { name: "low", timeframe: "1m", when: { all: [{ metric: "rsi14", op: "<", value: 50 }] } } });
    const output = createScanOutput(5);
    const cycle = async () => {
      scanCycle(state, [screen], output, T);
      return publisher.publish({ output, state, screens: [screen], removedScreens: [], at: T, durationMs: 1 });
    };

    const first = await cycle();
    expect(Object.keys(first.lists)).toHaveLength(12); // first cycle: every list
    expect(await direct.zrevrange(keys.scannerList("gainers-1m"), "0", "-1")).toEqual(["X:B", "X:A"]);
    expect(await direct.zrange(keys.scannerScreen("low"), "0", "-1")).toEqual(["X:A"]);

    // nothing changed: nothing written (a key deleted behind its back stays missing until a full rewrite)
    await direct.del(keys.scannerList("rsi-high"));
    const quiet = await cycle();
    expect(quiet.lists).toEqual({});
    expect(quiet.screens).toEqual([]);
    expect(await direct.exists(keys.scannerList("rsi-high"))).toBe(0);

    // B drops under 50: the screen gains B (difference only) and the RSI lists change
    state.applyAnalytics(makeAnalytics("X:B", "1m", T + MINUTE, { rsi14: 10 }));
    const moved = await cycle();
    expect(Object.keys(moved.lists).sort()).toEqual(["rsi-high", "rsi-low"]);
    expect(moved.screens).toEqual([{ id: "low", count: 2, added: ["X:B"], removed: [], truncated: false }]);
    expect(await direct.zrange(keys.scannerScreen("low"), "0", "-1")).toEqual(["X:A", "X:B"]);

    // Redis unreachable: the write fails; once back, the next cycle rewrites every key
    proxy.cut();
    await direct.del(keys.scannerList("gainers-1m"), keys.scannerScreen("low"));
    await expect(cycle()).rejects.toThrow();
    proxy.restore();
    const healed = await (async () => {
      for (let attempt = 0; attempt < 100; attempt++) {
        try {
          return await cycle();
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 50)); // reconnecting
        }
      }
      throw new Error("Redis did not come back through the proxy");
    })();
    expect(Object.keys(healed.lists)).toHaveLength(12);
    expect(await direct.zrevrange(keys.scannerList("gainers-1m"), "0", "-1")).toEqual(["X:B", "X:A"]);
    expect(await direct.zrange(keys.scannerScreen("low"), "0", "-1")).toEqual(["X:A", "X:B"]);
    expect(healed.seq).toBeGreaterThan(moved.seq + 1); // the failed cycle used a seq: subscribers see the gap
  });

  it("a loser that turns positive leaves the losers ZSET; a list left empty loses its key", async () => {
    const publisher = new ScannerPublisher(direct, keys);
    const state = new ScannerState();
    state.setSymbols(["X:A", "X:B"]);
    const price = (symbol: string, close: number) => {
      state.applyBar(makeBar(symbol, "1m", T - MINUTE, 100), "closed");
      state.applyBar(makeBar(symbol, "1m", T, close), "live");
    };
    const output = createScanOutput(5);
    const cycle = () => publisher.publish({ output: scanCycle(state, [], output, T), state, screens: [], removedScreens: [], at: T, durationMs: 1 });
    const losers = () => direct.zrange(keys.scannerList("losers-1m"), "0", "-1", "WITHSCORES");
    price("X:A", 98);
    price("X:B", 99);
    await cycle();
    expect(await losers()).toEqual(["X:A", "-2", "X:B", "-1"]);
    expect(await direct.exists(keys.scannerList("gainers-1m"))).toBe(0);

    price("X:B", 101); // B turns positive: out of the losers, into the gainers
    await cycle();
    expect(await losers()).toEqual(["X:A", "-2"]);
    expect(await direct.zrange(keys.scannerList("gainers-1m"), "0", "-1", "WITHSCORES")).toEqual(["X:B", "1"]);

    price("X:A", 100); // A back to unchanged: in neither list, the losers key goes
    const update = await cycle();
    expect(update.lists["losers-1m"]).toEqual([]);
    expect(await direct.exists(keys.scannerList("losers-1m"))).toBe(0);
  });
});
