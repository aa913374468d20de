// tRPC `symbols.*`: the active symbol universe, grouped by exchange for the selector.
import { publicProcedure, router } from "../trpc.ts";

export const symbolsRouter = router({
  list: publicProcedure.query(({ ctx }) => ctx.services.symbols.groupedByExchange()),
});
