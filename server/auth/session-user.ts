/**
 * The signed-in user for server components (layout header, settings pages) from the request's
 * session cookie. Null when signed out, and also when the database does not answer: the header
 * then offers "Sign in" rather than breaking every page.
 */
import { getAuth } from "./auth.ts";

export interface SessionUser {
  id: string;
  name: string;
  email: string;
  role: "user" | "admin";
}

export async function sessionUser(requestHeaders: Headers): Promise<SessionUser | null> {
  try {
    const session = await getAuth().api.getSession({ headers: requestHeaders });
    if (!session) return null;
    const role = (session.user as { role?: unknown }).role === "admin" ? "admin" : "user";
    return { id: session.user.id, name: session.user.name, email: session.user.email, role };
  } catch {
    return null;
  }
}
