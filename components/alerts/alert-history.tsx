"use client";
/**
 * Alert history: every firing (newest first; click a column to sort by it), paginated, filtered by alert, symbol
 * and bar date range (`alerts.history`). Each row shows the bar it fired on and the values the rule read on that bar.
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { chartHref } from "../scanner/toplist-table-model.ts";
import { useTRPC } from "../trpc.ts";
import type { AlertView } from "./alert-view.ts";
import { Pager } from "../layout/pager.tsx";

const PAGE_SIZE = 25;

type SortKey = "firedAt" | "barOpenTime" | "symbol" | "alert";
interface Sort {
  key: SortKey;
  order: "desc" | "asc";
}

const COLUMNS: readonly { key: SortKey; label: string }[] = [
  { key: "firedAt", label: "Fired (UTC)" },
  { key: "alert", label: "Alert" },
  { key: "symbol", label: "Symbol" },
  { key: "barOpenTime", label: "Bar (UTC)" },
];

/** Times start newest first, names A→Z; a second click on the same column reverses it. */
function nextSort(current: Sort, key: SortKey): Sort {
  if (current.key === key) return { key, order: current.order === "desc" ? "asc" : "desc" };
  return { key, order: key === "symbol" || key === "alert" ? "asc" : "desc" };
}

function utc(ms: number | string | Date): string {
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}

/** `2026-11-21` (a date input) → epoch ms at 00:00 UTC; the end date is exclusive of the next day. */
function dayStart(value: string, plusDays = 0): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(`${value}T00:00:00Z`);
  return Number.isFinite(ms) ? ms + plusDays * 86_400_000 : undefined;
}

export function AlertHistory({ alerts }: { alerts: readonly AlertView[] }) {
  const trpc = useTRPC();
  const [alertId, setAlertId] = useState("");
  const [symbol, setSymbol] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [page, setPage] = useState(1);
  const [sort, setSort] = useState<Sort>({ key: "firedAt", order: "desc" });
  const input = {
    page,
    sort: sort.key,
    order: sort.order,
    pageSize: PAGE_SIZE,
    ...(alertId ? { alertId } : {}),
    ...(symbol.trim() ? { symbol: symbol.trim().toUpperCase() } : {}),
    ...(dayStart(from) !== undefined ? { from: dayStart(from) } : {}),
    ...(dayStart(to, 1) !== undefined ? { to: dayStart(to, 1) } : {}),
  };
  const history = useQuery(trpc.alerts.history.queryOptions(input, { placeholderData: keepPreviousData, refetchInterval: 15_000 }));
  const total = history.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const filter = <T,>(setter: (value: T) => void) => (value: T) => {
    setter(value);
    setPage(1);
  };

  return (
    <section className="panel" aria-label="Alert history">
      <h2>History</h2>
      <div className="filters">
        <label>
          Alert
          <select value={alertId} onChange={(event) => filter(setAlertId)(event.target.value)}>
            <option value="">all alerts</option>
            {alerts.map((alert) => (
              <option key={alert.id} value={alert.id}>
                {alert.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Symbol
          <input value={symbol} placeholder="BINANCE:BTCUSDT" onChange={(event) => filter(setSymbol)(event.target.value)} />
        </label>
        <label>
          From
          <input type="date" value={from} onChange={(event) => filter(setFrom)(event.target.value)} />
        </label>
        <label>
          To
          <input type="date" value={to} onChange={(event) => filter(setTo)(event.target.value)} />
        </label>
      </div>
      {history.error ? (
        <p className="form-error" role="alert">
          {history.error.message}
        </p>
      ) : null}
      {history.data && history.data.items.length === 0 ? (
        <p className="muted" data-testid="no-firings">
          No firings{alertId || symbol || from || to ? " match these filters" : " yet"}.
        </p>
      ) : null}
      {history.data && history.data.items.length > 0 ? (
        <table className="data-table" data-testid="history-table">
          <thead>
            <tr>
              {COLUMNS.map((column) => (
                <th key={column.key} aria-sort={sort.key === column.key ? (sort.order === "desc" ? "descending" : "ascending") : "none"}>
                  <button type="button" className="sort-button" onClick={() => filter(setSort)(nextSort(sort, column.key))}>
                    {column.label}
                    {sort.key === column.key ? (sort.order === "desc" ? " ↓" : " ↑") : ""}
                  </button>
                </th>
              ))}
              <th>Values</th>
            </tr>
          </thead>
          <tbody>
            {history.data.items.map((firing) => (
              <tr key={firing.id} data-testid="history-row">
                <td>{utc(firing.firedAt)}</td>
                <td>{firing.alertName}</td>
                <td>
                  <a href={chartHref(firing.symbol)}>{firing.symbol}</a>
                </td>
                <td>
                  {utc(firing.barOpenTime)} {firing.timeframe}
                  {firing.evaluateOn === "tick" ? <span className="muted"> (tick)</span> : null}
                </td>
                <td className="values-cell">
                  {Object.entries(firing.values)
                    .map(([metric, value]) => `${metric} ${value === null ? "–" : Number(value.toPrecision(6))}`)
                    .join(", ")}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <Pager page={page} pages={pages} total={`${total} firing${total === 1 ? "" : "s"}`} onPage={setPage} />
    </section>
  );
}
