// The tRPC app router: add a sub-router here when a new area gets procedures.
import { adminRouter } from "./routers/admin.router.ts";
import { alertsRouter } from "./routers/alerts.router.ts";
import { analyticsRouter } from "./routers/analytics.router.ts";
import { channelsRouter } from "./routers/channels.router.ts";
import { chartsRouter } from "./routers/charts.router.ts";
import { healthRouter } from "./routers/health.router.ts";
import { marketsRouter } from "./routers/markets.router.ts";
import { qualityRouter } from "./routers/quality.router.ts";
import { screensRouter } from "./routers/screens.router.ts";
import { symbolsRouter } from "./routers/symbols.router.ts";
import { createCallerFactory, router } from "./trpc.ts";

export const appRouter = router({
  admin: adminRouter,
  alerts: alertsRouter,
  channels: channelsRouter,
  charts: chartsRouter,
  symbols: symbolsRouter,
  health: healthRouter,
  analytics: analyticsRouter,
  quality: qualityRouter,
  markets: marketsRouter,
  screens: screensRouter,
});

export type AppRouter = typeof appRouter;

/** Server-side caller (tests, server components): `createCaller(createTRPCContext())`. */
export const createCaller = createCallerFactory(appRouter);
