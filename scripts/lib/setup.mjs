/**
 * The set-up every command shares: leftovers of killed runs, npm install, Prisma client,
 * PostgreSQL + Redis + the run's database, migrations and symbols. Each part is skipped when done.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ensureAuthSecret } from "./auth-secret.mjs";
import { migrateAndSeed } from "./database.mjs";
import { ensureNodeModules, ensurePrismaClient } from "./install.mjs";
import { checkpoint } from "./lifecycle.mjs";
import { ROOT } from "./paths.mjs";
import { setUpServices } from "./services.mjs";
import { killLeftovers } from "./supervisor.mjs";

/** Loads .env (when present) without overriding variables that are already set. */
export function loadDotEnv() {
  const file = join(ROOT, ".env");
  if (existsSync(file)) process.loadEnvFile(file);
}

/**
 * @param {{ database?: string, durable: boolean, chromium?: boolean, env: NodeJS.ProcessEnv }} options
 *   env: variables of this command (namespace, ports...) on top of process.env
 * @returns {Promise<NodeJS.ProcessEnv>} the environment for everything the command runs
 */
export async function setUp({ database, durable, chromium = false, env }) {
  await killLeftovers();
  checkpoint();
  await ensureNodeModules();
  checkpoint();
  await ensurePrismaClient();
  checkpoint();
  const services = await setUpServices({ database, durable, chromium });
  checkpoint();
  const full = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...env, ...services };
  full.AUTH_SECRET = ensureAuthSecret(full); // web and gateway must share it (.data/auth-secret)
  await migrateAndSeed(full);
  checkpoint();
  return full;
}
