// tRPC `quality.*`: a symbol's data-quality score, counts and last quarantined items (the chart's quality badge).
import { publicProcedure, router } from "../trpc.ts";
import { ZQualityInput } from "./quality.schema.ts";

export const qualityRouter = router({
  status: publicProcedure.input(ZQualityInput).query(({ ctx, input }) => ctx.services.quality.status(input.symbol)),
});
