// /admin: admins only (signed out → sign-in; a plain user → 404, as if the page did not exist). Users and roles,
// the webhook host allowlist (SSRF exemptions), the audit log. Everything goes through tRPC `admin.*`, which
// checks the role again on every call (server/api/routers/admin.router.ts).
import type { Metadata } from "next";
import { headers } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { AdminScreen } from "@/components/admin/admin-screen.tsx";
import { sessionUser } from "@/server/auth/session-user.ts";
import "./admin.css";

export const metadata: Metadata = { title: "Admin · Marketlens" };
export const dynamic = "force-dynamic";

export default async function AdminPage() {
  const user = await sessionUser(await headers());
  if (!user) redirect("/login?next=/admin");
  if (user.role !== "admin") notFound();
  return (
    <main className="settings-page admin-page" data-testid="admin-page">
      <h1>Admin</h1>
      <p className="muted">
        Accounts and roles, the webhook hosts exempt from the SSRF guard, and the audit log. Every change here is recorded in the audit log as <b>{user.email}</b>.
      </p>
      <AdminScreen currentUserId={user.id} />
    </main>
  );
}
