/**
 * What the fake Alpaca server of the replay exchange serves (workers/replay-exchange.ts, REPLAY_ALPACA_PORT):
 * AAPL synthesized on NYSE sessions (config/holidays/nyse.yaml) from the Binance BTC/USDT 1m recording, rescaled
 * to a recorded AAPL price (the close of the documented AAPL bar, fixtures/alpaca/rest/documented). The replay
 * keys are fixed and not secret: scripts/lib/stack.mjs sets the same ALPACA_KEY_ID / ALPACA_SECRET_KEY.
 * Add a stock: another StockReplayDataset here (and its line in fixtures/SOURCES.md).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { loadCalendarHolidays } from "../config/holidays-config.ts";
import { createExchangeCalendar } from "../domain/calendars/exchange-calendar.ts";
import type { MinuteDataset } from "./fake-alpaca-server.ts";
import { ReplayDataset } from "./replay-dataset.ts";
import { REPLAY_FILES } from "./replay-datasets.ts";
import { StockReplayDataset } from "./stock-replay-dataset.ts";

/** The keys the replay Alpaca server accepts (replay only; scripts/lib/stack.mjs passes them to the collector). */
export const ALPACA_REPLAY_KEYS = { keyId: "REPLAYKEY", secretKey: "replay-secret" } as const;
export const AAPL_REFERENCE_FILE = "fixtures/alpaca/rest/documented/v2-stocks-AAPL-bars-response.json";

/** The close of the first bar in an Alpaca bars response file. */
export function referenceClose(file: string): number {
  const body = JSON.parse(readFileSync(file, "utf8")) as { bars?: { c?: unknown }[] };
  const close = body.bars?.[0]?.c;
  if (typeof close !== "number" || !(close > 0)) throw new Error(`${file}: expected bars[0].c, a positive number`);
  return close;
}

export async function loadAlpacaReplayDatasets(projectRoot: string): Promise<MinuteDataset[]> {
  const calendar = createExchangeCalendar("NYSE", await loadCalendarHolidays("NYSE", path.join(projectRoot, "config/holidays")));
  const aapl = new StockReplayDataset({
    ticker: "AAPL",
    path: ReplayDataset.fromFile("AAPL", path.join(projectRoot, REPLAY_FILES.BTCUSDT!)),
    calendar,
    referencePrice: referenceClose(path.join(projectRoot, AAPL_REFERENCE_FILE)),
  });
  return [aapl];
}
