/**
 * The production build of the web app: `next build` only when its sources changed since the last
 * successful build (content hash in .data/stamps/next-build) or .next/BUILD_ID is missing.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { SetupError, note, seconds, step } from "./log.mjs";
import { ROOT, bin } from "./paths.mjs";
import { run } from "./proc.mjs";
import { hashInputs, readStamp, writeStamp } from "./stamp.mjs";

const ROOT_FILE = /^(next\.config|postcss\.config|tailwind\.config|middleware|proxy|instrumentation)\.(ts|mts|js|mjs|cjs)$/;

function buildInputs(env) {
  const rootFiles = readdirSync(ROOT).filter((name) => ROOT_FILE.test(name));
  const publicEnv = Object.keys(env).filter((key) => key.startsWith("NEXT_PUBLIC_")).sort().map((key) => `${key}=${env[key]}`);
  return hashInputs(
    ["app", "components", "server", "public", "prisma/schema.prisma", "package.json", "package-lock.json", "tsconfig.json", ...rootFiles],
    publicEnv,
  );
}

/** Runs `next build` when stale. Returns true when it built. */
export async function ensureBuild(env) {
  const hash = buildInputs(env);
  const built = existsSync(join(ROOT, ".next", "BUILD_ID"));
  if (built && readStamp("next-build") === hash) {
    step("Web build: .next is up to date (skipped next build)");
    return false;
  }
  step(`Web build: next build (${built ? "sources changed since the last build" : "no build yet"})`);
  const started = Date.now();
  const result = await run(bin("next"), ["build"], { env: { ...env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" } });
  if (result.code !== 0) {
    throw new SetupError("next build failed (its output is above)", ["fix the file and line it names, then run the command again"]);
  }
  writeStamp("next-build", buildInputs(env)); // after the build: next build may rewrite tsconfig.json
  note(`built in ${seconds(Date.now() - started)}`);
  return true;
}
