"use client";
/**
 * The header's in-app notifications for a signed-in user: a bell with the unread count and a dropdown of
 * the newest notifications (opening it marks them read), and the toasts (bottom right; each leaves after a
 * few seconds or on ×). Data: components/realtime/use-notifications.ts (gateway push + GET /api/v1/notifications).
 * Test hooks: `bell` (data-unread, data-connection = the gateway socket's state), `bell-item`, `toast` (data-delivery-id).
 */
import { useState } from "react";
import { useNotifications } from "../realtime/use-notifications.ts";
import type { BellItem } from "../realtime/realtime-messages.ts";
import { BellIcon } from "./bell-icon.tsx";

function ago(createdAt: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - createdAt) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  return new Date(createdAt).toISOString().slice(0, 16).replace("T", " ");
}

function NotificationText({ item }: { item: BellItem }) {
  return (
    <>
      <b>{item.title}</b>
      {item.body ? <span className="notification-body">{item.body}</span> : null}
    </>
  );
}

export function NotificationCenter({ gatewayUrl }: { gatewayUrl: string }) {
  const { toasts, bell, unread, dismiss, markRead, status } = useNotifications({ url: gatewayUrl, enabled: true });
  const [open, setOpen] = useState(false);
  const now = Date.now();

  return (
    <>
      <div className="bell-area">
        <button
          type="button"
          className="bell-button"
          data-testid="bell"
          data-unread={unread}
          data-connection={status?.state ?? "connecting"}
          aria-label={unread > 0 ? `Notifications, ${unread} unread` : "Notifications"}
          aria-expanded={open}
          onClick={() => {
            setOpen(!open);
            if (!open) markRead();
          }}
        >
          <BellIcon />
          {unread > 0 ? <span className="bell-count">{unread > 99 ? "99+" : unread}</span> : null}
        </button>
        {open ? (
          <div className="bell-menu" role="dialog" aria-label="Notifications">
            {bell.length === 0 ? <p className="muted">No notifications yet.</p> : null}
            <ul>
              {bell.map((item) => (
                <li key={item.deliveryId} data-testid="bell-item" className={`severity-${item.severity}`}>
                  {item.url ? (
                    <a href={item.url}>
                      <NotificationText item={item} />
                    </a>
                  ) : (
                    <NotificationText item={item} />
                  )}
                  <span className="muted">{ago(item.createdAt, now)}</span>
                </li>
              ))}
            </ul>
            <a className="bell-footer" href="/alerts">
              Alert history
            </a>
          </div>
        ) : null}
      </div>
      <div className="toasts" aria-live="polite">
        {toasts.map((toast) => (
          <div key={toast.deliveryId} className={`toast severity-${toast.severity}`} role="status" data-testid="toast" data-delivery-id={toast.deliveryId}>
            <div className="toast-text">
              {toast.url ? (
                <a href={toast.url}>
                  <NotificationText item={toast} />
                </a>
              ) : (
                <NotificationText item={toast} />
              )}
            </div>
            <button type="button" className="link-button" aria-label="Dismiss" onClick={() => dismiss(toast.deliveryId)}>
              ×
            </button>
          </div>
        ))}
      </div>
    </>
  );
}
