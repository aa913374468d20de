"use client";
/**
 * The sign-in form (email + password) of /login. On success it goes to `next` (a same-site path)
 * and refreshes the server components, so the header shows the signed-in user.
 */
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { authClient, safeNextPath } from "./auth-client.ts";
import { useHydrated } from "./use-hydrated.ts";

export function SignInForm({ next }: { next?: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const hydrated = useHydrated();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    const { error: failure } = await authClient.signIn.email({ email: String(form.get("email") ?? ""), password: String(form.get("password") ?? "") });
    setPending(false);
    if (failure) {
      setError(failure.status === 429 ? "Too many attempts: wait a moment and try again." : "Wrong email or password.");
      return;
    }
    router.push(safeNextPath(next));
    router.refresh();
  }

  return (
    <form className="auth-form" method="post" onSubmit={(event) => void submit(event)} aria-label="Sign in">
      <h1>Sign in</h1>
      <label>
        Email
        <input name="email" type="email" autoComplete="email" required />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required minLength={8} />
      </label>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <button type="submit" className="primary-button" disabled={!hydrated || pending}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
      <p className="muted">
        No account yet? <Link href="/register">Register</Link>
      </p>
    </form>
  );
}
