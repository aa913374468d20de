/**
 * `npm test`: set-up on database marketlens_test / namespace mltest, then typecheck, vitest (unit +
 * integration), import directions, build, the full stack on test ports with the replay feed, API
 * tests and the Chromium e2e run. Ends with "tests: N passed, M failed".
 */
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ensureBuild } from "./build.mjs";
import { resetData } from "./database.mjs";
import { SetupError, bold, green, printFailure, red, seconds, step, yellow } from "./log.mjs";
import { checkpoint, runCleanup } from "./lifecycle.mjs";
import { httpGet, waitFor } from "./net.mjs";
import { DATA, ROOT, bin } from "./paths.mjs";
import { run, tail } from "./proc.mjs";
import { setUp } from "./setup.mjs";
import { feedEnv, startStack } from "./stack.mjs";
import { findChromium } from "./system.mjs";

// MARKETLENS_TEST_PORT_BASE moves the six ports (web, gateway, the three fake exchanges, the e2e SMTP sink), for two checkouts (or npm start beside npm test) at once.
const PORT_BASE = Number(process.env.MARKETLENS_TEST_PORT_BASE || 3100);
const TEST_PORTS = { WEB_PORT: String(PORT_BASE), GATEWAY_PORT: String(PORT_BASE + 1), REPLAY_PORT: String(PORT_BASE + 2), REPLAY_ALPACA_PORT: String(PORT_BASE + 3), REPLAY_YAHOO_PORT: String(PORT_BASE + 4) };
const BASE_URL = `http://127.0.0.1:${TEST_PORTS.WEB_PORT}`;

/** Stage results: { name, ok, passed?, failed?, ms, note? } */
const results = [];

async function stage(name, body) {
  checkpoint();
  const started = Date.now();
  let result;
  try {
    result = await body();
  } catch (error) {
    if (error?.name === "Interrupted") throw error;
    printFailure(error);
    result = { ok: false, note: error.message };
  }
  results.push({ name, ms: Date.now() - started, ...result });
  return result;
}

/** Runs vitest with the JSON reporter and reads the counts. */
async function vitest(label, args, env) {
  const outputFile = join(DATA, `vitest-${label}.json`);
  rmSync(outputFile, { force: true });
  const result = await run(bin("vitest"), ["run", ...args, "--passWithNoTests", "--reporter=default", "--reporter=json", `--outputFile=${outputFile}`], { env });
  if (!existsSync(outputFile)) return { ok: false, passed: 0, failed: 1, note: `vitest wrote no report (exit code ${result.code})` };
  const report = JSON.parse(readFileSync(outputFile, "utf8"));
  const passed = report.numPassedTests ?? 0;
  let failed = report.numFailedTests ?? 0;
  // A file that fails to load counts no tests but fails the run.
  if (result.code !== 0 && failed === 0) failed = Math.max(1, report.numFailedTestSuites ?? 0);
  return { ok: result.code === 0 && failed === 0, passed, failed };
}

/** Project files whose name ends with the suffix (node_modules, .next, .data, .git skipped). */
function findFiles(suffix, dir = ROOT, found = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (["node_modules", ".next", ".data", ".git"].includes(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) findFiles(suffix, path, found);
    else if (entry.name.endsWith(suffix)) found.push(path);
  }
  return found;
}

/**
 * True when the health body reports a healthy collector: an object with status "healthy" that is a
 * CollectorHealth (has `mode`, docs/architecture.md) or sits under a key naming the collector.
 */
export function collectorHealthy(body, parentKey = "", grandKey = "") {
  if (!body || typeof body !== "object") return false;
  if (body.status === "healthy" && ("mode" in body || /collector/i.test(parentKey) || /collector/i.test(grandKey))) return true;
  return Object.entries(body).some(([key, value]) => collectorHealthy(value, key, parentKey));
}

async function waitHealthy() {
  let last = { status: 0, error: "no answer yet" };
  const healthy = await waitFor(
    async () => {
      last = await httpGet(`${BASE_URL}/api/v1/health`, 3_000);
      try {
        return last.status === 200 && collectorHealthy(JSON.parse(last.body));
      } catch {
        return false;
      }
    },
    { timeoutMs: 120_000, intervalMs: 1_000 },
  );
  return { healthy, last };
}

async function e2e(env) {
  const runner = join(ROOT, "e2e", "run-e2e.ts");
  if (!existsSync(runner)) return { ok: false, failed: 1, note: "e2e/run-e2e.ts is missing" };
  const result = await run(process.execPath, ["--import", "tsx", runner], { env, tee: true });
  const lines = (result.stdout + result.stderr).trim().split("\n").reverse();
  const summary = lines.map((line) => /e2e: (\d+) passed, (\d+) failed/.exec(line)).find(Boolean);
  if (!summary) return { ok: false, failed: 1, note: `no "e2e: N passed, M failed" line (exit code ${result.code})` };
  const passed = Number(summary[1]);
  const failed = Number(summary[2]);
  return { ok: result.code === 0 && failed === 0, passed, failed: result.code !== 0 && failed === 0 ? 1 : failed };
}

