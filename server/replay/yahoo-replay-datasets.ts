/**
 * The data the fake Yahoo server ships with (fixtures/SOURCES.md lists each file's origin):
 * - THYAO.IS: synthesized on BIST sessions (config/holidays/bist.yaml) from the Binance BTC/USDT 1m recording,
 *   rescaled to THYAO.IS's recorded regularMarketPrice (quoteSummary-price-THYAO.IS.json, 313 TRY), with its
 *   recorded meta facts (TRY, IST, priceHint 2); no recorded .IS chart exists anywhere.
 * - The recorded charts in fixtures/yahoo/chart (AAPL, BTC-USD, EURUSD=X, WSU.DE), served as recorded.
 * Add a symbol: a recorded chart file in fixtures/yahoo/chart (+ SOURCES.md), or a synthesized series here.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { loadCalendarHolidays } from "../config/holidays-config.ts";
import { createExchangeCalendar } from "../domain/calendars/exchange-calendar.ts";
import { RecordedSeries, SyntheticSessionSeries, type FakeChartSeries } from "./fake-yahoo-series.ts";
import { ReplayDataset } from "./replay-dataset.ts";
import { REPLAY_FILES } from "./replay-datasets.ts";

export const YAHOO_RECORDED_CHARTS = [
  "fixtures/yahoo/chart/chart-AAPL-2020-08-31-to-2020-11-07.json",
  "fixtures/yahoo/chart/chart-BTC-USD-2020-01-01-to-2020-01-03.json",
  "fixtures/yahoo/chart/chart-EURUSD=X-2020-01-01-to-2020-01-03.json",
  "fixtures/yahoo/chart/chart-WSU.DE-2023-08-04-to-2023-08-09.json",
];
const THYAO_PRICE_FILE = "fixtures/yahoo/quoteSummary/quoteSummary-price-THYAO.IS.json";

export interface YahooReplayOptions {
  /** Minutes the synthesized BIST data lags (default 15, as Yahoo's). */
  delayMinutes?: number;
  /** Every Nth minute is a null row (default 37; 0 = none). */
  nullEvery?: number;
}

function readBodyJson(file: string): unknown {
  return (JSON.parse(readFileSync(file, "utf8")) as { response: { bodyJson: unknown } }).response.bodyJson;
}

/** Every series the fake Yahoo server serves, loaded from the project's fixtures and holiday files. */
export async function loadYahooReplaySeries(projectRoot: string, options: YahooReplayOptions = {}): Promise<FakeChartSeries[]> {
  const calendar = createExchangeCalendar("BIST", await loadCalendarHolidays("BIST", path.join(projectRoot, "config/holidays")));
  const priceBody = readBodyJson(path.join(projectRoot, THYAO_PRICE_FILE)) as { quoteSummary: { result: { price: Record<string, unknown> }[] } };
  const price = priceBody.quoteSummary.result[0]!.price;
  const thyao = new SyntheticSessionSeries({
    ticker: "THYAO.IS",
    calendar,
    dataset: ReplayDataset.fromFile("THYAO.IS", path.join(projectRoot, REPLAY_FILES.BTCUSDT!)),
    price: {
      regularMarketPrice: Number(price.regularMarketPrice),
      currency: String(price.currency),
      exchange: String(price.exchange),
      exchangeName: String(price.exchangeName),
      priceHint: Number(price.priceHint),
      longName: String(price.longName),
      shortName: String(price.shortName),
    },
    delayMinutes: options.delayMinutes,
    nullEvery: options.nullEvery,
  });
  const recorded = YAHOO_RECORDED_CHARTS.map((file) => {
    const body = readBodyJson(path.join(projectRoot, file)) as { chart: { result: ConstructorParameters<typeof RecordedSeries>[0][] } };
    return new RecordedSeries(body.chart.result[0]!);
  });
  return [thyao, ...recorded];
}
