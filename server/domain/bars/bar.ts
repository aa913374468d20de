/**
 * Domain types for trades and OHLCV bars. Pure; every other layer maps its rows to these.
 */
import type { Timeframe } from "../time/timeframes.ts";

/** `EXCHANGE:TICKER`, upper case, as TradingView writes it: `BINANCE:BTCUSDT`. */
export type SymbolId = string;

/** One executed trade, normalized from any exchange. Times are UTC epoch ms. */
export interface Trade {
  symbol: SymbolId;
  /** Exchange trade id (Binance `t`, or `a` for aggTrade); unique and increasing per symbol. */
  id: number;
  price: number;
  quantity: number;
  /** Trade time (Binance `T`): the time bars are bucketed by. */
  time: number;
  /** true when the buyer was the maker, i.e. the taker sold. */
  buyerIsMaker: boolean;
  /** Exchange trades this record stands for: 1 for a trade, `l - f + 1` for a Binance aggTrade. */
  count: number;
}

/** Where a stored bar's values came from. */
export type BarSource = "trades" | "kline" | "rest";

/** One OHLCV bar keyed by (symbol, timeframe, openTime). */
export interface Bar {
  symbol: SymbolId;
  timeframe: Timeframe;
  /** UTC epoch ms of the bar's first millisecond. */
  openTime: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Base-asset volume. */
  volume: number;
  /** Number of trades in the bar (0 for an empty minute). */
  trades: number;
  source: BarSource;
}
