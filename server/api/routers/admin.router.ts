// tRPC `admin.*` (admins only): users and their roles, role changes (audited), the audit log.
import { listAudit } from "../../services/audit.service.ts";
import { listUsers, setUserRole } from "../../services/admin-users.service.ts";
import { adminProcedure, router } from "../trpc.ts";
import { ZAuditLogInput, ZSetRoleInput } from "./admin.schema.ts";

export const adminRouter = router({
  users: adminProcedure.query(({ ctx }) => listUsers(ctx.services.deps.pool)),
  setRole: adminProcedure.input(ZSetRoleInput).mutation(async ({ ctx, input }) => {
    await setUserRole(ctx.services.deps.pool, { userId: ctx.user.id, actorIp: ctx.user.ip }, input);
    return { ok: true as const };
  }),
  auditLog: adminProcedure.input(ZAuditLogInput).query(({ ctx, input }) => listAudit(ctx.services.deps.pool, input)),
});
