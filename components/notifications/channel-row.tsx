"use client";
/**
 * One channel in the channel list: name, kind, target, rate limit, an enable/disable switch (a disabled channel
 * gets no new notifications), and actions — Edit (inline form below the row), Rotate secret (webhooks; asks
 * first, since the old secret stops working at once; the new one is handed to `onSecret`, shown once) and Send
 * test. Test hooks: `channel-row` (data-kind, data-channel-id, data-enabled), `channel-enabled`, `rotate-secret`.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "../trpc.ts";
import { ChannelEditForm, type ListedChannel } from "./channel-edit-form.tsx";

export type RowMessage = { channelId: string; text: string; failed: boolean };

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

export function ChannelTableRow(props: {
  channel: ListedChannel;
  onMessage: (message: RowMessage | null) => void;
  onSecret: (secret: { channelName: string; secret: string }) => void;
}) {
  const { channel, onMessage } = props;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [confirmRotate, setConfirmRotate] = useState(false);
  const update = useMutation(trpc.channels.update.mutationOptions());
  const rotate = useMutation(trpc.channels.rotateSecret.mutationOptions());
  const sendTest = useMutation(trpc.channels.sendTest.mutationOptions());
  const fail = (failure: unknown) => onMessage({ channelId: channel.id, failed: true, text: failure instanceof Error ? failure.message : String(failure) });

  async function setEnabled(enabled: boolean) {
    onMessage(null);
    try {
      await update.mutateAsync({ id: channel.id, enabled });
      await queryClient.invalidateQueries({ queryKey: trpc.channels.list.queryKey() });
      onMessage({ channelId: channel.id, failed: false, text: enabled ? `${channel.name} is enabled: new notifications go to it again.` : `${channel.name} is disabled: it gets no new notifications.` });
    } catch (failure) {
      fail(failure);
    }
  }

  async function rotateSecret() {
    setConfirmRotate(false);
    onMessage(null);
    try {
      const rotated = await rotate.mutateAsync({ id: channel.id });
      props.onSecret({ channelName: rotated.name, secret: rotated.secret });
    } catch (failure) {
      fail(failure);
    }
  }

  async function test() {
    onMessage(null);
    try {
      const result = await sendTest.mutateAsync({ id: channel.id });
      onMessage({ channelId: channel.id, failed: false, text: result.queued ? `Test sent to ${channel.name}: see the delivery log below.` : `Test for ${channel.name} recorded; it is queued within a minute.` });
      await queryClient.invalidateQueries({ queryKey: trpc.channels.deliveries.queryKey() });
    } catch (failure) {
      fail(failure);
    }
  }

  return (
    <>
      <tr data-testid="channel-row" data-kind={channel.kind} data-channel-id={channel.id} data-enabled={channel.enabled}>
        <td>{channel.name}</td>
        <td>{channel.kind}</td>
        <td>
          <code>{targetOf(channel.config)}</code>
        </td>
        <td className="muted">
          {channel.ratePerMinute}/min, burst {channel.rateBurst}
        </td>
        <td>
          {channel.kind === "in_app" ? (
            <span className="status-pill status-active">always on</span>
          ) : (
            <label className="checkbox-label">
              <input
                type="checkbox"
                role="switch"
                data-testid="channel-enabled"
                aria-label={`${channel.name} enabled`}
                checked={channel.enabled}
                disabled={update.isPending}
                onChange={(event) => void setEnabled(event.target.checked)}
              />
              <span className={`status-pill ${channel.enabled ? "status-active" : "status-stopped"}`}>{channel.enabled ? "enabled" : "disabled"}</span>
            </label>
          )}
        </td>
        <td>
          <div className="row-actions">
            {channel.kind !== "in_app" ? (
              <button type="button" className="link-button" aria-expanded={editing} onClick={() => setEditing(!editing)}>
                Edit
              </button>
            ) : null}
            {channel.kind === "webhook" && !confirmRotate ? (
              <button type="button" className="link-button" data-testid="rotate-secret" disabled={rotate.isPending} onClick={() => setConfirmRotate(true)}>
                Rotate secret
              </button>
            ) : null}
            {confirmRotate ? (
              <span className="row-actions" role="group" aria-label={`Rotate the secret of ${channel.name}`}>
                <span className="muted">The old secret stops working at once.</span>
                <button type="button" className="secondary-button" data-testid="confirm-rotate-secret" onClick={() => void rotateSecret()}>
                  Rotate
                </button>
                <button type="button" className="link-button" onClick={() => setConfirmRotate(false)}>
                  Cancel
                </button>
              </span>
            ) : null}
            <button type="button" className="secondary-button" disabled={!channel.enabled || sendTest.isPending} onClick={() => void test()}>
              Send test
            </button>
          </div>
        </td>
      </tr>
      {editing ? (
        <tr data-testid="channel-edit-row">
          <td colSpan={6}>
            <ChannelEditForm channel={channel} onClose={() => setEditing(false)} />
          </td>
        </tr>
      ) : null}
    </>
  );
}
