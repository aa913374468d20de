import { describe, expect, it } from "vitest";
import { QualityGate } from "./quality-gate.ts";
import { BTC, trade } from "./quality-test-helpers.ts";

/** A gate warmed up with 30 trades around 100 (99.9 – 100.1). */
function warmGate(): QualityGate {
  const gate = new QualityGate(BTC);
  for (let id = 0; id < 30; id++) expect(gate.checkTrade(trade(id, 100 + ((id % 3) - 1) * 0.1), 0).ok).toBe(true);
  return gate;
}

describe("re-baselining on a sustained new level (real markets gap)", () => {
  it("accepts the 5th consecutive anomaly within 1% of the others and re-baselines on them", () => {
    const gate = warmGate();
    const level = [115, 115.5, 114.8, 115.2, 115.1]; // max/min − 1 = 115.5/114.8 − 1 = 0.61% ≤ 1%
    const results = level.map((price, index) => gate.checkTrade(trade(100 + index, price), 0));
    expect(results.slice(0, 4).map((result) => result.ok)).toEqual([false, false, false, false]);
    // from: the last accepted warm-up price, id 29: 100 + (29 % 3 − 1) × 0.1 = 100.1
    expect(results[4]).toEqual({ ok: true, rebaseline: { from: 100.1, to: 115.1, count: 5 } });
    expect(gate.baseline("trade")).toEqual(level);
    expect(gate.checkTrade(trade(200, 115.3), 0)).toEqual({ ok: true }); // the new level is normal now
    expect(gate.checkTrade(trade(201, 100), 0).ok).toBe(false); // and the old one is 13.3% away
    expect(gate.snapshot(0)).toMatchObject({ rebaselines: 1, totalRejected: 5 });
  });

  it("does not re-baseline on anomalies that disagree, or that an accepted item interrupts", () => {
    const gate = warmGate();
    for (const [index, price] of [115, 130, 115, 130, 115, 130, 115, 130].entries()) {
      expect(gate.checkTrade(trade(100 + index, price), 0).ok).toBe(false); // 115 vs 130: 13% apart
    }
    for (const [index, price] of [115, 115, 115, 115].entries()) expect(gate.checkTrade(trade(200 + index, price), 0).ok).toBe(false);
    expect(gate.checkTrade(trade(300, 100), 0).ok).toBe(true); // interrupts the run of four
    for (const [index, price] of [115, 115, 115, 115].entries()) expect(gate.checkTrade(trade(400 + index, price), 0).ok).toBe(false);
    expect(gate.checkTrade(trade(500, 115), 0)).toMatchObject({ ok: true, rebaseline: { count: 5 } });
  });

  it("honours a configured count and band", () => {
    const gate = new QualityGate(BTC, { rebaselineCount: 2, rebaselineBand: 0.001 });
    gate.checkTrade(trade(1, 100), 0);
    expect(gate.checkTrade(trade(2, 120), 0).ok).toBe(false);
    expect(gate.checkTrade(trade(3, 121), 0).ok).toBe(false); // 0.83% apart > 0.1%: the run restarts at 121
    expect(gate.checkTrade(trade(4, 121.05), 0)).toEqual({ ok: true, rebaseline: { from: 100, to: 121.05, count: 2 } });
  });
});
