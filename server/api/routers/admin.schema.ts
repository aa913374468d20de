// Input schemas of `admin.*` (admin.router.ts).
import { z } from "zod";

export const ZSetRoleInput = z.object({
  userId: z.string().min(1).max(100),
  role: z.enum(["user", "admin"]),
});
export type TSetRoleInput = z.infer<typeof ZSetRoleInput>;

export const ZAuditLogInput = z
  .object({
    limit: z.number().int().min(1).max(1_000).default(100),
    action: z
      .enum(["auth.register", "auth.sign_in", "auth.sign_in_failed", "auth.sign_out", "admin.promote_first_user", "admin.action", "api_key.create", "api_key.revoke"])
      .optional(),
  })
  .default({ limit: 100 });
