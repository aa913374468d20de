#!/usr/bin/env node
// `marketlens` CLI launcher: runs server/cli/main.ts under tsx, with the flag Node 20 needs for the
// WebAssembly schema engine used by `migrate`. Edit server/cli/main.ts to add commands.
// Signals: SIGINT/SIGTERM are passed on to the command, and the launcher waits for it to finish its own
// clean-up (e.g. backfill saving its checkpoint) and exits with its code.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("../server/cli/main.ts", import.meta.url));
const tsx = import.meta.resolve("tsx");
const child = spawn(process.execPath, ["--experimental-wasm-modules", "--no-warnings", "--import", tsx, main, ...process.argv.slice(2)], {
  stdio: "inherit",
});
// Ctrl-C in a terminal already reaches the child (same process group); passing it on covers `kill -INT <launcher>`.
process.on("SIGINT", () => child.kill("SIGINT"));
process.on("SIGTERM", () => child.kill("SIGTERM"));
child.on("exit", (code, signal) => process.exit(code ?? (signal === "SIGINT" ? 130 : 1)));
