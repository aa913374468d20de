/**
 * Partial selection of the best K slots of a column: a bounded binary heap (O(n log K)), never a full sort
 * of the universe. NaN values and inactive slots are left out; with a `pivot`, so are values not strictly on
 * the list's side of it (gainers keep only changes > 0, losers only changes < 0). Equal values are ordered by
 * symbol name (`order`, ascending). Pure; allocates nothing (the caller passes the output buffers).
 */

/** Which end of the column a toplist takes: the largest values (`top`) or the smallest (`bottom`). */
export type ToplistDirection = "top" | "bottom";

export interface SelectionInput {
  values: Float64Array;
  active: Uint8Array;
  /** Symbol rank by name: the tie-breaker. */
  order: Int32Array;
  /** Slots 0 … size − 1 are considered. */
  size: number;
}

/**
 * Writes the best `k` slots (best first) to `outSlots` / `outValues` (both of length ≥ k) and returns how many.
 * `pivot` (optional): only values strictly above it (`top`) or strictly below it (`bottom`) are candidates,
 * so a list never shows a value from the other side (a "loser" that went up); fewer than K may remain.
 * @example
 * // values [3, NaN, 5, 3] (symbols A B C D), k = 2, "top" → slots [2, 0] (C 5, then A 3 before D 3 by name)
 * // values [2, −1, 0] (A B C), k = 3, "bottom", pivot 0 → slots [1] (only B is below 0)
 */
export function selectToplist(
  input: SelectionInput,
  direction: ToplistDirection,
  k: number,
  outSlots: Int32Array,
  outValues: Float64Array,
  pivot?: number,
): number {
  const { values, active, order, size } = input;
  const sign = direction === "top" ? 1 : -1;
  const hasPivot = pivot !== undefined;
  const edge = pivot ?? 0;
  // `worse(a, b)`: a ranks after b. The heap keeps the worst of the kept slots at its root.
  const worse = (a: number, b: number): boolean => {
    const difference = sign * ((values[a] as number) - (values[b] as number));
    return difference < 0 || (difference === 0 && (order[a] as number) > (order[b] as number));
  };
  const heap = outSlots;
  let count = 0;
  if (k <= 0) return 0;
  for (let slot = 0; slot < size; slot++) {
    const value = values[slot] as number;
    if (active[slot] !== 1 || Number.isNaN(value)) continue;
    if (hasPivot && !(sign * (value - edge) > 0)) continue; // on the pivot or the other side of it
    if (count < k) {
      // sift up
      let at = count++;
      heap[at] = slot;
      while (at > 0) {
        const parent = (at - 1) >> 1;
        if (!worse(heap[at] as number, heap[parent] as number)) break;
        const swap = heap[parent] as number;
        heap[parent] = heap[at] as number;
        heap[at] = swap;
        at = parent;
      }
    } else if (worse(heap[0] as number, slot)) {
      heap[0] = slot;
      siftDown(heap, count, worse);
    }
  }
  // Heap sort in place: repeatedly move the worst to the end → best first.
  for (let end = count - 1; end > 0; end--) {
    const swap = heap[0] as number;
    heap[0] = heap[end] as number;
    heap[end] = swap;
    siftDown(heap, end, worse);
  }
  for (let index = 0; index < count; index++) outValues[index] = values[heap[index] as number] as number;
  return count;
}

function siftDown(heap: Int32Array, count: number, worse: (a: number, b: number) => boolean): void {
  let at = 0;
  for (;;) {
    const left = 2 * at + 1;
    if (left >= count) return;
    const right = left + 1;
    let worst = left;
    if (right < count && worse(heap[right] as number, heap[left] as number)) worst = right;
    if (!worse(heap[worst] as number, heap[at] as number)) return;
    const swap = heap[at] as number;
    heap[at] = heap[worst] as number;
    heap[worst] = swap;
    at = worst;
  }
}
