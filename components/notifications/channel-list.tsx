"use client";
/**
 * The user's notification channels (components/notifications/channel-row.tsx draws each): kind, target, rate
 * limit, an enable/disable switch, Edit, Rotate secret (webhooks) and "Send test", which sends a test
 * notification through the real pipeline (queue, worker, rate limit); its delivery appears in the delivery log.
 * In-app is always on. Rows: `data-testid="channel-row"`; the last action's outcome: `send-test-result`.
 */
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "../trpc.ts";
import { ChannelTableRow, type RowMessage } from "./channel-row.tsx";

export function ChannelList({ onSecret }: { onSecret: (secret: { channelName: string; secret: string }) => void }) {
  const trpc = useTRPC();
  const channels = useQuery(trpc.channels.list.queryOptions());
  const [message, setMessage] = useState<RowMessage | null>(null);

  return (
    <section className="panel" aria-label="Channels">
      <h2>Channels</h2>
      {channels.error ? (
        <p className="form-error" role="alert">
          {channels.error.message}
        </p>
      ) : null}
      <table className="data-table" data-testid="channels-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Type</th>
            <th>Sends to</th>
            <th>Rate limit</th>
            <th>Status</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(channels.data ?? []).some((channel) => channel.kind === "in_app") ? null : (
            <tr data-testid="channel-row" data-kind="in_app">
              <td>In-app</td>
              <td>in_app</td>
              <td>this browser (toast and bell)</td>
              <td className="muted">–</td>
              <td>
                <span className="status-pill status-active">always on</span>
              </td>
              <td />
            </tr>
          )}
          {(channels.data ?? []).map((channel) => (
            <ChannelTableRow key={channel.id} channel={channel} onMessage={setMessage} onSecret={onSecret} />
          ))}
        </tbody>
      </table>
      {message ? (
        <p className={message.failed ? "form-error" : "muted"} role={message.failed ? "alert" : "status"} data-testid="send-test-result">
          {message.text}
        </p>
      ) : null}
    </section>
  );
}
