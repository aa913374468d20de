// tRPC `charts.*`: chart history (bars from Redis or PostgreSQL plus the live bar).
import { publicProcedure, router } from "../trpc.ts";
import { ZChartHistoryInput } from "./charts.schema.ts";

export const chartsRouter = router({
  history: publicProcedure.input(ZChartHistoryInput).query(({ ctx, input }) => ctx.services.chart.getChartBars(input)),
});
