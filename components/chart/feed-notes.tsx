"use client";
// Feed labels from `health.status`: the REPLAY badge, and a note when the collector reports the
// selected symbol as unavailable (its own reason text, e.g. no recorded data in replay mode).
import type { RouterOutputs } from "../trpc.ts";

type HealthStatus = RouterOutputs["health"]["status"];

interface FeedNotesProps {
  symbol: string;
  health: HealthStatus | undefined;
  /** "badge" renders the REPLAY badge (toolbar), "notes" the symbol notice (under the toolbar). */
  variant?: "badge" | "notes";
}

export function FeedNotes({ symbol, health, variant = "badge" }: FeedNotesProps) {
  if (!health) return null;
  if (variant === "badge") {
    if (health.feed !== "replay") return null;
    return (
      <span className="badge badge-replay" data-testid="feed-badge" title="Recorded market data replayed; not live prices">
        REPLAY
      </span>
    );
  }
  const state = health.symbols[symbol];
  if (state?.status !== "unavailable") return null;
  const reason = state.reason ?? (health.feed === "replay" ? `No recorded data for ${symbol} in replay mode` : `${symbol} is unavailable`);
  return (
    <p className="notice" data-testid="symbol-unavailable" role="note">
      {reason}
    </p>
  );
}
