"use client";
/**
 * What the /login and /register forms share: the form with its title, the submit button (enabled once
 * hydrated, its label while the request runs), the server's error under the fields, and on success
 * navigation to `destination` with a refresh of the server components (so the header shows the user).
 * Each form passes its fields, the request and the link to the other form.
 */
import { useRouter } from "next/navigation";
import { useState, type FormEvent, type ReactNode } from "react";
import { useHydrated } from "./use-hydrated.ts";

export interface AuthFormProps {
  /** The form's accessible name ("Sign in"). */
  label: string;
  title: string;
  submitLabel: string;
  pendingLabel: string;
  /** Sends the form's values; resolves to the message to show, or null on success. */
  send: (form: FormData) => Promise<string | null>;
  /** Where to go on success (a same-site path). */
  destination: string;
  /** The fields, between the title and the error. */
  children: ReactNode;
  /** Under the button: the link to the other form. */
  footer: ReactNode;
}

export function AuthForm({ label, title, submitLabel, pendingLabel, send, destination, children, footer }: AuthFormProps) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const hydrated = useHydrated();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    const failure = await send(form);
    setPending(false);
    if (failure) {
      setError(failure);
      return;
    }
    router.push(destination);
    router.refresh();
  }

  return (
    <form className="auth-form" method="post" onSubmit={(event) => void submit(event)} aria-label={label}>
      <h1>{title}</h1>
      {children}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <button type="submit" className="primary-button" disabled={!hydrated || pending}>
        {pending ? pendingLabel : submitLabel}
      </button>
      <p className="muted">{footer}</p>
    </form>
  );
}
