/**
 * The recorded data the replay exchange ships with (see fixtures/SOURCES.md for each file's origin).
 * Add a symbol by adding its recorded 1m klines file here.
 */
import path from "node:path";
import { ReplayDataset } from "./replay-dataset.ts";

export const REPLAY_FILES: Readonly<Record<string, string>> = {
  // Binance BTC/USDT 1m, 2023-04-01 00:00 → 2023-04-03 23:59 UTC (4,320 contiguous recorded candles).
  BTCUSDT: "fixtures/binance/ohlcv/BTCUSDT-1m-20230401-20230403.json",
};

/** Loads every shipped dataset; `anchor` shifts which recorded minute is shown now (default: epoch-aligned). */
export function loadReplayDatasets(projectRoot: string, anchor = 0): ReplayDataset[] {
  return Object.entries(REPLAY_FILES).map(([ticker, file]) => ReplayDataset.fromFile(ticker, path.join(projectRoot, file), anchor));
}
