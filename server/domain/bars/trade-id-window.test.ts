import { describe, expect, it } from "vitest";
import { TradeIdWindow } from "./trade-id-window.ts";

describe("TradeIdWindow", () => {
  it("accepts increasing ids, rejects repeats, accepts each skipped id once", () => {
    const ids = new TradeIdWindow();
    expect([10, 11, 11, 15, 13, 13, 12, 14, 15, 9, 9].map((id) => ids.accept(id))).toEqual([
      true, true, false, true, true, false, true, true, false, true, false,
    ]);
    expect(ids.highest).toBe(15);
  });

  it("forgets the oldest skipped range beyond maxGaps (its ids then count as duplicates)", () => {
    const ids = new TradeIdWindow(2);
    for (const id of [1, 3, 5, 7]) ids.accept(id); // gaps (-inf..0), 2, 4, 6: only 4 and 6 are kept
    expect([2, 4, 6, 0].map((id) => ids.accept(id))).toEqual([false, true, true, false]);
  });

  it("stays bounded with sparse ids", () => {
    const ids = new TradeIdWindow(4);
    for (let id = 0; id < 10_000; id += 7) expect(ids.accept(id)).toBe(true);
    expect(ids.accept(9_993)).toBe(true); // inside the last gap 9_990..9_995 (ids 9_989, 9_996 seen)
    expect(ids.accept(7)).toBe(false); // long forgotten
  });
});
