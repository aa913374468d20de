/** Input schema of GET /api/v1/market/{symbol} and the tRPC procedure `markets.symbol`. */
import { z } from "zod";
import { ZSymbolId } from "./charts.schema.ts";

export const ZMarketInput = z.object({ symbol: ZSymbolId });
export type TMarketInput = z.input<typeof ZMarketInput>;
