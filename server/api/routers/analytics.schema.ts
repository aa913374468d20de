/**
 * Input schemas of the analytics reads: the REST routes GET /api/v1/indicators/{symbol},
 * /api/v1/features/{symbol}, /api/v1/features/{symbol}/latest (query strings) and the tRPC procedure
 * `analytics.latest`. Every message names the bad parameter and what it accepts.
 */
import { z } from "zod";
import { ZSymbolId, ZTimeframe } from "./charts.schema.ts";

/** Output formats of the range routes. */
export const EXPORT_FORMATS = ["json", "csv", "parquet"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const EARLIEST = Date.UTC(1800, 0, 1);
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Epoch milliseconds of a time parameter: digits are epoch ms; otherwise ISO 8601 (a date is UTC midnight, a
 * time without zone is UTC). undefined when it is neither, names a day that does not exist, or lies outside
 * the years 1800–9999.
 * @example parseTimeParam("2024-01-31T12:00:00Z") // 1706702400000; parseTimeParam("1706702400000") // same
 */
export function parseTimeParam(text: string): number | undefined {
  const value = text.trim();
  let ms: number;
  if (/^-?\d{1,16}$/.test(value)) {
    ms = Number(value);
  } else {
    const match = ISO.exec(value);
    if (!match) return undefined;
    const [, year, month, day, hour, , , , zone] = match;
    const normalized = hour === undefined ? `${year}-${month}-${day}T00:00:00Z` : zone ? value.replace(" ", "T") : `${value.replace(" ", "T")}Z`;
    ms = Date.parse(normalized);
    if (!Number.isFinite(ms)) return undefined;
    // Date.parse rolls 2024-02-30 over to March 1st: refuse days that do not exist.
    const check = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
    if (check.getUTCMonth() !== Number(month) - 1 || check.getUTCDate() !== Number(day)) return undefined;
  }
  return ms >= EARLIEST && ms <= LATEST ? ms : undefined;
}

const show = (value: unknown) => (typeof value === "string" ? JSON.stringify(value) : String(value));

function ZTimeParam(name: string) {
  return z
    .string()
    .optional()
    .transform((value, context): number | null => {
      if (value === undefined || value.trim() === "") return null;
      const ms = parseTimeParam(value);
      if (ms === undefined) {
        context.addIssue({
          code: "custom",
          message: `${name} must be an ISO 8601 time (e.g. 2024-01-31T00:00:00Z) or epoch milliseconds between the years 1800 and 9999 (got ${show(value)})`,
        });
        return z.NEVER;
      }
      return ms;
    });
}

export const ZExportFormat = z.enum(EXPORT_FORMATS, {
  error: (issue) => `format ${show(issue.input)} is unknown: expected one of ${EXPORT_FORMATS.join(", ")}`,
});

const iso = (ms: number) => new Date(ms).toISOString();

function checkRange(query: { from: number | null; to: number | null }, context: z.RefinementCtx): void {
  if (query.from !== null && query.to !== null && query.from > query.to) {
    context.addIssue({ code: "custom", message: `from (${iso(query.from)}) is after to (${iso(query.to)})` });
  }
}

const rangeFields = { symbol: ZSymbolId, timeframe: ZTimeframe.default("1m"), from: ZTimeParam("from"), to: ZTimeParam("to"), format: ZExportFormat.default("json") };

/** GET /api/v1/indicators/{symbol}?timeframe&from&to&format: from inclusive, to exclusive. */
export const ZIndicatorsRestQuery = z.object(rangeFields).superRefine(checkRange);
export type TIndicatorsRestQuery = z.output<typeof ZIndicatorsRestQuery>;

/** GET /api/v1/features/{symbol}?timeframe&from&to&asOf&format&featureSet */
export const ZFeaturesRestQuery = z
  .object({
    ...rangeFields,
    asOf: ZTimeParam("asOf"),
    featureSet: z.enum(["v1"], { error: (issue) => `featureSet ${show(issue.input)} is unknown: expected v1` }).default("v1"),
  })
  .superRefine(checkRange);
export type TFeaturesRestQuery = z.output<typeof ZFeaturesRestQuery>;

/** GET /api/v1/features/{symbol}/latest?timeframe, and tRPC `analytics.latest`. */
export const ZLatestQuery = z.object({ symbol: ZSymbolId, timeframe: ZTimeframe.default("1m") });
export type TLatestQuery = z.output<typeof ZLatestQuery>;
export const ZAnalyticsLatestInput = ZLatestQuery;
export type TAnalyticsLatestInput = z.input<typeof ZAnalyticsLatestInput>;
