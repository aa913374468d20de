// Better Auth's endpoints under /api/auth/* (sign-up/email, sign-in/email, sign-out, get-session …),
// rate-limited per IP like every public route. Config: server/auth/auth.ts.
import { getAuth } from "@/server/auth/auth.ts";
import { guarded } from "@/server/api/request-guard.ts";

export const dynamic = "force-dynamic";

const handler = guarded("open", (request: Request) => getAuth().handler(request));

export { handler as GET, handler as POST };
