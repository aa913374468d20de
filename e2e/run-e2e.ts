/**
 * Browser tests entry: `node --import tsx e2e/run-e2e.ts` with the stack running and
 * MARKETLENS_TEST_BASE_URL set (default http://127.0.0.1:3000): the crypto chart (chart.e2e.ts), then the
 * stock charts and their market labels (market-status.e2e.ts), accounts (auth.e2e.ts), then alerts, notification
 * settings, the scanner and the admin page, each as a fresh user (alerts.e2e.ts, notifications.e2e.ts, scanner.e2e.ts, admin.e2e.ts). Uses playwright-core with the
 * system Chromium; prints `e2e: N passed, M failed` and exits non-zero on failure.
 */
import { resolve } from "node:path";
import { chromium } from "playwright-core";
import { env } from "../server/env.ts";
import { adminTests } from "./admin.e2e.ts";
import { alertsTests } from "./alerts.e2e.ts";
import { authTests } from "./auth.e2e.ts";
import { chartTests, type ChartContext } from "./chart.e2e.ts";
import { runTests } from "./e2e-runner.ts";
import { marketTests } from "./market-status.e2e.ts";
import { notificationsTests } from "./notifications.e2e.ts";
import { scannerTests } from "./scanner.e2e.ts";

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

const baseUrl = (env().MARKETLENS_TEST_BASE_URL ?? `http://127.0.0.1:${env().WEB_PORT}`).replace(/\/$/, "");
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
let result = { passed: 0, failed: 1 };
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 }, deviceScaleFactor: 1 });
  const context: ChartContext = {
    page,
    baseUrl,
    screenshotPath: resolve(import.meta.dirname, "../docs/screenshots/chart.png"),
    pageErrors: [],
  };
  page.on("pageerror", (error) => context.pageErrors.push(error.message));
  console.log(`e2e against ${baseUrl}`);
  result = await runTests([...chartTests, ...marketTests], context);
  // Accounts last, in their own browser context: the tests above run signed out (guest token).
  const accounts = await runTests(authTests, { browser, baseUrl, pageErrors: context.pageErrors });
  result = { passed: result.passed + accounts.passed, failed: result.failed + accounts.failed };
  // Alerts, notification settings and the scanner: each file registers its own user in its own context.
  const session = { browser, baseUrl, pageErrors: context.pageErrors };
  for (const tests of [alertsTests, notificationsTests, scannerTests, adminTests]) {
    const outcome = await runTests(tests, session);
    result = { passed: result.passed + outcome.passed, failed: result.failed + outcome.failed };
  }
} finally {
  await browser.close();
}
console.log(`e2e: ${result.passed} passed, ${result.failed} failed`);
process.exit(result.failed > 0 ? 1 : 0);
