// /scanner: live toplists over every active symbol (updated about every second), and a signed-in user's own
// screens; a row or symbol opens its chart.
import type { Metadata } from "next";
import { ScannerScreen } from "@/components/scanner/scanner-screen.tsx";
import { headers } from "next/headers";
import { gatewayUrl } from "@/app/gateway-url.ts";
import { sessionUser } from "@/server/auth/session-user.ts";

export const metadata: Metadata = { title: "Scanner · Marketlens" };
export const dynamic = "force-dynamic";

export default async function ScannerPage() {
  const user = await sessionUser(await headers());
  return (
    <main className="settings-page scanner-page">
      <h1>Scanner</h1>
      <p className="muted">
        Every active symbol ranked about once a second: momentum over 1 and 5 minutes and today, traded value, relative volume, RSI(14) extremes and
        distance from VWAP. Click a column to sort, a row to open its chart.
      </p>
      <ScannerScreen gatewayUrl={await gatewayUrl()} signedIn={user !== null} />
    </main>
  );
}
