// /settings/api-keys: the signed-in user's personal API keys (create → shown once, list, revoke).
import type { Metadata } from "next";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { ApiKeysManager } from "@/components/auth/api-keys-manager.tsx";
import { SettingsTabs } from "@/components/layout/settings-tabs.tsx";
import { sessionUser } from "@/server/auth/session-user.ts";

export const metadata: Metadata = { title: "API keys · Marketlens" };
export const dynamic = "force-dynamic";

export default async function ApiKeysPage() {
  const user = await sessionUser(await headers());
  if (!user) redirect("/login?next=/settings/api-keys");
  return (
    <main className="settings-page">
      <h1>API keys</h1>
      <SettingsTabs current="/settings/api-keys" />
      <p className="muted">
        Personal keys for scripts and notebooks: read-only access to the REST API (bars, indicators, features) as{" "}
        <b>{user.email}</b>. Send one as <code>Authorization: Bearer ml_…</code>. Requests count against your rate limit.
      </p>
      <ApiKeysManager />
    </main>
  );
}
