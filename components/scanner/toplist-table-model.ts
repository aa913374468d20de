/**
 * The scanner page's table model (pure): the toplists the scanner worker publishes
 * (server/domain/scanner/scan-cycle.ts TOPLISTS) with their titles and value formats, and the sorting of
 * a table's rows by rank, symbol or value. Add a toplist here after adding it to the scanner.
 */

export interface ToplistInfo {
  name: string;
  title: string;
  /** Header of the value column. */
  valueLabel: string;
  format: (value: number) => string;
}

/** Two decimals, more for a change smaller than 0.01% (a gainer must not read "+0.00%"). */
const percent = (value: number) => {
  const size = Math.abs(value);
  const digits = size >= 0.01 || size === 0 ? 2 : Math.min(8, 1 - Math.floor(Math.log10(size)));
  return `${value > 0 ? "+" : ""}${value.toFixed(digits)}%`;
};
const plain = (value: number) => value.toFixed(1);
const multiple = (value: number) => `${value.toFixed(2)}×`;
const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 2 });
const money = (value: number) => compact.format(value);

export const TOPLIST_INFO: readonly ToplistInfo[] = [
  { name: "gainers-1m", title: "Gainers 1m", valueLabel: "Change", format: percent },
  { name: "losers-1m", title: "Losers 1m", valueLabel: "Change", format: percent },
  { name: "gainers-5m", title: "Gainers 5m", valueLabel: "Change", format: percent },
  { name: "losers-5m", title: "Losers 5m", valueLabel: "Change", format: percent },
  { name: "gainers-1d", title: "Gainers today", valueLabel: "Change", format: percent },
  { name: "losers-1d", title: "Losers today", valueLabel: "Change", format: percent },
  { name: "volume", title: "Volume leaders", valueLabel: "Turnover", format: money },
  { name: "relvolume", title: "Relative volume", valueLabel: "Rel. vol", format: multiple },
  { name: "rsi-high", title: "RSI highest", valueLabel: "RSI(14)", format: plain },
  { name: "rsi-low", title: "RSI lowest", valueLabel: "RSI(14)", format: plain },
  { name: "vwap-above", title: "Above VWAP", valueLabel: "From VWAP", format: percent },
  { name: "vwap-below", title: "Below VWAP", valueLabel: "From VWAP", format: percent },
];

export interface ToplistRow {
  /** 1 = best, as the scanner ranked it. */
  rank: number;
  symbol: string;
  value: number;
}

export type SortKey = "rank" | "symbol" | "value";
export interface SortState {
  key: SortKey;
  descending: boolean;
}

export const DEFAULT_SORT: SortState = { key: "rank", descending: false };

/** `[[symbol, value], …]` best first (the scanner's wire format) → rows with their rank. */
export function rowsOf(entries: ReadonlyArray<readonly [string, number]>): ToplistRow[] {
  return entries.map(([symbol, value], index) => ({ rank: index + 1, symbol, value }));
}

/** Rows sorted by one column; ties keep the scanner's rank. Returns a new array. */
export function sortRows(rows: readonly ToplistRow[], sort: SortState): ToplistRow[] {
  const sign = sort.descending ? -1 : 1;
  const compare = (a: ToplistRow, b: ToplistRow): number => {
    const primary = sort.key === "symbol" ? a.symbol.localeCompare(b.symbol) : sort.key === "value" ? a.value - b.value : a.rank - b.rank;
    return primary !== 0 ? sign * primary : a.rank - b.rank;
  };
  return [...rows].sort(compare);
}

/** Clicking a header: the same column flips direction, another column starts ascending (value: descending). */
export function nextSort(current: SortState, key: SortKey): SortState {
  if (current.key === key) return { key, descending: !current.descending };
  return { key, descending: key === "value" };
}

/** `/chart/BINANCE:BTCUSDT` for a row click. */
export function chartHref(symbol: string): string {
  return `/chart/${encodeURIComponent(symbol).replace("%3A", ":")}`;
}
