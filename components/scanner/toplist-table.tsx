"use client";
/**
 * One scanner toplist as a sortable table (rank, symbol, value; click a header to sort, again to flip).
 * A row click (or Enter on a focused row) opens the symbol's chart. Rows: `data-testid="scanner-row"`.
 */
import { useRouter } from "next/navigation";
import { useState } from "react";
import { DEFAULT_SORT, chartHref, nextSort, rowsOf, sortRows, type SortKey, type SortState, type ToplistInfo } from "./toplist-table-model.ts";

const COLUMNS: ReadonlyArray<{ key: SortKey; label: (info: ToplistInfo) => string }> = [
  { key: "rank", label: () => "#" },
  { key: "symbol", label: () => "Symbol" },
  { key: "value", label: (info) => info.valueLabel },
];

export function ToplistTable({ info, entries }: { info: ToplistInfo; entries: ReadonlyArray<readonly [string, number]> | undefined }) {
  const router = useRouter();
  const [sort, setSort] = useState<SortState>(DEFAULT_SORT);
  const rows = sortRows(rowsOf(entries ?? []), sort);
  const open = (symbol: string) => router.push(chartHref(symbol));

  return (
    <section className="panel toplist" data-testid="toplist" data-list={info.name} aria-label={info.title}>
      <h2>{info.title}</h2>
      {rows.length === 0 ? (
        <p className="muted">{entries === undefined ? "Waiting for the scanner…" : "No symbols qualify right now."}</p>
      ) : (
        <table className="data-table scanner-table">
          <thead>
            <tr>
              {COLUMNS.map((column) => (
                <th key={column.key} aria-sort={sort.key === column.key ? (sort.descending ? "descending" : "ascending") : "none"}>
                  <button type="button" className="sort-button" onClick={() => setSort(nextSort(sort, column.key))}>
                    {column.label(info)}
                    {sort.key === column.key ? (sort.descending ? " ▼" : " ▲") : ""}
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr
                key={row.symbol}
                className="clickable-row"
                data-testid="scanner-row"
                data-symbol={row.symbol}
                tabIndex={0}
                onClick={() => open(row.symbol)}
                onKeyDown={(event) => {
                  if (event.key === "Enter") open(row.symbol);
                }}
              >
                <td className="muted">{row.rank}</td>
                <td>{row.symbol}</td>
                <td className={`num ${info.valueLabel === "Change" || info.valueLabel === "From VWAP" ? (row.value >= 0 ? "up" : "down") : ""}`}>{info.format(row.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
