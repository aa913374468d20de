"use client";
/**
 * Better Auth's browser client (same origin, /api/auth). Forms call signIn/signUp/signOut on it;
 * the server side is server/auth/auth.ts.
 */
import { createAuthClient } from "better-auth/react";

export const authClient = createAuthClient();

/** Only same-site paths may be a redirect target after sign-in (no `//evil.example`). */
export function safeNextPath(next: string | null | undefined, fallback = "/"): string {
  return next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : fallback;
}
