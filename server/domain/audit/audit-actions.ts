/**
 * Every action the audit log records (server/services/audit.service.ts writes them; docs/auth.md lists when).
 * Pure, so the admin page's action filter (components/admin/audit-log.tsx) uses the same list. Add a name here
 * when a new kind of event is audited.
 */
export const AUDIT_ACTIONS = [
  "auth.register",
  "auth.sign_in",
  "auth.sign_in_failed",
  "auth.sign_out",
  "admin.promote_first_user",
  "admin.action",
  "admin.allow_host",
  "admin.disallow_host",
  "api_key.create",
  "api_key.revoke",
  "channel.create",
  "channel.update",
  "channel.rotate_secret",
  "channel.retry_delivery",
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];
