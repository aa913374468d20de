// /alerts: the signed-in user's alerts (create, edit, pause, delete, test) and their firing history.
import type { Metadata } from "next";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { AlertsScreen } from "@/components/alerts/alerts-screen.tsx";
import { sessionUser } from "@/server/auth/session-user.ts";

export const metadata: Metadata = { title: "Alerts · Marketlens" };
export const dynamic = "force-dynamic";

export default async function AlertsPage({ searchParams }: { searchParams: Promise<{ symbol?: string | string[] }> }) {
  const user = await sessionUser(await headers());
  if (!user) redirect("/login?next=/alerts");
  const { symbol } = await searchParams;
  return (
    <main className="settings-page alerts-page">
      <h1>Alerts</h1>
      <p className="muted">
        Rules on price, indicators, volume, candlestick patterns and data quality, evaluated on every closed bar (or every tick). Firings appear as a toast and in the bell, and go to the
        channels you pick (Settings → Notifications).
      </p>
      <AlertsScreen defaultSymbol={typeof symbol === "string" && symbol.includes(":") ? symbol.toUpperCase() : "BINANCE:BTCUSDT"} />
    </main>
  );
}
