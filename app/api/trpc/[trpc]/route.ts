// tRPC over HTTP (fetch adapter): /api/trpc/<procedure>. Router: server/api/root.ts.
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "@/server/api/root.ts";
import { guardRequest } from "@/server/api/request-guard.ts";
import { createTRPCContext } from "@/server/api/trpc.ts";

export const dynamic = "force-dynamic";

/** Rate limit and caller first (server/api/request-guard.ts); procedures check what they need. */
async function handler(request: Request): Promise<Response> {
  const guard = await guardRequest(request, "public-data");
  if (!guard.ok) return guard.response;
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req: request,
    router: appRouter,
    createContext: () => createTRPCContext(undefined, guard.principal),
    responseMeta: () => ({ headers: guard.headers }),
  });
}

export { handler as GET, handler as POST };
