/**
 * The audit log (DESIGN.md security rules): sign-ins, failed sign-ins, registrations, sign-outs,
 * admin actions (roles, the webhook host allowlist), API key changes and notification-channel changes. Writing never fails the action being audited: a write error
 * is logged (so a PostgreSQL hiccup does not lock users out) and counted by the caller's logs.
 * Add an action name to AUDIT_ACTIONS (server/domain/audit/audit-actions.ts) when a new kind of event is audited.
 */
import type pg from "pg";
import { insertAuditRow, selectAuditRows, type AuditRow } from "../db/audit-log.repo.ts";
import { componentLogger } from "../observability/logger.ts";
import { AUDIT_ACTIONS, type AuditAction } from "../domain/audit/audit-actions.ts";

export { AUDIT_ACTIONS, type AuditAction };

export interface AuditEntry {
  action: AuditAction;
  userId?: string | null;
  actorIp?: string | null;
  /** What the action was about: an email, `api_key:<id>`, `user:<id>`. */
  target?: string | null;
  details?: Record<string, unknown>;
}

export type { AuditRow };

const log = componentLogger("audit");

export async function recordAudit(pool: pg.Pool, entry: AuditEntry): Promise<void> {
  try {
    await insertAuditRow(pool, {
      userId: entry.userId ?? null,
      actorIp: entry.actorIp ?? null,
      action: entry.action,
      target: entry.target ?? null,
      details: entry.details ?? {},
    });
  } catch (error) {
    log.error({ err: String(error), action: entry.action, target: entry.target }, "audit write failed");
  }
}

/** Newest entries first (admin view, tests); `beforeId` pages on: entries older than that id. */
export function listAudit(pool: pg.Pool, options: { limit?: number; action?: AuditAction; userId?: string; beforeId?: string } = {}): Promise<AuditRow[]> {
  return selectAuditRows(pool, {
    limit: Math.min(Math.max(options.limit ?? 100, 1), 1_000),
    ...(options.action ? { action: options.action } : {}),
    ...(options.userId ? { userId: options.userId } : {}),
    ...(options.beforeId ? { beforeId: options.beforeId } : {}),
  });
}
