// /scanner: live toplists over every active symbol (updated about every second); a row opens its chart.
import type { Metadata } from "next";
import { ScannerScreen } from "@/components/scanner/scanner-screen.tsx";
import { gatewayUrl } from "@/app/gateway-url.ts";

export const metadata: Metadata = { title: "Scanner · Marketlens" };
export const dynamic = "force-dynamic";

export default async function ScannerPage() {
  return (
    <main className="settings-page scanner-page">
      <h1>Scanner</h1>
      <p className="muted">
        Every active symbol ranked about once a second: momentum over 1 and 5 minutes and today, traded value, relative volume, RSI(14) extremes and
        distance from VWAP. Click a column to sort, a row to open its chart.
      </p>
      <ScannerScreen gatewayUrl={await gatewayUrl()} />
    </main>
  );
}
