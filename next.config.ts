/**
 * Next.js configuration for the web process (`next start`). The realtime gateway is a separate
 * process (workers/gateway.ts); browsers connect to it directly, so no rewrites are needed.
 * Edit when a Node-only package is imported from a route handler (add it to serverExternalPackages).
 */
import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Node-only packages are required at runtime instead of bundled.
  serverExternalPackages: ["pino", "ioredis", "pg", "prom-client", "@prisma/adapter-pg", "bullmq"],
  typescript: { ignoreBuildErrors: false },
};

export default nextConfig;
