// tRPC `markets.*`: a symbol's exchange, calendar, market status (open/closed, next open) and data delay (the chart's labels).
import { publicProcedure, router } from "../trpc.ts";
import { ZMarketInput } from "./markets.schema.ts";

export const marketsRouter = router({
  symbol: publicProcedure.input(ZMarketInput).query(({ ctx, input }) => ctx.services.markets.symbolInfo(input.symbol)),
});
