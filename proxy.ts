/**
 * Next.js proxy (formerly middleware): answers paths with malformed percent-encoding with a 400
 * (Next itself would fail decoding the route params with a 500). Extend the matcher when new
 * dynamic routes take user-typed path segments. Authentication and rate limiting are not done here
 * but in the route handlers (server/api/request-guard.ts), where the principal is needed anyway.
 */
import { NextResponse, type NextRequest } from "next/server";

export function proxy(request: NextRequest): NextResponse {
  try {
    decodeURIComponent(request.nextUrl.pathname);
  } catch {
    const message = `malformed URL encoding in the path ${request.nextUrl.pathname}`;
    if (request.nextUrl.pathname.startsWith("/api/")) {
      return NextResponse.json({ error: { code: "BAD_REQUEST", message } }, { status: 400 });
    }
    return new NextResponse(`400 Bad Request: ${message}\n`, { status: 400, headers: { "content-type": "text/plain; charset=utf-8" } });
  }
  return NextResponse.next();
}

export const config = { matcher: ["/api/v1/:path*", "/chart/:path*"] };
