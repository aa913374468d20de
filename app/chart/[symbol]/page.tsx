import type { Metadata } from "next";
import { headers } from "next/headers";
import { ChartScreen } from "@/components/chart/chart-screen.tsx";
import { sessionUser } from "@/server/auth/session-user.ts";
import { env } from "@/server/env.ts";
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

/** GATEWAY_PUBLIC_URL, else ws(s)://<host the browser used>:GATEWAY_PORT/ws. */
async function gatewayUrl(): Promise<string> {
  const config = env();
  if (config.GATEWAY_PUBLIC_URL) return config.GATEWAY_PUBLIC_URL;
  const requestHeaders = await headers();
  const host = requestHeaders.get("x-forwarded-host") ?? requestHeaders.get("host") ?? "localhost";
  const hostname = host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : (host.split(":")[0] ?? "localhost");
  const secure = requestHeaders.get("x-forwarded-proto") === "https";
  return `${secure ? "wss" : "ws"}://${hostname}:${config.GATEWAY_PORT}/ws`;
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
