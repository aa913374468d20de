import { describe, expect, it } from "vitest";
import type { Bar, Trade } from "./bar.ts";
import { aggregateBars } from "./bar-aggregate.ts";
import { APRIL_1, BTC, ETH, MINUTE, finalClosedBars, prng, record, trade } from "./bar-test-helpers.ts";
import { alignTime } from "../time/timeframes.ts";
import type { Timeframe } from "../time/timeframes.ts";

const LATENESS = 5000;
const DAY = 1440 * MINUTE;

/**
 * Random trades for two symbols over ~25 minutes around the 2023-04-01/02 UTC midnight, with quiet minutes.
 * Quantities are multiples of 1/256 so that volume sums are exact in any order.
 */
function randomTrades(seed: number): Trade[] {
  const random = prng(seed);
  const trades: Trade[] = [];
  for (const symbol of [BTC, ETH]) {
    let time = APRIL_1 + DAY - 10 * MINUTE;
    let price = symbol === BTC ? 28000 : 1800;
    for (let id = 1; id <= 700; id++) {
      // mostly < 2.5 s apart, 10% at the same millisecond (order then follows the id), 1% after a quiet spell
      const draw = random();
      time += draw < 0.1 ? 0 : draw < 0.99 ? Math.floor(random() * 2500) : Math.floor(random() * 3 * MINUTE);
      price = Math.round((price + (random() - 0.5) * 20) * 100) / 100;
      trades.push(trade(id, time, price, Math.ceil(random() * 1000) / 256, symbol));
    }
  }
  return trades;
}

/** Arrival order: each trade delayed by less than the lateness, so its bar is still open when it arrives. */
function shuffleWithinLateness(trades: readonly Trade[], seed: number): Trade[] {
  const random = prng(seed);
  return trades
    .map((item) => ({ item, arrival: item.time + random() * (LATENESS - 1) }))
    .sort((a, b) => a.arrival - b.arrival)
    .map(({ item }) => item);
}

function run(trades: readonly Trade[], endTime: number) {
  const r = record({ latenessMs: LATENESS });
  for (const item of trades) r.builder.addTrade(item);
  r.builder.advance(endTime);
  return r;
}

describe("BarBuilder property: arrival order within lateness does not matter", () => {
  for (const seed of [1, 7, 42, 20230401]) {
    it(`seed ${seed}: shuffled within lateness = sorted; 5m/1h/1d = aggregate of the 1m bars`, () => {
      const trades = randomTrades(seed);
      const sorted = [...trades].sort((a, b) => a.time - b.time || a.id - b.id);
      const endTime = Math.max(...trades.map((item) => item.time)) + 2 * MINUTE;
      const inOrder = run(sorted, endTime);
      const shuffledStream = shuffleWithinLateness(trades, seed + 1);
      // and some exact duplicates, as after a reconnect
      const withDuplicates = shuffledStream.flatMap((item, index) => (index % 37 === 0 ? [item, item] : [item]));
      const shuffled = run(withDuplicates, endTime);

      const expected = finalClosedBars(inOrder.events);
      expect(finalClosedBars(shuffled.events)).toEqual(expected);
      expect(shuffled.events.some((event) => event.kind === "revision")).toBe(false);
      expect(shuffled.builder.stats()).toEqual({ duplicates: Math.ceil(shuffledStream.length / 37), tooLate: 0 });

      const closed = [...expected.values()];
      const minutes = closed.filter((bar) => bar.timeframe === "1m");
      expect(minutes.length).toBeGreaterThan(40);
      for (const timeframe of ["5m", "1h", "1d"] as const) {
        const built = closed.filter((bar) => bar.timeframe === timeframe);
        expect(built.length).toBeGreaterThan(0);
        expect(built).toEqual(aggregateOf(minutes, built, timeframe));
      }
      // every traded volume is in the closed or still-open 1m bars exactly once
      const openVolume = [BTC, ETH].flatMap((symbol) => shuffled.builder.openBars(symbol)).filter((bar) => bar.timeframe === "1m");
      const total = [...minutes, ...openVolume].reduce((sum, bar) => sum + bar.volume, 0);
      expect(total).toBe(trades.reduce((sum, item) => sum + item.quantity, 0));
    });
  }
});

function aggregateOf(minutes: readonly Bar[], built: readonly Bar[], timeframe: Timeframe): Bar[] {
  const aggregated = aggregateBars(minutes, timeframe);
  return built.map((bar) => {
    const match = aggregated.find((item) => item.symbol === bar.symbol && item.openTime === alignTime(bar.openTime, timeframe));
    if (match === undefined) throw new Error(`no aggregate for ${bar.symbol} ${timeframe} ${bar.openTime}`);
    return match;
  });
}
