"use client";
/**
 * Add a notification channel: email (address), Slack (incoming-webhook URL) or webhook (URL; its signing
 * secret is shown once after creation, see docs/webhooks.md for verifying it). The server refuses private
 * and loopback targets (SSRF) unless an admin allowed the host; its message is shown inline.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "../trpc.ts";

type Kind = "email" | "slack" | "webhook";

const TARGET_LABEL: Record<Kind, string> = { email: "Email address", slack: "Slack webhook URL", webhook: "Webhook URL" };

export function ChannelForm({ onSecret }: { onSecret: (secret: { channelName: string; secret: string }) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [kind, setKind] = useState<Kind>("webhook");
  const [error, setError] = useState<string | null>(null);
  const create = useMutation(trpc.channels.create.mutationOptions());

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const name = String(data.get("name") ?? "").trim();
    const target = String(data.get("target") ?? "").trim();
    setError(null);
    try {
      const channel = await create.mutateAsync({ kind, name, config: kind === "email" ? { address: target } : { url: target } });
      form.reset();
      if (channel.secret) onSecret({ channelName: channel.name, secret: channel.secret });
      await queryClient.invalidateQueries({ queryKey: trpc.channels.list.queryKey() });
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  }

  return (
    <form className="panel" method="post" aria-label="Add channel" onSubmit={(event) => void submit(event)}>
      <h2>Add a channel</h2>
      <div className="form-grid">
        <label>
          Type
          <select name="kind" value={kind} onChange={(event) => setKind(event.target.value as Kind)}>
            <option value="webhook">Webhook (signed JSON)</option>
            <option value="slack">Slack</option>
            <option value="email">Email</option>
          </select>
        </label>
        <label>
          Channel name
          <input name="name" required maxLength={100} placeholder="e.g. trading bot" />
        </label>
        <label className="wide-input">
          {TARGET_LABEL[kind]}
          <input
            name="target"
            required
            type={kind === "email" ? "email" : "url"}
            placeholder={kind === "email" ? "you@example.com" : kind === "slack" ? "https://hooks.slack.com/services/…" : "https://example.com/marketlens-hook"}
          />
        </label>
        <button type="submit" className="primary-button" disabled={create.isPending}>
          {create.isPending ? "Adding…" : "Add channel"}
        </button>
      </div>
      {error ? (
        <p className="form-error" role="alert" data-testid="channel-form-error">
          {error}
        </p>
      ) : null}
    </form>
  );
}
