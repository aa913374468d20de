"use client";
/**
 * /admin → Users: every account (email, name, role, created) and a role switch per row. Changing a role asks
 * for confirmation in the row first; the server refuses to demote the last admin (its message is shown).
 * Demoting yourself reloads the page, which then no longer opens for you.
 * Test hooks: `users-table`, `user-row` (data-user-id, data-role), `change-role`, `confirm-role`, `role-error`.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTRPC } from "../trpc.ts";
import { errorMessage, utcTime } from "./admin-format.ts";

type Role = "user" | "admin";

export function UsersTable({ currentUserId }: { currentUserId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const users = useQuery(trpc.admin.users.queryOptions());
  const setRole = useMutation(trpc.admin.setRole.mutationOptions());
  const [confirming, setConfirming] = useState<{ userId: string; role: Role } | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function apply(userId: string, role: Role) {
    setError(null);
    try {
      await setRole.mutateAsync({ userId, role });
      setConfirming(null);
      if (userId === currentUserId && role !== "admin") {
        router.refresh();
        return;
      }
    } catch (failure) {
      setError(errorMessage(failure));
    }
    await queryClient.invalidateQueries({ queryKey: trpc.admin.users.queryKey() });
    await queryClient.invalidateQueries({ queryKey: trpc.admin.auditLog.queryKey() });
  }

  if (users.isPending) return <p className="muted">Loading users…</p>;
  if (users.isError) return <p className="form-error" role="alert">{users.error.message}</p>;
  return (
    <>
      <p className="muted">Admins can open this page. The first account registered became admin; there is always at least one.</p>
      {error ? (
        <p className="form-error" role="alert" data-testid="role-error">
          {error}
        </p>
      ) : null}
      <table className="data-table" data-testid="users-table">
        <thead>
          <tr>
            <th>Email</th>
            <th>Name</th>
            <th>Role</th>
            <th>Created</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {users.data.map((user) => {
            const other: Role = user.role === "admin" ? "user" : "admin";
            const asking = confirming?.userId === user.id;
            return (
              <tr key={user.id} data-testid="user-row" data-user-id={user.id} data-role={user.role}>
                <td>
                  {user.email}
                  {user.id === currentUserId ? <span className="muted"> (you)</span> : null}
                </td>
                <td>{user.name}</td>
                <td>{user.role === "admin" ? <span className="role-badge">admin</span> : "user"}</td>
                <td className="nowrap">{utcTime(user.createdAt)}</td>
                <td>
                  {asking ? (
                    <span className="admin-confirm">
                      <span>
                        Make {user.email} {other === "admin" ? "an admin" : "a plain user"}?
                      </span>
                      <button type="button" className="secondary-button" data-testid="confirm-role" disabled={setRole.isPending} onClick={() => void apply(user.id, other)}>
                        {setRole.isPending ? "Saving…" : "Confirm"}
                      </button>
                      <button type="button" className="link-button" onClick={() => setConfirming(null)}>
                        Cancel
                      </button>
                    </span>
                  ) : (
                    <button type="button" className="link-button" data-testid="change-role" onClick={() => setConfirming({ userId: user.id, role: other })}>
                      {other === "admin" ? "Make admin" : "Make user"}
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
