// /logout asks before signing out (a GET never changes state: link prefetching must not sign anyone out).
import type { Metadata } from "next";
import Link from "next/link";
import { headers } from "next/headers";
import { SignOutButton } from "@/components/auth/sign-out-button.tsx";
import { sessionUser } from "@/server/auth/session-user.ts";

export const metadata: Metadata = { title: "Sign out · Marketlens" };
export const dynamic = "force-dynamic";

export default async function LogoutPage() {
  const user = await sessionUser(await headers());
  return (
    <div className="auth-form">
      <h1>Sign out</h1>
      {user ? (
        <>
          <p>
            Signed in as <b>{user.email}</b>.
          </p>
          <SignOutButton className="primary-button" />
        </>
      ) : (
        <p>
          You are signed out. <Link href="/login">Sign in</Link>
        </p>
      )}
    </div>
  );
}
