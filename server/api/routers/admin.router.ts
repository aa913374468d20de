// tRPC `admin.*` (admins only; others get FORBIDDEN): users and their roles, role changes (audited), the audit
// log (newest first, paged), and the webhook host allowlist (NOTIFY_ALLOWED_HOSTS ∪ hosts added here; audited).
import { env } from "../../env.ts";
import { listAudit } from "../../services/audit.service.ts";
import { listUsers, setUserRole } from "../../services/admin-users.service.ts";
import { parseAllowedHosts } from "../../services/notifications/ssrf-guard.ts";
import { allowHost, disallowHost, listAllowedHosts } from "../../services/notify-allowlist.service.ts";
import { adminProcedure, router } from "../trpc.ts";
import { ZAllowHostInput, ZAuditLogInput, ZDisallowHostInput, ZSetRoleInput } from "./admin.schema.ts";

const envAllowedHosts = () => parseAllowedHosts(env().NOTIFY_ALLOWED_HOSTS);

export const adminRouter = router({
  users: adminProcedure.query(({ ctx }) => listUsers(ctx.services.deps.pool)),
  setRole: adminProcedure.input(ZSetRoleInput).mutation(async ({ ctx, input }) => {
    await setUserRole(ctx.services.deps.pool, { userId: ctx.user.id, actorIp: ctx.user.ip }, input);
    return { ok: true as const };
  }),
  auditLog: adminProcedure.input(ZAuditLogInput).query(({ ctx, input }) => listAudit(ctx.services.deps.pool, input)),
  allowedHosts: adminProcedure.query(({ ctx }) => listAllowedHosts(ctx.services.deps.pool, envAllowedHosts())),
  allowHost: adminProcedure.input(ZAllowHostInput).mutation(async ({ ctx, input }) => {
    const host = await allowHost(ctx.services.deps, { userId: ctx.user.id, actorIp: ctx.user.ip }, input);
    return { host };
  }),
  disallowHost: adminProcedure.input(ZDisallowHostInput).mutation(async ({ ctx, input }) => {
    await disallowHost(ctx.services.deps, { userId: ctx.user.id, actorIp: ctx.user.ip }, input, envAllowedHosts());
    return { ok: true as const };
  }),
});
