/**
 * Vitest for API tests (`*.api-test.ts`): real HTTP against the running stack at
 * MARKETLENS_TEST_BASE_URL (`npm test` starts it on http://127.0.0.1:3100 and runs this config).
 */
import { defineConfig } from "vitest/config";

process.env.TZ = "UTC";

export default defineConfig({
  resolve: { alias: [{ find: /^@\//, replacement: `${import.meta.dirname}/` }] },
  test: {
    include: ["**/*.api-test.ts"],
    exclude: ["**/node_modules/**", "**/.next/**", "**/.data/**"],
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: {
      TZ: "UTC",
      MARKETLENS_TEST_BASE_URL: process.env.MARKETLENS_TEST_BASE_URL ?? "http://127.0.0.1:3100",
    },
  },
});
