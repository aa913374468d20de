/**
 * The realtime gateway's WebSocket URL as the browser should use it, for server components (chart page,
 * scanner page, the header's bell): GATEWAY_PUBLIC_URL, else ws(s)://<host the browser used>:GATEWAY_PORT/ws.
 */
import { headers } from "next/headers";
import { env } from "@/server/env.ts";

export async function gatewayUrl(): Promise<string> {
  const config = env();
  if (config.GATEWAY_PUBLIC_URL) return config.GATEWAY_PUBLIC_URL;
  const requestHeaders = await headers();
  const host = requestHeaders.get("x-forwarded-host") ?? requestHeaders.get("host") ?? "localhost";
  const hostname = host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : (host.split(":")[0] ?? "localhost");
  const secure = requestHeaders.get("x-forwarded-proto") === "https";
  return `${secure ? "wss" : "ws"}://${hostname}:${config.GATEWAY_PORT}/ws`;
}
