"use client";
/**
 * The /admin page's client side: three sections, each its own component talking to tRPC `admin.*`:
 * users and roles (users-table.tsx), the webhook host allowlist (allowed-hosts.tsx), the audit log (audit-log.tsx).
 */
import { AllowedHosts } from "./allowed-hosts.tsx";
import { AuditLog } from "./audit-log.tsx";
import { UsersTable } from "./users-table.tsx";

export function AdminScreen({ currentUserId }: { currentUserId: string }) {
  return (
    <>
      <section aria-labelledby="admin-users">
        <h2 id="admin-users">Users</h2>
        <UsersTable currentUserId={currentUserId} />
      </section>
      <section aria-labelledby="admin-hosts">
        <h2 id="admin-hosts">Webhook host allowlist</h2>
        <AllowedHosts />
      </section>
      <section aria-labelledby="admin-audit">
        <h2 id="admin-audit">Audit log</h2>
        <AuditLog />
      </section>
    </>
  );
}
