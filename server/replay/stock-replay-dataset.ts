/**
 * A stock's replay data synthesized from a recorded 1m path: the recorded BTC/USDT minute shown at a virtual
 * minute (ReplayDataset, epoch-aligned loop) rescaled to the stock's price level (× referencePrice / the
 * recording's first open), its volume rescaled to keep the dollar volume (× first open / referencePrice, rounded
 * to whole shares), and shown ONLY on the regular-session minutes of the stock's exchange calendar. Outside
 * sessions there is no bar (as Alpaca sends none without trades), so nights and weekends are empty and a weekend
 * shows the previous session. What is synthesized is listed in fixtures/SOURCES.md and server/replay/README.md.
 */
import { RegularSessionFilter } from "../domain/alpaca/regular-session.ts";
import type { ExchangeCalendar } from "../domain/calendars/calendar-types.ts";
import type { MinuteDataset } from "./fake-alpaca-server.ts";
import type { RecordedKline } from "./minute-path.ts";
import type { ReplayDataset } from "./replay-dataset.ts";

export interface StockReplayOptions {
  ticker: string;
  /** The recorded path (its prices are rescaled, never reshaped). */
  path: ReplayDataset;
  calendar: ExchangeCalendar;
  /** A recorded price of the stock: the level the path is rescaled to. */
  referencePrice: number;
  /** Price decimals (default 2, cents). */
  decimals?: number;
}

export class StockReplayDataset implements MinuteDataset {
  readonly ticker: string;
  readonly priceScale: number;
  readonly volumeScale: number;
  private readonly filter: RegularSessionFilter;

  constructor(private readonly options: StockReplayOptions) {
    const first = options.path.klineAt(options.path.firstRecorded);
    if (!first || !(options.referencePrice > 0)) throw new Error(`stock replay ${options.ticker}: needs a recorded first minute and a positive reference price`);
    this.ticker = options.ticker;
    this.priceScale = options.referencePrice / first.open;
    this.volumeScale = first.open / options.referencePrice;
    this.filter = new RegularSessionFilter(options.calendar);
  }

  /** The synthesized bar of a virtual minute; null outside regular sessions or in a recorded hole. */
  klineAt(minute: number): RecordedKline | null {
    let inSession: boolean;
    try {
      inSession = this.filter.containsMinute(minute);
    } catch {
      return null; // past the holiday data: no session known
    }
    if (!inSession) return null;
    const kline = this.options.path.klineAt(minute);
    if (!kline) return null;
    const factor = 10 ** (this.options.decimals ?? 2);
    const price = (value: number) => Math.round(value * this.priceScale * factor) / factor;
    return {
      openTime: minute,
      open: price(kline.open),
      high: price(kline.high),
      low: price(kline.low),
      close: price(kline.close),
      volume: Math.max(1, Math.round(kline.volume * this.volumeScale)),
    };
  }
}
