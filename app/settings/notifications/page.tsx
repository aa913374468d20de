// /settings/notifications: the signed-in user's notification channels (email, Slack, webhook; in-app always on) —
// add, edit, enable/disable, rotate a webhook's secret, "Send test" — and the delivery log of every attempt ("Retry" on dead ones).
import type { Metadata } from "next";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { SettingsTabs } from "@/components/layout/settings-tabs.tsx";
import { NotificationSettings } from "@/components/notifications/notification-settings.tsx";
import { sessionUser } from "@/server/auth/session-user.ts";

export const metadata: Metadata = { title: "Notifications · Marketlens" };
export const dynamic = "force-dynamic";

export default async function NotificationSettingsPage() {
  const user = await sessionUser(await headers());
  if (!user) redirect("/login?next=/settings/notifications");
  return (
    <main className="settings-page">
      <h1>Settings</h1>
      <SettingsTabs current="/settings/notifications" />
      <p className="muted">
        Where alerts reach you besides the toast and the bell: email, Slack or a signed webhook. Each channel has its own rate limit (over it,
        notifications wait, never drop); failed sends are retried with backoff and every attempt is logged below. A disabled channel gets
        no new notifications; a dead delivery can be sent again with “Retry” under the same delivery id.
      </p>
      <NotificationSettings />
    </main>
  );
}
