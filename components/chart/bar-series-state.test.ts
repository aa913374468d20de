import { describe, expect, it } from "vitest";
import type { Bar } from "../../server/domain/bars/bar.ts";
import { BarSeriesState } from "./bar-series-state.ts";

const T0 = 1_680_307_200_000;
const bar = (minute: number, close: number): Bar => ({ symbol: "BINANCE:BTCUSDT", timeframe: "1m", openTime: T0 + minute * 60_000, open: 100, high: 110, low: 90, close, volume: 1, trades: 1, source: "trades" });

describe("BarSeriesState", () => {
  it("sorts and de-duplicates on reset", () => {
    const state = new BarSeriesState();
    const bars = state.reset([bar(2, 3), bar(0, 1), bar(1, 2), bar(1, 2.5)]);
    expect(bars.map((b) => b.close)).toEqual([1, 2.5, 3]);
  });

  it("appends a newer bar and replaces the last one with plain updates", () => {
    const state = new BarSeriesState();
    state.reset([bar(0, 1), bar(1, 2)]);
    expect(state.merge([bar(1, 2.2)])).toEqual({ kind: "update", updates: [{ bar: bar(1, 2.2), historical: false }] });
    expect(state.merge([bar(2, 3)])).toEqual({ kind: "update", updates: [{ bar: bar(2, 3), historical: false }] });
    expect(state.last()?.close).toBe(3);
  });

  it("skips bars it already has and updates a revised older bar historically", () => {
    const state = new BarSeriesState();
    state.reset([bar(0, 1), bar(1, 2), bar(2, 3)]);
    expect(state.merge([bar(0, 1), bar(1, 2)])).toEqual({ kind: "none" });
    expect(state.merge([bar(1, 2.5)])).toEqual({ kind: "update", updates: [{ bar: bar(1, 2.5), historical: true }] });
  });

  it("asks for a reset when a missing bar lands in the middle (snapshot after a gap)", () => {
    const state = new BarSeriesState();
    state.reset([bar(0, 1), bar(3, 4)]);
    const plan = state.merge([bar(1, 2), bar(2, 3), bar(3, 4), bar(4, 5)]);
    expect(plan.kind).toBe("reset");
    if (plan.kind === "reset") expect(plan.bars.map((b) => b.close)).toEqual([1, 2, 3, 4, 5]);
  });

  it("applies a snapshot newer than everything as appends", () => {
    const state = new BarSeriesState();
    state.reset([bar(0, 1)]);
    const plan = state.merge([bar(2, 3), bar(1, 2)]);
    expect(plan).toEqual({ kind: "update", updates: [{ bar: bar(1, 2), historical: false }, { bar: bar(2, 3), historical: false }] });
  });
});
