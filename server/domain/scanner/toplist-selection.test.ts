import { describe, expect, it } from "vitest";
import { selectToplist } from "./toplist-selection.ts";

/** Symbols are named by slot; order = slot unless given. */
function input(values: number[], options: { active?: number[]; order?: number[] } = {}) {
  return {
    values: Float64Array.from(values),
    active: Uint8Array.from(options.active ?? values.map(() => 1)),
    order: Int32Array.from(options.order ?? values.map((_, index) => index)),
    size: values.length,
  };
}

function select(values: number[], direction: "top" | "bottom", k: number, options: { active?: number[]; order?: number[]; pivot?: number } = {}) {
  const slots = new Int32Array(k);
  const out = new Float64Array(k);
  const count = selectToplist(input(values, options), direction, k, slots, out, options.pivot);
  return { slots: [...slots.subarray(0, count)], values: [...out.subarray(0, count)] };
}

describe("selectToplist", () => {
  it("top 3 of [1, 5, 3, 9, 7] = slots 3, 4, 1 (9, 7, 5); bottom 2 = slots 0, 2 (1, 3)", () => {
    expect(select([1, 5, 3, 9, 7], "top", 3)).toEqual({ slots: [3, 4, 1], values: [9, 7, 5] });
    expect(select([1, 5, 3, 9, 7], "bottom", 2)).toEqual({ slots: [0, 2], values: [1, 3] });
  });

  it("breaks ties by symbol order in both directions", () => {
    // slot names by order: slot 2 ranks first (order 0), then slot 0, then slot 1
    const order = [1, 2, 0];
    expect(select([4, 4, 4], "top", 3, { order }).slots).toEqual([2, 0, 1]);
    expect(select([4, 4, 4], "bottom", 2, { order }).slots).toEqual([2, 0]);
    // a tie at the cut: K = 2 of [5, 3, 3] keeps the 3 whose symbol comes first (slot 2, order 0)
    expect(select([5, 3, 3], "top", 2, { order }).slots).toEqual([0, 2]);
  });

  it("leaves NaN values and inactive symbols out, and returns fewer than K when fewer remain", () => {
    expect(select([Number.NaN, 2, 8, 6], "top", 5, { active: [1, 1, 0, 1] })).toEqual({ slots: [3, 1], values: [6, 2] });
    expect(select([Number.NaN, Number.NaN], "bottom", 3)).toEqual({ slots: [], values: [] });
  });

  it("keeps infinities and negative values in order", () => {
    expect(select([-1, Number.POSITIVE_INFINITY, -5, 0], "bottom", 4).values).toEqual([-5, -1, 0, Number.POSITIVE_INFINITY]);
  });

  it("with a pivot keeps only values strictly beyond it: gainers > 0, losers < 0, zero and NaN in neither", () => {
    // three symbols, K = 5: without the pivot the bottom list would show the two that went up
    const changes = [2.5, -1.5, 0, Number.NaN, 4];
    expect(select(changes, "top", 5, { pivot: 0 })).toEqual({ slots: [4, 0], values: [4, 2.5] });
    expect(select(changes, "bottom", 5, { pivot: 0 })).toEqual({ slots: [1], values: [-1.5] });
    expect(select([1, 2, 3], "bottom", 3, { pivot: 0 })).toEqual({ slots: [], values: [] });
    // another pivot (RSI's 50), infinities count as beyond it
    expect(select([70, 50, 30, Number.POSITIVE_INFINITY], "top", 4, { pivot: 50 }).slots).toEqual([3, 0]);
    expect(select([70, 50, 30, Number.NEGATIVE_INFINITY], "bottom", 4, { pivot: 50 }).slots).toEqual([3, 2]);
  });

  it("equals a full sort on random data with many ties", () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 50; round++) {
      const n = 1 + Math.floor(random() * 300);
      const values = Array.from({ length: n }, () => (random() < 0.1 ? Number.NaN : Math.floor(random() * 20) - 10));
      const active = values.map(() => (random() < 0.9 ? 1 : 0));
      const order = values.map((_, index) => index).sort(() => random() - 0.5);
      const k = 1 + Math.floor(random() * 40);
      const pivot = round % 2 === 0 ? undefined : Math.floor(random() * 10) - 5;
      for (const direction of ["top", "bottom"] as const) {
        const sign = direction === "top" ? -1 : 1;
        const beyond = (value: number) => pivot === undefined || (direction === "top" ? value > pivot : value < pivot);
        const expected = values
          .map((value, slot) => ({ value, slot }))
          .filter(({ value, slot }) => !Number.isNaN(value) && active[slot] === 1 && beyond(value))
          .sort((a, b) => sign * (a.value - b.value) || (order[a.slot] as number) - (order[b.slot] as number))
          .slice(0, k)
          .map(({ slot }) => slot);
        expect(select(values, direction, k, { active, order, pivot }).slots).toEqual(expected);
      }
    }
  });
});
