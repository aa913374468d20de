"use client";
/**
 * Alerts on the chart (signed-in users only): a dashed line for each of the user's active price alerts on
 * this symbol; "Add alert" puts a draggable line at the last price, drag it, then "Create alert" makes a
 * price alert (above the last price → "price above", below → "price below", evaluated on every tick);
 * dragging an existing alert's line asks to save it at the new level. Lines: alert-price-lines.ts.
 * Test hook: `[data-testid="chart-alerts"]` with data-lines (lines drawn), data-draft-price, data-draft-y.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import type { Timeframe } from "../../server/domain/time/timeframes.ts";
import { priceAlertFromLine, priceLevelOf, roundPrice, withPriceLevel } from "../alerts/alert-presets.ts";
import { toAlertView, type AlertView } from "../alerts/alert-view.ts";
import { BellIcon } from "../notifications/bell-icon.tsx";
import { useTRPC } from "../trpc.ts";
import type { AlertLineSpec, AlertPriceLines } from "./alert-price-lines.ts";
import { formatPrice } from "./chart-mapping.ts";

interface ChartAlertsProps {
  symbol: string;
  timeframe: Timeframe;
  lastClose: number | undefined;
  lines: AlertPriceLines | null;
}

type Pending = { kind: "draft"; price: number } | { kind: "move"; alert: AlertView; price: number };

export function ChartAlerts({ symbol, timeframe, lastClose, lines }: ChartAlertsProps) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.alerts.list.queryOptions(undefined, { refetchInterval: 30_000 }));
  const [pending, setPending] = useState<Pending | null>(null);
  const [error, setError] = useState<string | null>(null);
  const hook = useRef<HTMLDivElement>(null);
  const done = async () => {
    setPending(null);
    await queryClient.invalidateQueries({ queryKey: trpc.alerts.list.queryKey() });
  };
  const fail = (failure: { message: string }) => setError(failure.message);
  const create = useMutation(trpc.alerts.create.mutationOptions({ onSuccess: done, onError: fail }));
  const update = useMutation(trpc.alerts.update.mutationOptions({ onSuccess: done, onError: fail }));

  const priceAlerts = (list.data ?? [])
    .map(toAlertView)
    .filter((alert) => alert.symbol === symbol && alert.status === "active" && priceLevelOf(alert.rule) !== undefined);

  // Switching symbol drops an unconfirmed line.
  useEffect(() => setPending(null), [symbol]);

  useEffect(() => {
    if (!lines) return;
    const specs: AlertLineSpec[] = priceAlerts.map((alert) => {
      const moved = pending?.kind === "move" && pending.alert.id === alert.id;
      return {
        id: alert.id,
        price: moved ? pending.price : (priceLevelOf(alert.rule) as number),
        title: moved ? "move alert" : alert.name,
        draggable: true,
        kind: moved ? "moved" : "alert",
      };
    });
    if (pending?.kind === "draft") specs.push({ id: "draft", price: pending.price, title: "new alert", draggable: true, kind: "draft" });
    lines.setLines(specs);
    lines.onDragMove = (id, price) => hookDraft(id === "draft" ? lines.yOf("draft") : null, price);
    lines.onDragEnd = (id, price) => {
      const rounded = roundPrice(price);
      if (id === "draft") return setPending({ kind: "draft", price: rounded });
      const alert = priceAlerts.find((candidate) => candidate.id === id);
      if (alert) setPending({ kind: "move", alert, price: rounded });
    };
    if (hook.current) hook.current.dataset.lines = String(lines.count);
  });

  // Keep the draft's pixel position current for tests and screen readers (the scale moves with new bars).
  useEffect(() => {
    if (!lines || pending?.kind !== "draft") return hookDraft(null, null);
    hookDraft(lines.yOf("draft"), pending.price);
    const timer = setInterval(() => hookDraft(lines.yOf("draft"), pending.price), 250);
    return () => clearInterval(timer);
  }, [lines, pending]);

  function hookDraft(y: number | null, price: number | null): void {
    const element = hook.current;
    if (!element) return;
    element.dataset.draftY = y === null ? "" : String(Math.round(y));
    if (price !== null || y === null) element.dataset.draftPrice = price === null ? "" : String(roundPrice(price));
  }

  function confirm(): void {
    if (!pending) return;
    setError(null);
    if (pending.kind === "draft") {
      const rule = priceAlertFromLine(pending.price, lastClose ?? pending.price, { timeframe });
      create.mutate({ rule: rule as unknown as Record<string, unknown>, symbol, evaluateOn: "tick" });
    } else {
      update.mutate({ id: pending.alert.id, rule: withPriceLevel(pending.alert.rule, pending.price) as unknown as Record<string, unknown> });
    }
  }

  const busy = create.isPending || update.isPending;
  return (
    <div ref={hook} className="chart-alerts" data-testid="chart-alerts" data-lines="0" data-draft-price="" data-draft-y="">
      {pending === null ? (
        <button
          type="button"
          className="secondary-button chart-alert-button"
          disabled={lastClose === undefined}
          title="Put an alert line at the last price; drag it to the level you want"
          onClick={() => lastClose !== undefined && setPending({ kind: "draft", price: roundPrice(lastClose) })}
        >
          <BellIcon size={13} /> Add alert
        </button>
      ) : (
        <div className="chart-alert-confirm" role="group" aria-label="Confirm alert">
          <span>
            {pending.kind === "draft"
              ? `Alert when ${symbol} goes ${pending.price >= (lastClose ?? pending.price) ? "above" : "below"} ${formatPrice(pending.price)} (drag the line)`
              : `Move “${pending.alert.name}” to ${formatPrice(pending.price)}?`}
          </span>
          <button type="button" className="primary-button" disabled={busy} onClick={confirm}>
            {pending.kind === "draft" ? "Create alert" : "Save"}
          </button>
          <button type="button" className="link-button" onClick={() => setPending(null)}>
            Cancel
          </button>
        </div>
      )}
      {error ? (
        <p className="form-error chart-alert-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
