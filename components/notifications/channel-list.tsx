"use client";
/**
 * The user's notification channels: kind, target, status, rate limit, and a "Send test" button that
 * sends a test notification through the real pipeline (queue, worker, rate limit); its delivery appears in
 * the delivery log. In-app is always on. Rows: `data-testid="channel-row"`.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "../trpc.ts";

function targetOf(config: Record<string, unknown>): string {
  if (typeof config.address === "string") return config.address;
  if (typeof config.url === "string") {
    try {
      const url = new URL(config.url);
      return `${url.protocol}//${url.host}${url.pathname.length > 24 ? `${url.pathname.slice(0, 24)}…` : url.pathname}`;
    } catch {
      return config.url;
    }
  }
  return "this browser (toast and bell)";
}

export function ChannelList() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const channels = useQuery(trpc.channels.list.queryOptions());
  const [message, setMessage] = useState<{ channelId: string; text: string; failed: boolean } | null>(null);
  const sendTest = useMutation(trpc.channels.sendTest.mutationOptions());

  async function test(channelId: string, name: string) {
    setMessage(null);
    try {
      const result = await sendTest.mutateAsync({ id: channelId });
      setMessage({ channelId, failed: false, text: result.queued ? `Test sent to ${name}: see the delivery log below.` : `Test for ${name} recorded; it is queued within a minute.` });
      await queryClient.invalidateQueries({ queryKey: trpc.channels.deliveries.queryKey() });
    } catch (failure) {
      setMessage({ channelId, failed: true, text: failure instanceof Error ? failure.message : String(failure) });
    }
  }

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
            <tr key={channel.id} data-testid="channel-row" data-kind={channel.kind} data-channel-id={channel.id}>
              <td>{channel.name}</td>
              <td>{channel.kind}</td>
              <td>
                <code>{targetOf(channel.config)}</code>
              </td>
              <td className="muted">
                {channel.ratePerMinute}/min, burst {channel.rateBurst}
              </td>
              <td>
                <span className={`status-pill ${channel.enabled ? "status-active" : "status-stopped"}`}>{channel.enabled ? "enabled" : "disabled"}</span>
              </td>
              <td>
                <button
                  type="button"
                  className="secondary-button"
                  disabled={!channel.enabled || (sendTest.isPending && sendTest.variables?.id === channel.id)}
                  onClick={() => void test(channel.id, channel.name)}
                >
                  Send test
                </button>
              </td>
            </tr>
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
