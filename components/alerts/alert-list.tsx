"use client";
/**
 * The user's alerts: condition, symbol, timeframe, status; pause/resume, edit, delete (asks first).
 * Rows carry `data-testid="alert-row"` and `data-status` for the e2e test.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { chartHref } from "../scanner/toplist-table-model.ts";
import { useTRPC } from "../trpc.ts";
import { describeRule, type AlertView } from "./alert-view.ts";

export function AlertList({ alerts, onEdit }: { alerts: readonly AlertView[]; onEdit: (alert: AlertView) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.alerts.list.queryKey() });
  const setStatus = useMutation(trpc.alerts.setStatus.mutationOptions({ onSuccess: refresh, onError: (failure) => setError(failure.message) }));
  const remove = useMutation(trpc.alerts.delete.mutationOptions({ onSuccess: refresh, onError: (failure) => setError(failure.message) }));

  if (alerts.length === 0) {
    return (
      <p className="muted" data-testid="no-alerts">
        No alerts yet. Create one here or from a chart (“Add alert”).
      </p>
    );
  }
  return (
    <>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <table className="data-table" data-testid="alerts-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Condition</th>
            <th>Symbol</th>
            <th>TF</th>
            <th>On</th>
            <th>Status</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {alerts.map((alert) => (
            <tr key={alert.id} data-testid="alert-row" data-alert-id={alert.id} data-status={alert.status}>
              <td>{alert.name}</td>
              <td>
                <code>{describeRule(alert.rule)}</code>
                {alert.rule.cooldownBars ? <span className="muted"> · cooldown {alert.rule.cooldownBars}</span> : null}
                {alert.rule.oneTime ? <span className="muted"> · one-time</span> : null}
              </td>
              <td>{alert.symbol ? <a href={chartHref(alert.symbol)}>{alert.symbol}</a> : <span className="muted">watchlist</span>}</td>
              <td>{alert.timeframe}</td>
              <td>{alert.evaluateOn === "tick" ? "tick" : "close"}</td>
              <td>
                <span className={`status-pill status-${alert.status}`}>{alert.status}</span>
              </td>
              <td>
                <div className="row-actions">
                  {confirming === alert.id ? (
                    <>
                      <span>Delete?</span>
                      <button type="button" className="link-button danger" onClick={() => remove.mutate({ id: alert.id })}>
                        Yes, delete
                      </button>
                      <button type="button" className="link-button" onClick={() => setConfirming(null)}>
                        No
                      </button>
                    </>
                  ) : (
                    <>
                      <button
                        type="button"
                        className="link-button"
                        onClick={() => setStatus.mutate({ id: alert.id, status: alert.status === "active" ? "paused" : "active" })}
                      >
                        {alert.status === "active" ? "Pause" : "Resume"}
                      </button>
                      <button type="button" className="link-button" onClick={() => onEdit(alert)}>
                        Edit
                      </button>
                      <button type="button" className="link-button danger" onClick={() => setConfirming(alert.id)}>
                        Delete
                      </button>
                    </>
                  )}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
