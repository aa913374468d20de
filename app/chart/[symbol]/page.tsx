import type { Metadata } from "next";
import { headers } from "next/headers";
import { ChartScreen } from "@/components/chart/chart-screen.tsx";
import { gatewayUrl } from "@/app/gateway-url.ts";
import { sessionUser } from "@/server/auth/session-user.ts";
import { normalizeSymbolId } from "@/server/services/symbol-id.ts";

export const dynamic = "force-dynamic";

interface ChartPageProps {
  params: Promise<{ symbol: string }>;
}

function decodeSymbol(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

export async function generateMetadata({ params }: ChartPageProps): Promise<Metadata> {
  const { symbol } = await params;
  return { title: `${decodeSymbol(symbol).toUpperCase()} · Marketlens` };
}

export default async function ChartPage({ params }: ChartPageProps) {
  const { symbol: raw } = await params;
  const symbol = normalizeSymbolId(decodeSymbol(raw)) ?? decodeSymbol(raw).toUpperCase();
  const user = await sessionUser(await headers());
  return <ChartScreen initialSymbol={symbol} gatewayUrl={await gatewayUrl()} signedIn={user !== null} />;
}
