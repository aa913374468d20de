/**
 * ActiveSymbolsWatcher on the real PostgreSQL and Redis: changes made through the symbols writer reach `onChange`
 * by pub/sub (polling slowed right down) and by polling alone (no Redis at all); disabling the exchange empties
 * the set; calls never overlap and the newest set wins; a failed call is retried.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SymbolConfig } from "../config/symbols-config.ts";
import { env } from "../env.ts";
import { redisKeys } from "../redis/keys.ts";
import { ActiveSymbolsWatcher, type ActiveSymbolSet } from "./active-symbols-watcher.ts";
import { createSymbolsWriter } from "./symbols.service.ts";

const namespace = `mltsymw${randomBytes(3).toString("hex")}`;
const keys = redisKeys(namespace);
let pool: pg.Pool;
let publisher: Redis;
const exchanges: string[] = [];

function newExchange(): string {
  const exchange = `W${randomBytes(4).toString("hex").toUpperCase()}`;
  exchanges.push(exchange);
  return exchange;
}

function symbol(exchange: string, ticker: string): SymbolConfig {
  return { id: `${exchange}:${ticker}`, exchange, ticker, displayName: ticker, assetClass: "crypto", calendar: "CRYPTO", active: true };
}

async function waitFor<T>(read: () => T | undefined, what: string, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const ids = (set: ActiveSymbolSet | undefined) => set?.symbols.map((row) => row.id).sort();

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: env().DATABASE_URL, max: 4 });
  publisher = new Redis(env().REDIS_URL);
});

afterAll(async () => {
  await pool.query("DELETE FROM symbols WHERE exchange = ANY($1)", [exchanges]);
  await pool.query("DELETE FROM exchanges WHERE id = ANY($1)", [exchanges]);
  await publisher.quit();
  await pool.end();
});

describe("ActiveSymbolsWatcher", () => {
  it("hears a change by pub/sub (polling slowed to a minute) and empties the set of a disabled exchange", async () => {
    const exchange = newExchange();
    const writer = createSymbolsWriter({ pool, redis: publisher, keys, now: () => Date.now() });
    await writer.add(symbol(exchange, "AAA"));
    const seen: ActiveSymbolSet[] = [];
    const watcher = new ActiveSymbolsWatcher({ exchange, pool, subscriber: new Redis(env().REDIS_URL), keys, pollMs: 60_000, onChange: async (set) => void seen.push(set) });
    await watcher.start();
    expect(ids(seen[0])).toEqual([`${exchange}:AAA`]);
    // the subscription is asynchronous: wait until Redis counts the subscriber before publishing
    for (let tries = 0; tries < 100; tries += 1) {
      const [, count] = (await publisher.pubsub("NUMSUB", keys.symbolsChanged())) as [string, number];
      if (Number(count) > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    const added = await writer.add(symbol(exchange, "BBB"));
    expect(added.notified).toBe(true);
    await waitFor(() => (seen.length === 2 ? seen[1] : undefined), "the added symbol");
    expect(ids(seen[1])).toEqual([`${exchange}:AAA`, `${exchange}:BBB`]);

    await writer.setActive(`${exchange}:AAA`, false);
    await waitFor(() => (seen.length === 3 ? seen[2] : undefined), "the deactivated symbol");
    expect(ids(seen[2])).toEqual([`${exchange}:BBB`]);

    await writer.applyExchangesFile([{ id: exchange, displayName: "Test", enabled: false }], `config:test-${exchange}.yaml`);
    const disabled = await waitFor(() => (seen.length === 4 ? seen[3] : undefined), "the disabled exchange");
    expect(disabled).toMatchObject({ exchange, enabled: false, symbols: [] });

    await writer.applyExchangesFile([], `config:test-${exchange}.yaml`); // no longer listed: enabled again
    await waitFor(() => (seen.length === 5 ? seen[4] : undefined), "the re-enabled exchange");
    expect(seen[4]).toMatchObject({ enabled: true });
    expect(ids(seen[4])).toEqual([`${exchange}:BBB`]);
    await watcher.stop();
  });

  it("finds changes by polling alone when no notification arrives (Redis not used at all)", async () => {
    const exchange = newExchange();
    const writer = createSymbolsWriter({ pool, redis: null, keys, now: () => Date.now() });
    const seen: ActiveSymbolSet[] = [];
    const watcher = new ActiveSymbolsWatcher({ exchange, pool, subscriber: null, keys, pollMs: 200, initial: { exchange, enabled: true, symbols: [] }, onChange: async (set) => void seen.push(set) });
    await watcher.start();
    expect(seen).toEqual([]); // the initial set is current: nothing delivered

    const result = await writer.add(symbol(exchange, "CCC"));
    expect(result.notified).toBe(false);
    await waitFor(() => seen[0], "the polled change");
    expect(ids(seen[0])).toEqual([`${exchange}:CCC`]);

    await writer.remove(`${exchange}:CCC`);
    await waitFor(() => seen[1], "the polled removal");
    expect(ids(seen[1])).toEqual([]);
    await watcher.stop();
  });

  it("never overlaps calls, delivers the newest set last, and retries a failed call", async () => {
    const exchange = newExchange();
    const writer = createSymbolsWriter({ pool, redis: null, keys, now: () => Date.now() });
    let inFlight = 0;
    let maxInFlight = 0;
    let calls = 0;
    let release: (() => void) | null = null;
    const seen: ActiveSymbolSet[] = [];
    const watcher = new ActiveSymbolsWatcher({
      exchange,
      pool,
      subscriber: null,
      keys,
      pollMs: 50,
      initial: { exchange, enabled: true, symbols: [] },
      onChange: async (set) => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        const call = ++calls;
        try {
          if (call === 1) await new Promise<void>((resolve) => (release = resolve)); // the first call hangs
          if (call === 2) throw new Error("subscribe failed"); // the next one fails once; the poll retries it
          seen.push(set);
        } finally {
          inFlight -= 1;
        }
      },
    });
    await watcher.start();
    await writer.add(symbol(exchange, "D1"));
    await waitFor(() => release ?? undefined, "the first call");
    // while it hangs: two more changes and many polls
    await writer.add(symbol(exchange, "D2"));
    await writer.add(symbol(exchange, "D3"));
    await new Promise((resolve) => setTimeout(resolve, 300));
    release!();
    await waitFor(() => (seen.length >= 2 && ids(seen[seen.length - 1])!.length === 3 ? true : undefined), "the newest set");
    expect(maxInFlight).toBe(1);
    expect(calls).toBe(3);
    expect(seen.length).toBe(2); // the hung call's set, then the newest (the middle one was never delivered on its own)
    expect(ids(seen[1])).toEqual([`${exchange}:D1`, `${exchange}:D2`, `${exchange}:D3`]);
    expect(ids(watcher.set ?? undefined)).toEqual(ids(seen[1]));
    await watcher.stop();
  });
});
