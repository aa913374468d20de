/** Input schema of GET /api/v1/quality/{symbol} and the tRPC procedure `quality.status`. */
import { z } from "zod";
import { ZSymbolId } from "./charts.schema.ts";

export const ZQualityInput = z.object({ symbol: ZSymbolId });
export type TQualityInput = z.input<typeof ZQualityInput>;
