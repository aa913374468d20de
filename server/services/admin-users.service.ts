/**
 * Admin actions on accounts: list users and change a role. Every change is audited as
 * `admin.action` (who, from where, what). The last admin cannot be demoted. Callers check that the
 * actor is an admin (tRPC adminProcedure).
 */
import type pg from "pg";
import { selectUsers, updateUserRole, type UserRow } from "../db/users.repo.ts";
import { AppError } from "./app-error.ts";
import { recordAudit } from "./audit.service.ts";

export type { UserRow };

export function listUsers(pool: pg.Pool, limit = 500): Promise<UserRow[]> {
  return selectUsers(pool, Math.min(Math.max(limit, 1), 5_000));
}

export async function setUserRole(pool: pg.Pool, actor: { userId: string; actorIp: string | null }, input: { userId: string; role: "user" | "admin" }): Promise<void> {
  const outcome = await updateUserRole(pool, input.userId, input.role);
  if (outcome === "missing") throw new AppError("NOT_FOUND", `user ${input.userId} not found`);
  if (outcome === "last-admin") throw new AppError("BAD_REQUEST", `user ${input.userId} is the last admin: make someone else admin first`);
  await recordAudit(pool, { action: "admin.action", userId: actor.userId, actorIp: actor.actorIp, target: `user:${input.userId}`, details: { setRole: input.role } });
}
