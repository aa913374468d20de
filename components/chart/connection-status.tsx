"use client";
// Realtime connection indicator: connected / connecting / reconnecting in Ns / disconnected (+ Reconnect).
import type { ConnectionStatus } from "./live-connection.ts";

interface ConnectionStatusProps {
  status: ConnectionStatus;
  secondsLeft: number | null;
  onReconnect: () => void;
}

export function ConnectionStatusIndicator({ status, secondsLeft, onReconnect }: ConnectionStatusProps) {
  const label =
    status.state === "connected"
      ? "Live"
      : status.state === "connecting"
        ? "Connecting…"
        : status.state === "reconnecting"
          ? `Reconnecting in ${secondsLeft ?? 0}s`
          : "Disconnected";
  return (
    <span className="connection" data-testid="connection-status" data-state={status.state} role="status" aria-live="polite">
      <span className={`connection-dot connection-${status.state}`} aria-hidden="true" />
      {label}
      {status.state === "disconnected" || status.state === "reconnecting" ? (
        <button type="button" className="link-button" onClick={onReconnect}>
          {status.state === "disconnected" ? "Reconnect" : "Retry now"}
        </button>
      ) : null}
    </span>
  );
}
