/**
 * The synthesized AAPL replay data: only NYSE regular-session minutes (none on a Saturday, in pre-market or after
 * the close, across the 2026 November DST switch), prices at AAPL's level (the recording's first open ↦ 169, the
 * documented AAPL close), the recorded path's shape kept (ratios), dollar volume kept, stable for a given minute.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadAlpacaReplayDatasets, referenceClose, AAPL_REFERENCE_FILE } from "./alpaca-replay-datasets.ts";
import { ReplayDataset } from "./replay-dataset.ts";
import { REPLAY_FILES } from "./replay-datasets.ts";

const root = path.resolve(import.meta.dirname, "..", "..");
const utc = (iso: string) => Date.parse(iso);

describe("AAPL replay dataset", () => {
  it("has bars only in NYSE regular sessions", async () => {
    const [aapl] = await loadAlpacaReplayDatasets(root);
    expect(aapl!.ticker).toBe("AAPL");
    expect(aapl!.klineAt(utc("2026-11-20T14:29:00Z"))).toBeNull(); // Friday 09:29 EST, pre-market
    expect(aapl!.klineAt(utc("2026-11-20T14:30:00Z"))).not.toBeNull(); // 09:30 EST
    expect(aapl!.klineAt(utc("2026-11-20T20:59:00Z"))).not.toBeNull();
    expect(aapl!.klineAt(utc("2026-11-20T21:00:00Z"))).toBeNull(); // 16:00 EST
    expect(aapl!.klineAt(utc("2026-11-21T15:00:00Z"))).toBeNull(); // Saturday
    expect(aapl!.klineAt(utc("2026-10-30T13:30:00Z"))).not.toBeNull(); // 09:30 EDT, before the switch
    expect(aapl!.klineAt(utc("2026-11-26T15:00:00Z"))).toBeNull(); // Thanksgiving
  });

  it("rescales the recorded path to AAPL's price level and keeps its shape and dollar volume", async () => {
    const [aapl] = await loadAlpacaReplayDatasets(root);
    const btc = ReplayDataset.fromFile("BTC", path.join(root, REPLAY_FILES.BTCUSDT!));
    const reference = referenceClose(path.join(root, AAPL_REFERENCE_FILE));
    expect(reference).toBe(169);
    const first = btc.klineAt(btc.firstRecorded)!;
    const minute = utc("2026-11-20T15:07:00Z");
    const recorded = btc.klineAt(minute)!;
    const bar = aapl!.klineAt(minute)!;
    expect(bar.close).toBeCloseTo((recorded.close * 169) / first.open, 2);
    expect(bar.close).toBeGreaterThan(100);
    expect(bar.close).toBeLessThan(300);
    expect(bar.high).toBeGreaterThanOrEqual(Math.max(bar.open, bar.close));
    expect(bar.low).toBeLessThanOrEqual(Math.min(bar.open, bar.close));
    expect(Number.isInteger(bar.volume)).toBe(true);
    expect(bar.volume * bar.close).toBeCloseTo(recorded.volume * recorded.close, -3); // dollar volume within ~$1,000
    expect(aapl!.klineAt(minute)).toEqual(bar);
  });
});
