import { describe, expect, it } from "vitest";
import { TOPLISTS } from "../../server/domain/scanner/scan-cycle.ts";
import { DEFAULT_SORT, TOPLIST_INFO, chartHref, nextSort, rowsOf, sortRows } from "./toplist-table-model.ts";

const rows = rowsOf([
  ["BINANCE:ETHUSDT", 3.5],
  ["ALPACA:AAPL", 2.25],
  ["BINANCE:BTCUSDT", 2.25],
  ["YAHOO:^GSPC", -1],
]);

describe("toplist table model", () => {
  it("has a title for every toplist the scanner publishes, in its order", () => {
    expect(TOPLIST_INFO.map((info) => info.name)).toEqual(TOPLISTS.map((list) => list.name));
  });

  it("formats changes with a sign, two decimals, and enough digits that a tiny gainer never reads +0.00%", () => {
    const format = TOPLIST_INFO.find((info) => info.name === "gainers-1m")!.format;
    expect(format(1.234)).toBe("+1.23%");
    expect(format(-0.5)).toBe("-0.50%");
    expect(format(0.0031)).toBe("+0.0031%");
    expect(format(-0.0004)).toBe("-0.00040%"); // two significant digits
    expect(format(0)).toBe("0.00%");
  });

  it("ranks the wire entries best first", () => {
    expect(rows.map((row) => row.rank)).toEqual([1, 2, 3, 4]);
    expect(sortRows(rows, DEFAULT_SORT).map((row) => row.symbol)).toEqual(rows.map((row) => row.symbol));
  });

  it("sorts by value both ways, ties in rank order", () => {
    expect(sortRows(rows, { key: "value", descending: false }).map((row) => row.rank)).toEqual([4, 2, 3, 1]);
    expect(sortRows(rows, { key: "value", descending: true }).map((row) => row.rank)).toEqual([1, 2, 3, 4]);
  });

  it("sorts by symbol and by rank reversed", () => {
    expect(sortRows(rows, { key: "symbol", descending: false }).map((row) => row.symbol)).toEqual([
      "ALPACA:AAPL",
      "BINANCE:BTCUSDT",
      "BINANCE:ETHUSDT",
      "YAHOO:^GSPC",
    ]);
    expect(sortRows(rows, { key: "rank", descending: true }).map((row) => row.rank)).toEqual([4, 3, 2, 1]);
  });

  it("header clicks flip the same column and start a new one in its natural direction", () => {
    expect(nextSort(DEFAULT_SORT, "rank")).toEqual({ key: "rank", descending: true });
    expect(nextSort(DEFAULT_SORT, "value")).toEqual({ key: "value", descending: true });
    expect(nextSort({ key: "value", descending: true }, "symbol")).toEqual({ key: "symbol", descending: false });
  });

  it("links a row to its chart", () => {
    expect(chartHref("BINANCE:BTCUSDT")).toBe("/chart/BINANCE:BTCUSDT");
    expect(chartHref("YAHOO:^GSPC")).toBe("/chart/YAHOO:%5EGSPC");
  });
});
