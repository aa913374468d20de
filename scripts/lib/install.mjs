/**
 * npm dependencies and the generated Prisma client, each redone only when its inputs changed.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { SetupError, note, seconds, step } from "./log.mjs";
import { ROOT, bin } from "./paths.mjs";
import { capture, run, tail } from "./proc.mjs";
import { hashInputs, readStamp, writeStamp } from "./stamp.mjs";

const npmInputs = () => hashInputs(["package.json", "package-lock.json"], [process.versions.modules, process.arch]);

/** `npm install` when node_modules is missing or package.json / package-lock.json changed. Never `npm ci` (STACK.md §0). */
export async function ensureNodeModules() {
  const present = existsSync(join(ROOT, "node_modules", ".package-lock.json"));
  if (present && readStamp("npm-install") === npmInputs()) {
    step("Dependencies: node_modules is up to date (skipped npm install)");
    return;
  }
  step(`Dependencies: npm install --no-audit --no-fund (${present ? "package.json or package-lock.json changed" : "node_modules is missing"})`);
  const started = Date.now();
  const result = await run("npm", ["install", "--no-audit", "--no-fund"], {
    env: { ...process.env, npm_config_update_notifier: "false" },
  });
  if (result.code !== 0) {
    throw new SetupError("npm install failed (its output is above)", [
      "the npm registry must be reachable; check your network or proxy (npm config get registry)",
      "then run the same command again; do not use `npm ci` here (the lockfile lacks other platforms' optional packages)",
    ]);
  }
  writeStamp("npm-install", npmInputs()); // the lockfile may have been rewritten: hash it afterwards
  note(`installed in ${seconds(Date.now() - started)}`);
}

const prismaInputs = () => hashInputs(["prisma/schema.prisma", "prisma.config.ts", "package-lock.json"]);

/** `prisma generate` when the schema changed or server/generated/prisma is missing. */
export async function ensurePrismaClient() {
  const output = join(ROOT, "server", "generated", "prisma");
  if (existsSync(output) && readStamp("prisma-generate") === prismaInputs()) {
    step("Prisma client: server/generated/prisma is up to date (skipped prisma generate)");
    return;
  }
  step("Prisma client: PRISMA_SCHEMA_ENGINE_BINARY=/bin/true prisma generate");
  // The schema engine cannot be downloaded offline; generate does not need it (STACK.md §2a).
  const result = await capture(bin("prisma"), ["generate"], {
    env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: "/bin/true", PRISMA_HIDE_UPDATE_MESSAGE: "1" },
  });
  if (result.code !== 0) {
    throw new SetupError("prisma generate failed", ["fix prisma/schema.prisma (the error is above), then run the command again"], tail(result.stdout + result.stderr, 30));
  }
  writeStamp("prisma-generate", prismaInputs());
}
