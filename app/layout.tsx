import type { Metadata, Viewport } from "next";
import { headers } from "next/headers";
import type { ReactNode } from "react";
import { AccountHeader } from "@/components/auth/account-header.tsx";
import { Providers } from "@/components/providers.tsx";
import { sessionUser } from "@/server/auth/session-user.ts";
import { gatewayUrl } from "./gateway-url.ts";
import "./globals.css";
import "./account.css";

export const metadata: Metadata = {
  title: "Marketlens",
  description: "Real-time crypto and stock market data: live candles, indicators and alerts.",
};

export const viewport: Viewport = { themeColor: "#0e1116", colorScheme: "dark" };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const user = await sessionUser(await headers());
  return (
    <html lang="en">
      <body>
        <AccountHeader user={user} gatewayUrl={user ? await gatewayUrl() : undefined} />
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
