import { describe, expect, it } from "vitest";
import { RollingWindow } from "./rolling-window.ts";
import { btcMinutes } from "./quality-test-helpers.ts";

function naive(values: number[]): { mean: number; sd: number } {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  return { mean, sd: Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length) };
}

describe("RollingWindow", () => {
  it("keeps the last N values: mean and population σ", () => {
    const window = new RollingWindow(3);
    for (const value of [1, 2, 3, 4]) window.push(value);
    expect(window.toArray()).toEqual([2, 3, 4]);
    expect(window.mean()).toBe(3);
    // sqrt(((2-3)² + (3-3)² + (4-3)²) / 3) = sqrt(2/3) = 0.816496...
    expect(window.stdDev()).toBeCloseTo(Math.sqrt(2 / 3), 12);
    window.clear();
    expect(window.count).toBe(0);
    expect(window.mean()).toBeNaN();
  });

  it("matches a naive recomputation on every BTCUSDT close (4,320 updates, window 100)", () => {
    const closes = btcMinutes().map((bar) => bar.close);
    const window = new RollingWindow(100);
    let worst = 0;
    closes.forEach((close, index) => {
      window.push(close);
      const expected = naive(closes.slice(Math.max(0, index - 99), index + 1));
      expect(window.mean()).toBeCloseTo(expected.mean, 6);
      worst = Math.max(worst, Math.abs(window.stdDev() - expected.sd));
    });
    expect(worst).toBeLessThan(1e-6); // σ is tens of dollars; running sums stay exact to < 1e-6
  });

  it("does not drift over a million updates around a large level", () => {
    const window = new RollingWindow(100);
    for (let index = 0; index < 1_000_000; index++) window.push(1e6 + (index % 7) * 0.001);
    const expected = naive(window.toArray());
    expect(window.stdDev()).toBeCloseTo(expected.sd, 9);
    expect(window.mean()).toBeCloseTo(expected.mean, 9);
  });

  it("rejects a bad capacity", () => {
    expect(() => new RollingWindow(0)).toThrow(RangeError);
  });
});
