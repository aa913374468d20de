"use client";
/**
 * The registration form of /register (name, email, password of 8–128 characters). The first
 * account of an installation becomes its admin (server/auth/first-admin.ts). Signs in on success (AuthForm).
 */
import Link from "next/link";
import { authClient } from "./auth-client.ts";
import { AuthForm } from "./auth-form.tsx";

async function register(form: FormData): Promise<string | null> {
  const { error: failure } = await authClient.signUp.email({
    name: String(form.get("name") ?? "").trim(),
    email: String(form.get("email") ?? "").trim(),
    password: String(form.get("password") ?? ""),
  });
  if (!failure) return null;
  return failure.message || `Registration failed (HTTP ${failure.status}).`;
}

export function RegisterForm() {
  return (
    <AuthForm
      label="Register"
      title="Create an account"
      submitLabel="Create account"
      pendingLabel="Creating…"
      send={register}
      destination="/"
      footer={
        <>
          Already registered? <Link href="/login">Sign in</Link>
        </>
      }
    >
      <label>
        Name
        <input name="name" autoComplete="name" required maxLength={100} />
      </label>
      <label>
        Email
        <input name="email" type="email" autoComplete="email" required />
      </label>
      <label>
        Password <span className="muted">(8 characters or more)</span>
        <input name="password" type="password" autoComplete="new-password" required minLength={8} maxLength={128} />
      </label>
    </AuthForm>
  );
}
