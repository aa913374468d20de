"use client";
/**
 * In-app notifications for React: a zustand store of toasts and the bell (reducers in
 * realtime-messages.ts), fed by the shared gateway connection (realtime-client.ts; the gateway pushes a
 * signed-in user's notifications to every socket of theirs) and by GET /api/v1/notifications, loaded on
 * every (re)connect so nothing sent while away is missing from the bell. Toasts leave after TOAST_TTL_MS
 * unless dismissed first. Pages: `const { toasts, bell, unread, dismiss, markRead } = useNotifications({ url, enabled: signedIn })`.
 */
import { useEffect } from "react";
import { create } from "zustand";
import type { ConnectionStatus } from "./gateway-socket.ts";
import { acquireRealtimeClient } from "./realtime-client.ts";
import {
  EMPTY_NOTIFICATIONS,
  applyBellLoaded,
  applyNotification,
  dismissToast,
  markBellRead,
  type BellItem,
  type NotificationMessage,
  type NotificationsState,
} from "./realtime-messages.ts";

export const TOAST_TTL_MS = 8_000;

export interface NotificationsStore extends NotificationsState {
  status: ConnectionStatus | null;
  received(message: NotificationMessage): void;
  loaded(items: BellItem[]): void;
  dismiss(deliveryId: string): void;
  markRead(): void;
  setStatus(status: ConnectionStatus): void;
}

export const useNotificationsStore = create<NotificationsStore>()((set) => ({
  ...EMPTY_NOTIFICATIONS,
  status: null,
  received: (message) => set((state) => applyNotification(state, message)),
  loaded: (items) => set((state) => applyBellLoaded(state, items)),
  dismiss: (deliveryId) => set((state) => dismissToast(state, deliveryId)),
  markRead: () => set((state) => markBellRead(state)),
  setStatus: (status) => set({ status }),
}));

/** The bell from the API (newest first); [] when signed out or on errors (the live stream still works). */
export async function fetchBell(): Promise<BellItem[]> {
  const response = await fetch("/api/v1/notifications", { credentials: "same-origin", cache: "no-store" });
  if (!response.ok) return [];
  const body = (await response.json()) as { notifications?: BellItem[] };
  return Array.isArray(body.notifications) ? body.notifications : [];
}

export function useNotifications({ url, enabled }: { url: string; enabled: boolean }): NotificationsStore {
  const store = useNotificationsStore();

  useEffect(() => {
    if (!enabled) return;
    const { client, release } = acquireRealtimeClient(url);
    const { received, loaded, setStatus } = useNotificationsStore.getState();
    const load = () => void fetchBell().then(loaded, () => undefined);
    const offMessage = client.onMessage((message) => {
      if (message.type === "notification") received(message);
    });
    const offStatus = client.onStatus((status) => {
      setStatus(status);
      if (status.state === "connected") load();
    });
    setStatus(client.status);
    load();
    return () => {
      offMessage();
      offStatus();
      release();
    };
  }, [url, enabled]);

  // Each toast leaves on its own after TOAST_TTL_MS.
  const toastIds = store.toasts.map((toast) => toast.deliveryId).join(",");
  useEffect(() => {
    if (!toastIds) return;
    const timers = toastIds.split(",").map((id) => setTimeout(() => useNotificationsStore.getState().dismiss(id), TOAST_TTL_MS));
    return () => timers.forEach(clearTimeout);
  }, [toastIds]);

  return store;
}
