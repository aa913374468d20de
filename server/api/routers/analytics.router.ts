// tRPC `analytics.*`: the latest indicators, candlestick patterns and enriched description of a stream (null before its first analysed bar).
import { publicProcedure, router } from "../trpc.ts";
import { ZAnalyticsLatestInput } from "./analytics.schema.ts";

export const analyticsRouter = router({
  latest: publicProcedure.input(ZAnalyticsLatestInput).query(({ ctx, input }) => ctx.services.analytics.latestAnalytics(input)),
});
