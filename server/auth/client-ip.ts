/**
 * The client's IP address for rate limiting and the audit log. Next's server fills
 * X-Forwarded-For with the socket address only when the request has none, so behind no proxy a
 * client can send its own header: per-IP limits are only as good as the proxy in front (docs/auth.md
 * "Client IP"). With TRUSTED_PROXY_HOPS = n, the n-th address from the right is taken (the one the
 * outermost trusted proxy saw); with 0, the rightmost one.
 */
export function clientIp(headers: Headers, trustedProxyHops: number): string {
  const forwarded = headers.get("x-forwarded-for");
  if (!forwarded) return "unknown";
  const hops = forwarded.split(",").map((part) => part.trim()).filter(Boolean);
  const picked = hops[Math.max(0, hops.length - 1 - trustedProxyHops)];
  return normalizeIp(picked ?? "unknown");
}

/** `::ffff:127.0.0.1` → `127.0.0.1`; strips a port from `1.2.3.4:5678`. */
export function normalizeIp(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  const withPort = /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(address);
  if (withPort?.[1]) return withPort[1];
  return address.slice(0, 64);
}
