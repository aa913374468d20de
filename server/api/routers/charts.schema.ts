/**
 * Input schemas of chart reads, shared by the tRPC `charts.history` procedure (typed input) and
 * the REST route GET /api/v1/charts/{symbol} (query strings). Every message names the bad field.
 */
import { z } from "zod";
import { TIMEFRAMES } from "../../domain/time/timeframes.ts";
import { SYMBOL_ID_HINT, normalizeSymbolId } from "../../services/symbol-id.ts";

export const MAX_CHART_LIMIT = 5_000;
export const DEFAULT_CHART_LIMIT = 500;

const show = (value: unknown) => (typeof value === "string" ? JSON.stringify(value) : String(value));
const limitMessage = (input: unknown) =>
  `limit must be an integer from 1 to ${MAX_CHART_LIMIT} (got ${show(input)})`;

export const ZSymbolId = z.string({ error: "symbol is required" }).transform((value, context) => {
  const symbol = normalizeSymbolId(value);
  if (!symbol) {
    context.addIssue({ code: "custom", message: `symbol ${JSON.stringify(value)} is invalid: expected ${SYMBOL_ID_HINT}` });
    return z.NEVER;
  }
  return symbol;
});

export const ZTimeframe = z.enum(TIMEFRAMES, {
  error: (issue) => `timeframe ${show(issue.input)} is unknown: expected one of ${TIMEFRAMES.join(", ")}`,
});

export const ZChartLimit = z
  .number({ error: (issue) => limitMessage(issue.input) })
  .int({ error: (issue) => limitMessage(issue.input) })
  .min(1, { error: (issue) => limitMessage(issue.input) })
  .max(MAX_CHART_LIMIT, { error: (issue) => limitMessage(issue.input) });

/** tRPC `charts.history` input. */
export const ZChartHistoryInput = z.object({
  symbol: ZSymbolId,
  timeframe: ZTimeframe.default("1m"),
  limit: ZChartLimit.default(DEFAULT_CHART_LIMIT),
});
export type TChartHistoryInput = z.input<typeof ZChartHistoryInput>;

/** REST query: every value arrives as a string (or is missing). */
export const ZChartRestQuery = z.object({
  symbol: ZSymbolId,
  timeframe: ZTimeframe.default("1m"),
  limit: z
    .string()
    .optional()
    .transform((value, context) => {
      if (value === undefined) return DEFAULT_CHART_LIMIT;
      if (!/^\d{1,6}$/.test(value)) {
        context.addIssue({ code: "custom", message: limitMessage(value) });
        return z.NEVER;
      }
      return Number(value);
    })
    .pipe(ZChartLimit),
});
export type TChartRestQuery = z.output<typeof ZChartRestQuery>;
