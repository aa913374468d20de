"use client";
/**
 * "Test against the last N bars": runs the rule through `alerts.test` over the symbol's stored bars and
 * lists the bars on which it would have fired (same evaluator as the live engine). Errors (unknown metric,
 * no bars) are shown inline.
 */
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { RuleDocument } from "../../server/domain/rules/rule-types.ts";
import { useTRPC } from "../trpc.ts";

const BAR_CHOICES = [100, 500, 1000, 5000] as const;

export function AlertBacktest({ rule, symbol }: { rule: RuleDocument; symbol: string }) {
  const trpc = useTRPC();
  const [lastN, setLastN] = useState<number>(500);
  const test = useQuery(trpc.alerts.test.queryOptions({ rule: rule as unknown as Record<string, unknown>, symbol, lastN }, { staleTime: 0 }));
  const firings = test.data?.firings ?? [];
  // Newest 50 shown; the summary counts them all.
  return (
    <section className="backtest" data-testid="alert-backtest" aria-label="Backtest">
      <div className="backtest-head">
        <b>Would have fired</b>
        <label>
          over the last{" "}
          <select value={lastN} onChange={(event) => setLastN(Number(event.target.value))} aria-label="Bars to test">
            {BAR_CHOICES.map((count) => (
              <option key={count} value={count}>
                {count}
              </option>
            ))}
          </select>{" "}
          {rule.timeframe} bars of {symbol}
        </label>
      </div>
      {test.isPending ? <p className="muted">Testing…</p> : null}
      {test.error ? (
        <p className="form-error" role="alert">
          {test.error.message}
        </p>
      ) : null}
      {test.data ? (
        <>
          <p className="muted" data-testid="backtest-summary" data-firings={firings.length}>
            {firings.length === 0 ? "No firings" : `${firings.length} firing${firings.length === 1 ? "" : "s"}`} in {test.data.bars} bars
            {test.data.from !== null && test.data.to !== null
              ? ` (${new Date(test.data.from).toISOString().slice(0, 16).replace("T", " ")} – ${new Date(test.data.to).toISOString().slice(0, 16).replace("T", " ")} UTC)`
              : ""}
            .
          </p>
          {firings.length > 0 ? (
            <ul className="backtest-list">
              {firings.slice(-50).map((firing, index) => (
                <li key={String(firing.openTime ?? index)} data-testid="backtest-firing">
                  {typeof firing.openTime === "number" ? `${new Date(firing.openTime).toISOString().slice(0, 16).replace("T", " ")} UTC` : "?"}
                  <span className="muted"> close {firing.close ?? "–"}</span>
                </li>
              ))}
            </ul>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
