/**
 * Vitest for unit (`*.test.ts`) and integration (`*.integration-test.ts`) tests.
 * `npm test` runs it with DATABASE_URL / REDIS_URL pointing at the test database and Redis
 * (marketlens_test, namespace mltest); run alone it needs them in the environment.
 * API tests against the running stack have their own config: vitest.api.config.ts.
 */
import { defineConfig } from "vitest/config";

process.env.TZ = "UTC";

export default defineConfig({
  resolve: { alias: [{ find: /^@\//, replacement: `${import.meta.dirname}/` }] },
  test: {
    include: ["**/*.test.ts", "**/*.test.tsx", "**/*.integration-test.ts"],
    exclude: ["**/node_modules/**", "**/.next/**", "**/.data/**", "e2e/**", "**/*.api-test.ts"],
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: { TZ: "UTC" },
  },
});
