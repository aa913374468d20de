"use client";
/**
 * Inline edit of one channel (a table row under the channel): its name and target — email address, Slack or
 * webhook URL. The server checks the new target like at creation (address format; URLs through the SSRF guard)
 * and, when it refuses, nothing changes and its message is shown here. Test hook: `channel-edit-form`.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import type { ChannelRow } from "../../server/domain/notifications/notification-types.ts";
import { useTRPC } from "../trpc.ts";

export type ListedChannel = Omit<ChannelRow, "secret">;

const TARGET_LABEL: Record<ListedChannel["kind"], string> = { email: "Email address", slack: "Slack webhook URL", webhook: "Webhook URL", in_app: "" };

export function ChannelEditForm({ channel, onClose }: { channel: ListedChannel; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const update = useMutation(trpc.channels.update.mutationOptions());
  const [error, setError] = useState<string | null>(null);
  const target = typeof channel.config.address === "string" ? channel.config.address : typeof channel.config.url === "string" ? channel.config.url : null;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const name = String(data.get("name") ?? "").trim();
    const newTarget = String(data.get("target") ?? "").trim();
    setError(null);
    try {
      const changes = {
        ...(name !== channel.name ? { name } : {}),
        ...(target !== null && newTarget !== target ? { config: channel.kind === "email" ? { address: newTarget } : { url: newTarget } } : {}),
      };
      if (Object.keys(changes).length > 0) await update.mutateAsync({ id: channel.id, ...changes });
      await queryClient.invalidateQueries({ queryKey: trpc.channels.list.queryKey() });
      onClose();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  }

  return (
    <form className="form-grid" method="post" aria-label={`Edit ${channel.name}`} data-testid="channel-edit-form" onSubmit={(event) => void submit(event)}>
      <label>
        Channel name
        <input name="name" required maxLength={100} defaultValue={channel.name} />
      </label>
      {target !== null ? (
        <label className="wide-input">
          {TARGET_LABEL[channel.kind]}
          <input name="target" required type={channel.kind === "email" ? "email" : "url"} defaultValue={target} />
        </label>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="primary-button" disabled={update.isPending}>
          {update.isPending ? "Saving…" : "Save"}
        </button>
        <button type="button" className="link-button" onClick={onClose}>
          Cancel
        </button>
      </div>
      {error ? (
        <p className="form-error" role="alert" data-testid="channel-edit-error">
          {error}
        </p>
      ) : null}
    </form>
  );
}
