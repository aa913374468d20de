/**
 * The site header: brand, Charts, Scanner (and Alerts, Settings when signed in), and the account area: the signed-in user with their role,
 * API keys and "Sign out"; or "Sign in" / "Register". The layout passes the user (server/auth/session-user.ts).
 */
import Link from "next/link";
import { SignOutButton } from "./sign-out-button.tsx";

export interface HeaderUser {
  name: string;
  email: string;
  role: "user" | "admin";
}

export function AccountHeader({ user }: { user: HeaderUser | null }) {
  return (
    <header className="site-header">
      <nav className="site-nav" aria-label="Main">
        <Link href="/" className="site-brand">
          Marketlens
        </Link>
        <Link href="/chart/BINANCE:BTCUSDT">Charts</Link>
        <Link href="/scanner">Scanner</Link>
        {user ? <Link href="/alerts">Alerts</Link> : null}
        {user ? <Link href="/settings/notifications">Settings</Link> : null}
      </nav>
      <div className="site-account" data-testid="account">
        {user ? (
          <>
            <Link href="/settings/api-keys">API keys</Link>
            <span data-testid="signed-in-user" title={user.name}>
              {user.email}
            </span>
            {user.role === "admin" ? <span className="role-badge">admin</span> : null}
            <SignOutButton />
          </>
        ) : (
          <>
            <Link href="/login">Sign in</Link>
            <Link href="/register">Register</Link>
          </>
        )}
      </div>
    </header>
  );
}
