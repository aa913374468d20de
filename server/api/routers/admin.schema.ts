// Input schemas of `admin.*` (admin.router.ts).
import { z } from "zod";
import { AUDIT_ACTIONS } from "../../domain/audit/audit-actions.ts";
import { ZAllowedHost } from "../../services/notify-allowlist-host.ts";

export const ZSetRoleInput = z.object({
  userId: z.string().min(1).max(100),
  role: z.enum(["user", "admin"]),
});
export type TSetRoleInput = z.infer<typeof ZSetRoleInput>;

export const ZAuditLogInput = z
  .object({
    limit: z.number().int().min(1).max(1_000).default(100),
    action: z.enum(AUDIT_ACTIONS).optional(),
    /** Paging: entries older than this id (the last id of the previous page). */
    beforeId: z.string().regex(/^\d{1,19}$/, "beforeId is an audit entry id").optional(),
  })
  .default({ limit: 100 });
export type TAuditLogInput = z.infer<typeof ZAuditLogInput>;

/** A webhook/Slack host to exempt from the SSRF address check: one host name or IP literal (normalised). */
export const ZAllowHostInput = z.object({
  host: ZAllowedHost,
  note: z.string().trim().max(200, "the note has at most 200 characters").default(""),
});
export type TAllowHostInput = z.infer<typeof ZAllowHostInput>;

export const ZDisallowHostInput = z.object({ host: ZAllowedHost });
export type TDisallowHostInput = z.infer<typeof ZDisallowHostInput>;
