"use client";
/**
 * The delivery log: one row per delivery (newest first) with its status, and each attempt under it
 * (outcome, HTTP or SMTP response, error, duration). Filter by channel and status; refreshes every few
 * seconds while a delivery is still pending or sending. A dead delivery has a "Retry" button: it goes out again
 * under the same delivery id (receivers can deduplicate), once however often it is pressed.
 * Rows: `data-testid="delivery-row"` + data-status; `retry-delivery`, `retry-error`.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { DELIVERY_STATUSES, type DeliveryStatus } from "../../server/domain/notifications/notification-types.ts";
import { useTRPC } from "../trpc.ts";
import { Pager } from "../layout/pager.tsx";

const PAGE_SIZE = 20;

function time(ms: number | null): string {
  return ms === null ? "–" : new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}

function RetryButton({ deliveryId }: { deliveryId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const retry = useMutation(trpc.channels.retryDelivery.mutationOptions());
  const [error, setError] = useState<string | null>(null);

  async function run() {
    setError(null);
    try {
      await retry.mutateAsync({ id: deliveryId });
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
    await queryClient.invalidateQueries({ queryKey: trpc.channels.deliveries.queryKey() });
  }

  return (
    <>
      {" "}
      <button type="button" className="secondary-button" data-testid="retry-delivery" disabled={retry.isPending || retry.isSuccess} onClick={() => void run()}>
        {retry.isPending ? "Retrying…" : "Retry"}
      </button>
      {error ? (
        <div className="attempt-error" role="alert" data-testid="retry-error">
          {error}
        </div>
      ) : null}
    </>
  );
}

export function DeliveryLog() {
  const trpc = useTRPC();
  const channels = useQuery(trpc.channels.list.queryOptions());
  const [channelId, setChannelId] = useState("");
  const [status, setStatus] = useState<DeliveryStatus | "">("");
  const [page, setPage] = useState(1);
  const input = { page, pageSize: PAGE_SIZE, ...(channelId ? { channelId } : {}), ...(status ? { status } : {}) };
  const log = useQuery(
    trpc.channels.deliveries.queryOptions(input, {
      placeholderData: keepPreviousData,
      refetchInterval: (query) => (query.state.data?.items.some((item) => item.status === "pending" || item.status === "sending") ? 1_000 : 10_000),
    }),
  );
  const total = log.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));

  return (
    <section className="panel" aria-label="Delivery log">
      <h2>Delivery log</h2>
      <div className="filters">
        <label>
          Channel
          <select
            value={channelId}
            onChange={(event) => {
              setChannelId(event.target.value);
              setPage(1);
            }}
          >
            <option value="">all channels</option>
            {(channels.data ?? []).map((channel) => (
              <option key={channel.id} value={channel.id}>
                {channel.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select
            value={status}
            onChange={(event) => {
              setStatus(event.target.value as DeliveryStatus | "");
              setPage(1);
            }}
          >
            <option value="">any</option>
            {DELIVERY_STATUSES.map((value) => (
              <option key={value}>{value}</option>
            ))}
          </select>
        </label>
      </div>
      {log.error ? (
        <p className="form-error" role="alert">
          {log.error.message}
        </p>
      ) : null}
      {log.data && log.data.items.length === 0 ? (
        <p className="muted" data-testid="no-deliveries">
          Nothing sent yet. Press “Send test” on a channel.
        </p>
      ) : null}
      {log.data && log.data.items.length > 0 ? (
        <table className="data-table delivery-table" data-testid="delivery-table">
          <thead>
            <tr>
              <th>Created (UTC)</th>
              <th>Notification</th>
              <th>Channel</th>
              <th>Status</th>
              <th>Attempts</th>
            </tr>
          </thead>
          <tbody>
            {log.data.items.map((delivery) => (
              <tr key={delivery.id} data-testid="delivery-row" data-status={delivery.status} data-channel-id={delivery.channelId}>
                <td>{time(delivery.createdAt)}</td>
                <td>
                  {delivery.title}
                  {delivery.sourceRef === "test" ? <span className="muted"> (test)</span> : null}
                </td>
                <td>
                  {delivery.channelName} <span className="muted">({delivery.channelKind})</span>
                </td>
                <td>
                  <span className={`status-pill status-${delivery.status}`}>{delivery.status}</span>
                  {delivery.status === "dead" ? <RetryButton key={`${delivery.id}:${delivery.attempts}`} deliveryId={delivery.id} /> : null}
                  {delivery.rateLimited > 0 ? <span className="muted"> · rate-limited {delivery.rateLimited}×</span> : null}
                  {delivery.lastError ? <div className="attempt-error">{delivery.lastError}</div> : null}
                </td>
                <td>
                  <ol className="attempts">
                    {delivery.attemptLog.map((attempt) => (
                      <li key={attempt.attempt} data-testid="delivery-attempt" data-outcome={attempt.outcome}>
                        #{attempt.attempt} {time(attempt.startedAt)} <b>{attempt.outcome}</b>
                        {attempt.responseCode !== null ? ` · ${attempt.responseCode}` : ""}
                        {attempt.response ? <span className="muted"> {attempt.response.slice(0, 120)}</span> : null}
                        {attempt.error ? <span className="attempt-error"> {attempt.error}</span> : null}
                        {attempt.durationMs !== null ? <span className="muted"> ({attempt.durationMs} ms)</span> : null}
                      </li>
                    ))}
                  </ol>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <Pager page={page} pages={pages} total={`${total} deliver${total === 1 ? "y" : "ies"}`} onPage={setPage} />
    </section>
  );
}