function printSummary() {
  console.log(`\n${bold("Summary")}`);
  let passed = 0;
  let failed = 0;
  for (const result of results) {
    const counts = result.passed !== undefined || result.failed ? `${result.passed ?? 0} passed, ${result.failed ?? 0} failed` : "";
    const mark = result.ok ? green("✓") : result.skipped ? yellow("-") : red("✗");
    console.log(`  ${mark} ${result.name.padEnd(28)} ${counts.padEnd(24)} ${seconds(result.ms).padStart(7)}${result.note ? `  ${result.note}` : ""}`);
    passed += result.passed ?? 0;
    // A failed stage without failed tests (typecheck, import check, build, health) counts as one failure.
    failed += result.failed ? result.failed : result.ok || result.skipped ? 0 : 1;
  }
  console.log(`tests: ${passed} passed, ${failed} failed`);
  return failed === 0 && results.every((result) => result.ok || result.skipped) ? 0 : 1;
}

/** The stack on test ports (clean data, replay feed) and the stages that need it: API tests, e2e. */
async function stackStages(env) {
  // Only these stages talk to the running stack: integration tests start their own servers.
  const stackEnv = { ...feedEnv(env, "replay"), MARKETLENS_TEST_BASE_URL: BASE_URL };
  let crashed = null;
  let supervisor;
  const crashError = () => new SetupError(crashed.message, [`its log: .data/logs/test-${crashed.name}.log`], supervisor.tail(crashed.name));

  const up = await stage("full stack (replay feed)", async () => {
    await resetData(env);
    supervisor = await startStack({ env: stackEnv, feed: "replay", echo: false, logPrefix: "test", onCrash: (name, message) => (crashed ??= { name, message }) });
    if (crashed) throw crashError();
    step(`Health: waiting for ${BASE_URL}/api/v1/health to report the collector healthy (up to 120 s)`);
    const { healthy, last } = await waitHealthy();
    checkpoint();
    if (crashed) throw crashError();
    if (!healthy) {
      throw new SetupError("the collector did not report healthy within 120 s", [
        "the health body and the collector's last lines are above; logs in .data/logs/test-*.log",
      ], `health (HTTP ${last.status}): ${tail(last.body ?? last.error ?? "", 20)}\n${supervisor.tail("collector", 30)}`);
    }
    return { ok: true };
  });
  if (!up.ok) return;

  const apiTests = findFiles(".api-test.ts");
  if (apiTests.length > 0) {
    await stage("API tests (vitest)", async () => {
      step(`API tests: vitest run --config vitest.api.config.ts (${apiTests.length} files against ${BASE_URL})`);
      return vitest("api", ["--config", "vitest.api.config.ts"], stackEnv);
    });
  }
  await stage("e2e (Chromium)", async () => {
    step("End-to-end: node --import tsx e2e/run-e2e.ts");
    return e2e(stackEnv);
  });
  if (crashed) results.push({ name: "full stack stayed up", ok: false, ms: 0, note: crashed.message });
}

export async function test() {
  const env = await setUp({
    database: "marketlens_test",
    durable: false,
    chromium: true,
    env: {
      NODE_ENV: "test",
      TZ: "UTC",
      MARKETLENS_NAMESPACE: "mltest",
      MARKETLENS_FEED: "replay",
      REPLAY_SPEED: "1",
      GATEWAY_PUBLIC_URL: "",
      // API and e2e tests send many requests from 127.0.0.1; the 429 itself is proven by server/auth/auth.integration-test.ts.
      RATE_LIMIT_REQUESTS: "100000",
      // The e2e webhook/Slack receivers listen on 127.0.0.1, which the SSRF guard refuses unless an admin allows it.
      NOTIFY_ALLOWED_HOSTS: "127.0.0.1",
      // The notifier sends email to the SMTP sink the alert e2e test starts on this port (e2e/e2e-receivers.ts).
      SMTP_URL: `smtp://127.0.0.1:${PORT_BASE + 5}`,
      ...TEST_PORTS,
    },
  });
  env.CHROMIUM_PATH ||= findChromium() ?? "";
  // MARKETLENS_TEST_STAGES=stack: only build + the stack stages (API tests, e2e), for iterating on them; CI runs everything.
  const stackOnly = process.env.MARKETLENS_TEST_STAGES === "stack";

  if (!stackOnly) await stage("typecheck (tsc --noEmit)", async () => {
    step("Typecheck: tsc --noEmit");
    return { ok: (await run(bin("tsc"), ["--noEmit"], { env })).code === 0 };
  });
  if (!stackOnly) await stage("unit + integration (vitest)", async () => {
    step("Unit and integration tests: vitest run");
    return vitest("unit", [], env);
  });
  if (!stackOnly) await stage("import directions", async () => {
    step("Import directions: node scripts/check-imports.mjs");
    return { ok: (await run(process.execPath, [join(ROOT, "scripts", "check-imports.mjs")], { env })).code === 0 };
  });
  const built = await stage("web build (next build)", async () => {
    await ensureBuild(env);
    return { ok: true };
  });
  if (built.ok) await stackStages(env);
  else results.push({ name: "full stack", ok: false, skipped: true, ms: 0, note: "skipped: the build failed" });

  await runCleanup(); // stack, then the services this run started: before the summary line
  return printSummary();
}
