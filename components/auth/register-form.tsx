"use client";
/**
 * The registration form of /register (name, email, password of 8–128 characters). The first
 * account of an installation becomes its admin (server/auth/first-admin.ts). Signs in on success.
 */
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { authClient } from "./auth-client.ts";
import { useHydrated } from "./use-hydrated.ts";

export function RegisterForm() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const hydrated = useHydrated();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    const { error: failure } = await authClient.signUp.email({
      name: String(form.get("name") ?? "").trim(),
      email: String(form.get("email") ?? "").trim(),
      password: String(form.get("password") ?? ""),
    });
    setPending(false);
    if (failure) {
      setError(failure.message || `Registration failed (HTTP ${failure.status}).`);
      return;
    }
    router.push("/");
    router.refresh();
  }

  return (
    <form className="auth-form" method="post" onSubmit={(event) => void submit(event)} aria-label="Register">
      <h1>Create an account</h1>
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
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <button type="submit" className="primary-button" disabled={!hydrated || pending}>
        {pending ? "Creating…" : "Create account"}
      </button>
      <p className="muted">
        Already registered? <Link href="/login">Sign in</Link>
      </p>
    </form>
  );
}
