/**
 * The site header: brand, Charts, Scanner (and Alerts, Settings when signed in; Admin for admins), and the account area: the signed-in user with their role,
 * the notification bell and toasts, API keys and "Sign out"; or "Sign in" / "Register". The layout passes the user (server/auth/session-user.ts).
 */
import Link from "next/link";
import { NotificationCenter } from "../notifications/notification-center.tsx";
import { SignOutButton } from "./sign-out-button.tsx";

export interface HeaderUser {
  name: string;
  email: string;
  role: "user" | "admin";
}

/** `gatewayUrl`: the realtime gateway for the bell and toasts of a signed-in user. */
export function AccountHeader({ user, gatewayUrl }: { user: HeaderUser | null; gatewayUrl?: string }) {
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
        {user?.role === "admin" ? <Link href="/admin">Admin</Link> : null}
      </nav>
      <div className="site-account" data-testid="account">
        {user ? (
          <>
            {gatewayUrl ? <NotificationCenter gatewayUrl={gatewayUrl} /> : null}
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
