"use client";
/**
 * The /alerts page's client side: the user's alerts (alert-list.tsx), the create/edit form
 * (alert-form.tsx) and the firing history (alert-history.tsx), all over tRPC `alerts.*`. An alert notification
 * arriving in-app (the toast) refreshes both at once, so the page never says "no firings" under a firing's toast.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useNotificationsStore } from "../realtime/use-notifications.ts";
import { useTRPC } from "../trpc.ts";
import { AlertForm } from "./alert-form.tsx";
import { AlertHistory } from "./alert-history.tsx";
import { AlertList } from "./alert-list.tsx";
import { toAlertView, type AlertView } from "./alert-view.ts";

type Editing = { kind: "none" } | { kind: "new" } | { kind: "edit"; alert: AlertView };

export function AlertsScreen({ defaultSymbol }: { defaultSymbol: string }) {
  const trpc = useTRPC();
  const list = useQuery(trpc.alerts.list.queryOptions(undefined, { refetchInterval: 30_000 }));
  const [editing, setEditing] = useState<Editing>({ kind: "none" });
  const alerts = (list.data ?? []).map(toAlertView);
  const queryClient = useQueryClient();
  // the newest alert notification (sourceRef "alert|{id}|firing|{barOpenTime}"): a firing just happened
  const newestFiring = useNotificationsStore((state) => state.bell.find((item) => item.sourceRef?.startsWith("alert|"))?.deliveryId ?? null);
  useEffect(() => {
    if (newestFiring === null) return;
    void queryClient.invalidateQueries({ queryKey: trpc.alerts.list.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.alerts.history.queryKey() });
  }, [newestFiring, queryClient, trpc]);

  return (
    <>
      <section className="panel" aria-label="Your alerts">
        <div className="panel-head">
          <h2>Your alerts</h2>
          {editing.kind === "none" ? (
            <button type="button" className="primary-button" onClick={() => setEditing({ kind: "new" })}>
              New alert
            </button>
          ) : null}
        </div>
        {list.error ? (
          <p className="form-error" role="alert">
            {list.error.message}
          </p>
        ) : null}
        {list.isPending ? <p className="muted">Loading alerts…</p> : <AlertList alerts={alerts} onEdit={(alert) => setEditing({ kind: "edit", alert })} />}
      </section>
      {editing.kind !== "none" ? (
        <AlertForm
          key={editing.kind === "edit" ? editing.alert.id : "new"}
          {...(editing.kind === "edit" ? { alert: editing.alert } : {})}
          defaultSymbol={defaultSymbol}
          onDone={() => setEditing({ kind: "none" })}
        />
      ) : null}
      <AlertHistory alerts={alerts} />
    </>
  );
}
