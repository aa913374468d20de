"use client";
/** Signs out (Better Auth), then shows /login with the header refreshed. */
import { useRouter } from "next/navigation";
import { useState } from "react";
import { authClient } from "./auth-client.ts";
import { useHydrated } from "./use-hydrated.ts";

export function SignOutButton({ className = "link-button" }: { className?: string }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const hydrated = useHydrated();

  async function signOut() {
    setPending(true);
    await authClient.signOut();
    setPending(false);
    router.push("/login");
    router.refresh();
  }

  return (
    <button type="button" className={className} onClick={() => void signOut()} disabled={!hydrated || pending}>
      {pending ? "Signing out…" : "Sign out"}
    </button>
  );
}
