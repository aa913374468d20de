/**
 * BinanceStream and BinanceShards against the replay exchange over real WebSockets:
 * - the exchange drops a connection that sends more than 5 messages in a second, as Binance does;
 * - BinanceStream's control queue keeps SUBSCRIBE/UNSUBSCRIBE/LIST_SUBSCRIPTIONS under that limit (no drop) and
 *   merges subscriptions waiting to be sent into one message, with `{"result":null,"id":N}` replies matched by id;
 * - BinanceShards never puts more than the stream limit on one connection.
 */
import path from "node:path";
import WebSocket from "ws";
import { afterEach, describe, expect, it } from "vitest";
import { FakeBinanceServer } from "../../replay/fake-binance-server.ts";
import { ReplayClock, ReplayDataset } from "../../replay/replay-dataset.ts";
import { SourceBreaker } from "../circuit-breaker.ts";
import { BinanceShards } from "./binance-shards.ts";
import { BinanceStream } from "./binance-stream.ts";

const root = path.resolve(import.meta.dirname, "..", "..", "..");
const file = path.join(root, "fixtures/binance/ohlcv/BTCUSDT-1m-20230401-20230403.json");
const first = Date.UTC(2023, 3, 1);
let server: FakeBinanceServer | null = null;
const cleanup: Array<() => Promise<void>> = [];

async function start(tickers: readonly string[] = ["BTCUSDT"]) {
  server = new FakeBinanceServer({ datasets: tickers.map((ticker) => ReplayDataset.fromFile(ticker, file, first, false)), clock: new ReplayClock(first + 60 * 60_000, 10) });
  await server.listen();
  return server;
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function openStream(url: string, streams: string[]) {
  let opened = 0;
  const stream = new BinanceStream({
    baseUrl: url,
    streams,
    callbacks: { onOpen: () => void (opened += 1), onFrame: () => undefined, onClose: () => undefined },
  });
  stream.start();
  cleanup.push(() => stream.stop());
  return { stream, opened: () => opened };
}

afterEach(async () => {
  for (const step of cleanup.splice(0)) await step();
  await server?.close();
  server = null;
});

describe("Binance WebSocket control messages", () => {
  it("the exchange drops a connection that sends more than 5 messages in one second", async () => {
    const fake = await start();
    const socket = new WebSocket(`${fake.wsUrl}/stream?streams=btcusdt@aggTrade`);
    await new Promise((resolve) => socket.once("open", resolve));
    const closed = new Promise((resolve) => socket.once("close", resolve));
    for (let id = 1; id <= 8; id += 1) socket.send(JSON.stringify({ method: "LIST_SUBSCRIPTIONS", id }));
    await closed;
    expect(fake.wsStats.rateLimitDisconnects).toBe(1);
  });

  it("queues control messages under the limit: 12 requests, no drop, every reply matched by id", async () => {
    const fake = await start();
    const { stream, opened } = openStream(fake.wsUrl, ["btcusdt@aggTrade"]);
    await waitFor(() => opened() === 1 && fake.connections === 1, "connected");
    const requests: Promise<unknown>[] = [];
    for (let i = 0; i < 4; i += 1) {
      requests.push(stream.listSubscriptions());
      requests.push(stream.subscribe([`btcusdt@kline_${i + 1}m`]));
      requests.push(stream.unsubscribe([`btcusdt@kline_${i + 1}m`]));
    }
    await Promise.all(requests);
    expect(fake.wsStats.rateLimitDisconnects).toBe(0);
    expect(fake.wsStats.connectionsOpened).toBe(1);
    expect(fake.wsStats.controlMessages).toEqual({ LIST_SUBSCRIPTIONS: 4, SUBSCRIBE: 4, UNSUBSCRIBE: 4 });
    expect(await stream.listSubscriptions()).toEqual(["btcusdt@aggTrade"]);
    expect(stream.health()).toMatchObject({ state: "open", controlQueued: 0, reconnects: 0 });
  });

  it("merges subscriptions waiting to be sent into one SUBSCRIBE", async () => {
    const fake = await start(["BTCUSDT", "ETHUSDT"]);
    const { stream, opened } = openStream(fake.wsUrl, ["btcusdt@aggTrade"]);
    await waitFor(() => opened() === 1, "connected");
    for (let i = 0; i < 5; i += 1) await stream.listSubscriptions(); // the second's allowance is used up
    const streams = ["btcusdt@kline_1m", "ethusdt@aggTrade", "ethusdt@kline_1m", "btcusdt@kline_5m", "ethusdt@kline_5m"];
    await Promise.all(streams.map((name) => stream.subscribe([name])));
    expect(fake.wsStats.controlMessages.SUBSCRIBE).toBe(1);
    expect(new Set(await stream.listSubscriptions())).toEqual(new Set(["btcusdt@aggTrade", ...streams]));
    expect(fake.wsStats.rateLimitDisconnects).toBe(0);
  });
});

describe("BinanceShards", () => {
  it("puts at most maxStreamsPerConnection streams on a connection and closes an emptied one", async () => {
    const fake = await start(["BTCUSDT", "ETHUSDT", "BNBUSDT"]);
    const opened: number[] = [];
    const shards = new BinanceShards({
      baseUrl: fake.wsUrl,
      breaker: new SourceBreaker("binance", "stream"),
      maxStreamsPerConnection: 4,
      callbacks: { onOpen: (shard) => void opened.push(shard), onFrame: () => undefined, onClose: () => undefined },
    });
    cleanup.push(() => shards.stop());
    const group = (ticker: string) => [`${ticker}@aggTrade`, `${ticker}@kline_1m`];
    expect(await shards.add("BTC", group("btcusdt"))).toBe(0);
    expect(await shards.add("ETH", group("ethusdt"))).toBe(0);
    expect(await shards.add("BNB", group("bnbusdt"))).toBe(1);
    shards.start();
    await waitFor(() => opened.length === 2 && fake.connections === 2, "two connections");
    expect(fake.connectionStreams().map((streams) => streams.size).sort()).toEqual([2, 4]);
    expect(shards.groupsOf(0)).toEqual(["BTC", "ETH"]);
    await shards.remove("ETH");
    expect(await shards.add("XRP", group("xrpusdt"))).toBe(0); // the freed room is reused, by SUBSCRIBE
    expect(new Set(await shards.listSubscriptions(0))).toEqual(new Set([...group("btcusdt"), ...group("xrpusdt")]));
    await shards.remove("BNB");
    await waitFor(() => fake.connections === 1, "the emptied connection closed");
    expect(shards.health().map((shard) => shard.shard)).toEqual([0]);
  });
});
