/**
 * `npm run bench`: set-up on database marketlens_bench / namespace mlbench, then bench/run-all.ts
 * (runs every bench/*.bench.ts and writes docs/benchmarks.md). Figures only: nothing fails on time.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { SetupError, step } from "./log.mjs";
import { ROOT } from "./paths.mjs";
import { run } from "./proc.mjs";
import { setUp } from "./setup.mjs";

/** @param {string[]} args passed to bench/run-all.ts (a file-name filter) */
export async function bench(args = []) {
  const env = await setUp({
    database: "marketlens_bench",
    durable: true, // figures with PostgreSQL's default durability (docs/benchmarks.md shows the settings)
    env: {
      NODE_ENV: "production",
      MARKETLENS_NAMESPACE: "mlbench",
      LOG_LEVEL: process.env.LOG_LEVEL || "warn",
      // Ports for benchmarks that start a server, away from npm start (3000) and npm test (3100).
      WEB_PORT: "3300",
      GATEWAY_PORT: "3301",
      REPLAY_PORT: "3302",
      REPLAY_ALPACA_PORT: "3303",
      REPLAY_YAHOO_PORT: "3304",
    },
  });
  const runner = join(ROOT, "bench", "run-all.ts");
  if (!existsSync(runner)) throw new SetupError("bench/run-all.ts is missing", ["restore it from git or pull the latest main"]);
  step("Benchmarks: node --import tsx bench/run-all.ts (writes docs/benchmarks.md)");
  const result = await run(process.execPath, ["--import", "tsx", runner, ...args], { env });
  return result.code === 0 ? 0 : 1;
}
