import { describe, expect, it } from "vitest";
import { createScanOutput, scanCycle, type ScanOutput } from "./scan-cycle.ts";
import { ScannerState } from "./scanner-state.ts";
import { DAY, MINUTE, makeAnalytics, makeBar } from "./scanner-test-helpers.ts";

const T = DAY + 10 * MINUTE; // the live 1m bar

function list(state: ScannerState, output: ScanOutput, name: string): [string, number][] {
  const result = output.toplists.find((entry) => entry.definition.name === name);
  if (!result) throw new Error(`no list ${name}`);
  return [...result.slots.subarray(0, result.count)].map((slot, index) => [state.symbols[slot] as string, Number((result.values[index] as number).toFixed(6))]);
}

/** A symbol with closed 1m closes at T−6m … T−1m and a live bar at T. */
function feedMinutes(state: ScannerState, symbol: string, closes: number[], live: number): void {
  closes.forEach((close, index) => state.applyBar(makeBar(symbol, "1m", T - (closes.length - index) * MINUTE, close), "closed"));
  state.applyBar(makeBar(symbol, "1m", T, live), "live");
}

describe("ScannerState + scanCycle", () => {
  it("ranks gainers and losers over 1m and 5m from the 1m bars", () => {
    const state = new ScannerState();
    state.setSymbols(["X:A", "X:B", "X:C"]);
    // closes at T−6m … T−1m, live at T. change1m vs T−1m, change5m vs T−5m
    feedMinutes(state, "X:A", [100, 100, 100, 100, 100, 110], 121); // 1m: 121/110 = +10 %, 5m: 121/100 = +21 %
    feedMinutes(state, "X:B", [50, 40, 50, 50, 50, 50], 45); //        1m: −10 %,            5m: 45/40 = +12.5 %
    feedMinutes(state, "X:C", [10, 10, 10, 10, 10, 10], 10.5); //      1m: +5 %,             5m: +5 %
    const output = scanCycle(state, [], createScanOutput(2));
    expect(list(state, output, "gainers-1m")).toEqual([["X:A", 10], ["X:C", 5]]);
    expect(list(state, output, "losers-1m")).toEqual([["X:B", -10]]); // X:C went up: not a loser
    expect(list(state, output, "gainers-5m")).toEqual([["X:A", 21], ["X:B", 12.5]]);
    expect(list(state, output, "losers-5m")).toEqual([]);
    expect(output.scanned).toBe(3);
  });

  it("uses the newest earlier bar when a minute is missing, and a closed bar as the price when no live bar follows", () => {
    const state = new ScannerState();
    state.setSymbols(["X:A"]);
    state.applyBar(makeBar("X:A", "1m", T - 7 * MINUTE, 80), "closed"); // newest bar at or before T−5m
    state.applyBar(makeBar("X:A", "1m", T - 3 * MINUTE, 90), "closed");
    state.applyBar(makeBar("X:A", "1m", T - MINUTE, 100), "closed"); // price 100 at T−1m: 1m ref = close at T−2m → 90
    const output = scanCycle(state, [], createScanOutput(5));
    // price minute T−1m: ref1m = newest ≤ T−2m = 90 → +11.111 %; ref5m = newest ≤ T−6m = 80 → +25 %
    expect(list(state, output, "gainers-1m")).toEqual([["X:A", 11.111111]]);
    expect(list(state, output, "gainers-5m")).toEqual([["X:A", 25]]);
    // an out-of-order older live bar does not move the price back
    state.applyBar(makeBar("X:A", "1m", T - 4 * MINUTE, 1), "live");
    expect(state.price[0]).toBe(100);
  });

  it("1d change is against the current daily bar's open; volume ranks traded value (volume × price)", () => {
    const state = new ScannerState();
    state.setSymbols(["X:A", "X:B", "X:C"]);
    state.applyBar(makeBar("X:A", "1d", DAY - 1440 * MINUTE, 10, { open: 1, volume: 1e9 }), "closed"); // yesterday: replaced below
    state.applyBar(makeBar("X:A", "1d", DAY, 12, { open: 10, volume: 100 }), "live"); // +20 %, value 1,200
    state.applyBar(makeBar("X:B", "1d", DAY, 8, { open: 10, volume: 1_000 }), "live"); // −20 %, value 8,000
    state.applyBar(makeBar("X:A", "1d", DAY - 1440 * MINUTE, 10, { open: 1, volume: 1e9 }), "revision"); // late revision of yesterday: ignored
    state.applyBar(makeBar("X:A", "1m", T, 13), "live"); // a 1m bar takes over the price: 13 vs open 10 = +30 %, value 1,300
    const output = scanCycle(state, [], createScanOutput(3));
    expect(list(state, output, "gainers-1d")).toEqual([["X:A", 30]]);
    expect(list(state, output, "losers-1d")).toEqual([["X:B", -20]]);
    expect(list(state, output, "volume")).toEqual([["X:B", 8_000], ["X:A", 1_300]]);
    // X:C has no data at all: in no list
    expect(output.toplists.every((result) => [...result.slots.subarray(0, result.count)].every((slot) => state.symbols[slot] !== "X:C"))).toBe(true);
  });

  it("RSI, relative volume and VWAP distance come from the indicator timeframe's analytics; NaN and null are left out", () => {
    const state = new ScannerState();
    state.setSymbols(["X:A", "X:B", "X:C"]);
    state.applyAnalytics(makeAnalytics("X:A", "1m", T, { rsi14: 80, relVolume20: 3, vwap: 100 }));
    state.applyAnalytics(makeAnalytics("X:B", "1m", T, { rsi14: 20, relVolume20: null, vwap: 50 }));
    state.applyAnalytics(makeAnalytics("X:C", "1m", T, { rsi14: Number.NaN, relVolume20: 5 }));
    state.applyAnalytics(makeAnalytics("X:C", "1h", T, { rsi14: 99 })); // another timeframe: not the RSI list
    state.applyAnalytics(makeAnalytics("X:A", "1m", T - MINUTE, { rsi14: 1 })); // older event: ignored
    state.applyBar(makeBar("X:A", "1m", T, 110), "live"); // +10 % over VWAP 100
    state.applyBar(makeBar("X:B", "1m", T, 45), "live"); //  −10 % under VWAP 50
    const output = scanCycle(state, [], createScanOutput(5));
    expect(list(state, output, "rsi-high")).toEqual([["X:A", 80]]);
    expect(list(state, output, "rsi-low")).toEqual([["X:B", 20]]);
    expect(list(state, output, "relvolume")).toEqual([["X:C", 5], ["X:A", 3]]);
    expect(list(state, output, "vwap-above")).toEqual([["X:A", 10]]);
    expect(list(state, output, "vwap-below")).toEqual([["X:B", -10]]);
  });

  it("equal changes are ordered by symbol name, whatever the slot order", () => {
    const state = new ScannerState();
    state.setSymbols(["X:D", "X:B", "X:C", "X:A"]);
    for (const symbol of ["X:D", "X:B", "X:C", "X:A"]) feedMinutes(state, symbol, [100], 102);
    const output = scanCycle(state, [], createScanOutput(3));
    expect(list(state, output, "gainers-1m")).toEqual([["X:A", 2], ["X:B", 2], ["X:C", 2]]);
    expect(list(state, output, "losers-1m")).toEqual([]); // all went up
  });

  it("each list of a pair holds only its side: no change and RSI 50 are in neither, a loser that turns up leaves", () => {
    const state = new ScannerState();
    state.setSymbols(["X:A", "X:B", "X:C"]);
    feedMinutes(state, "X:A", [100], 103); //   +3 %
    feedMinutes(state, "X:B", [100], 100); //    0 %
    feedMinutes(state, "X:C", [100], 98); //    −2 %
    state.applyAnalytics(makeAnalytics("X:A", "1m", T, { rsi14: 65 }));
    state.applyAnalytics(makeAnalytics("X:B", "1m", T, { rsi14: 50 }));
    state.applyAnalytics(makeAnalytics("X:C", "1m", T, { rsi14: 45 }));
    const output = scanCycle(state, [], createScanOutput(10));
    expect(list(state, output, "gainers-1m")).toEqual([["X:A", 3]]);
    expect(list(state, output, "losers-1m")).toEqual([["X:C", -2]]);
    expect(list(state, output, "rsi-high")).toEqual([["X:A", 65]]);
    expect(list(state, output, "rsi-low")).toEqual([["X:C", 45]]);
    feedMinutes(state, "X:C", [100], 101); // C turns positive
    scanCycle(state, [], output);
    const losers = output.toplists.find((entry) => entry.definition.name === "losers-1m");
    expect(list(state, output, "losers-1m")).toEqual([]);
    expect(losers?.changed).toBe(true); // the writer replaces (here: deletes) the ZSET
    expect(list(state, output, "gainers-1m")).toEqual([["X:A", 3], ["X:C", 1]]);
  });

  it("marks a list changed only when it differs from the previous cycle; deactivated symbols leave the lists", () => {
    const state = new ScannerState({ capacity: 16 });
    state.setSymbols(["X:A", "X:B"]);
    feedMinutes(state, "X:A", [100], 101);
    feedMinutes(state, "X:B", [100], 102);
    const output = createScanOutput(5);
    scanCycle(state, [], output);
    const gainers = () => output.toplists.find((entry) => entry.definition.name === "gainers-1m");
    expect(gainers()?.changed).toBe(true);
    scanCycle(state, [], output);
    expect(gainers()?.changed).toBe(false);
    state.applyBar(makeBar("X:A", "1m", T, 103), "live");
    scanCycle(state, [], output);
    expect(gainers()?.changed).toBe(true);
    expect(list(state, output, "gainers-1m")).toEqual([["X:A", 3], ["X:B", 2]]);
    state.setSymbols(["X:B"]);
    scanCycle(state, [], output);
    expect(list(state, output, "gainers-1m")).toEqual([["X:B", 2]]);
    expect(output.scanned).toBe(1);
  });

  it("with the cycle's clock, a price older than 3 minutes leaves the 1m/5m lists but keeps its 1d change", () => {
    const state = new ScannerState();
    state.setSymbols(["X:A", "X:B"]);
    feedMinutes(state, "X:A", [100], 110); // price bar opened at T
    feedMinutes(state, "X:B", [100], 105);
    state.applyBar(makeBar("X:A", "1d", DAY, 110, { open: 100 }), "live");
    const output = createScanOutput(5);
    // T + 3m: both bars exactly 3 minutes old → kept
    scanCycle(state, [], output, T + 3 * MINUTE);
    expect(list(state, output, "gainers-1m").map(([symbol]) => symbol)).toEqual(["X:A", "X:B"]);
    state.applyBar(makeBar("X:B", "1m", T + 3 * MINUTE, 106), "live");
    scanCycle(state, [], output, T + 3 * MINUTE + 1); // A's bar is now older than 3 minutes
    expect(list(state, output, "gainers-1m")).toEqual([["X:B", 6]]); // B: 106 vs the newest close ≤ T+2m (100 at T−1m)
    expect(list(state, output, "gainers-5m")).toEqual([]); // A stale; B has no bar at or before T−2m
    expect(list(state, output, "gainers-1d")).toEqual([["X:A", 10]]);
  });

  it("grows past its initial capacity and keeps every value", () => {
    const state = new ScannerState({ capacity: 16 });
    const symbols = Array.from({ length: 40 }, (_, index) => `X:S${String(index).padStart(2, "0")}`);
    state.setSymbols(symbols.slice(0, 10));
    feedMinutes(state, "X:S00", [100], 150);
    state.setSymbols(symbols);
    symbols.slice(1).forEach((symbol, index) => feedMinutes(state, symbol, [100], 101 + index));
    const output = scanCycle(state, [], createScanOutput(2));
    expect(state.capacity).toBeGreaterThanOrEqual(40);
    expect(list(state, output, "gainers-1m")).toEqual([["X:S00", 50], ["X:S39", 39]]);
  });
});
