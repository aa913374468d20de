"use client";
/**
 * The sign-in form (email + password) of /login. On success it goes to `next` (a same-site path)
 * and refreshes the server components, so the header shows the signed-in user (AuthForm).
 */
import Link from "next/link";
import { authClient, safeNextPath } from "./auth-client.ts";
import { AuthForm } from "./auth-form.tsx";

async function signIn(form: FormData): Promise<string | null> {
  const { error: failure } = await authClient.signIn.email({ email: String(form.get("email") ?? ""), password: String(form.get("password") ?? "") });
  if (!failure) return null;
  return failure.status === 429 ? "Too many attempts: wait a moment and try again." : "Wrong email or password.";
}

export function SignInForm({ next }: { next?: string }) {
  return (
    <AuthForm
      label="Sign in"
      title="Sign in"
      submitLabel="Sign in"
      pendingLabel="Signing in…"
      send={signIn}
      destination={safeNextPath(next)}
      footer={
        <>
          No account yet? <Link href="/register">Register</Link>
        </>
      }
    >
      <label>
        Email
        <input name="email" type="email" autoComplete="email" required />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required minLength={8} />
      </label>
    </AuthForm>
  );
}
