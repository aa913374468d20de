/**
 * Dispatches `start`, `test` and `bench`, and owns the single way out: clean-up, then exit code.
 * Ctrl-C/SIGTERM: `start` exits 0 after stopping everything; `test` and `bench` exit 130.
 */
import { bench } from "./bench.mjs";
import { interrupt, runCleanup } from "./lifecycle.mjs";
import { note, printFailure, step } from "./log.mjs";
import { killForeground } from "./proc.mjs";
import { loadDotEnv } from "./setup.mjs";
import { start } from "./start.mjs";
import { test } from "./test.mjs";

const COMMANDS = { start, test, bench };
let finished = false;

/** Clean up and exit on a path the normal flow did not take (crash, event loop empty). */
function abort(error) {
  if (finished) return;
  finished = true;
  printFailure(error);
  runCleanup().then(() => process.exit(1));
}

function installProcessHandlers(name) {
  let firstSignalAt = 0;
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, () => {
      if (interrupt(signal)) {
        firstSignalAt = Date.now();
        console.log("");
        step(`${signal} received: stopping`);
        killForeground();
      } else if (Date.now() - firstSignalAt > 1_000) {
        // (a terminal's Ctrl-C reaches npm and us at once: only later repeats are the user's)
        note("already stopping, please wait");
      }
    });
  }
  // Output closed early (`npm start | head`) must not kill us before the clean-up.
  process.stdout.on("error", () => undefined);
  process.stderr.on("error", () => undefined);
  process.on("uncaughtException", abort);
  // A promise nobody settles, with nothing left to wait for, would end the process silently
  // (exit 0, no clean-up): treat that as the bug it is.
  process.on("beforeExit", () => abort(new Error(`${name} stopped waiting on something that can never happen (event loop empty)`)));
}

export async function main(argv) {
  const name = argv[0];
  const command = COMMANDS[name];
  if (!command) {
    console.error("usage: node scripts/run.mjs start|test|bench   (npm start, npm test, npm run bench)");
    process.exit(2);
  }
  loadDotEnv();
  installProcessHandlers(name);

  let code;
  try {
    code = await command(argv.slice(1));
  } catch (error) {
    if (error?.name === "Interrupted") {
      code = name === "start" ? 0 : 130;
    } else {
      printFailure(error);
      code = 1;
    }
  }
  await runCleanup();
  finished = true;
  process.exit(code);
}
