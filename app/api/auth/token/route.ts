// GET|POST /api/auth/token: a 15-minute access token for the REST API and the realtime gateway
// (user token for a session, guest token otherwise). Logic: server/api/rest/auth-token.handler.ts.
import { defaultGuardDeps, guarded } from "@/server/api/request-guard.ts";
import { handleTokenRequest } from "@/server/api/rest/auth-token.handler.ts";

export const dynamic = "force-dynamic";

const handler = guarded("open", (_request: Request, _context: unknown, principal) => {
  const deps = defaultGuardDeps();
  return handleTokenRequest(principal, { secret: deps.secret, now: deps.service.now, publicCharts: deps.publicCharts });
});

export { handler as GET, handler as POST };
