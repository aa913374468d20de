#!/usr/bin/env node
// `marketlens` CLI launcher: runs server/cli/main.ts under tsx, with the flag Node 20 needs for the
// WebAssembly schema engine used by `migrate`. Edit server/cli/main.ts to add commands.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("../server/cli/main.ts", import.meta.url));
const tsx = import.meta.resolve("tsx");
const result = spawnSync(
  process.execPath,
  ["--experimental-wasm-modules", "--no-warnings", "--import", tsx, main, ...process.argv.slice(2)],
  { stdio: "inherit" },
);
process.exit(result.status ?? 1);
