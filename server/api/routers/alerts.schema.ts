/**
 * Input schemas of `alerts.*` (alerts.router.ts) and of the REST routes /api/v1/alerts/* (server/api/rest/alerts.handler.ts).
 * The rule document itself is validated by the domain (`parseRuleDocument`, server/domain/rules), whose message names
 * the path at fault; here it is only "a JSON object". Every other message names the bad field.
 *
 * Shapes (what the UI sends):
 *   create   { rule: RuleDocument, symbol?: "BINANCE:BTCUSDT" | watchlistId?: uuid, evaluateOn?: "close"|"tick", channelIds?: uuid[] }
 *   update   { id, rule?, symbol?, watchlistId?, evaluateOn?, channelIds? }   (symbol and watchlistId replace each other)
 *   setStatus{ id, status: "active"|"paused" }
 *   history  { alertId?, symbol?, from?: ms, to?: ms, sort?: "firedAt"|"barOpenTime"|"symbol"|"alert", order?: "desc"|"asc", page?: 1.., pageSize?: 1..100 }
 *   test     { rule, symbol, lastN?: 1..5000 (default 500) }
 */
import { z } from "zod";
import { ZSymbolId } from "./charts.schema.ts";

export const ALERT_STATUSES = ["active", "paused", "stopped"] as const;
export const EVALUATE_ON = ["close", "tick"] as const;
export const MAX_TEST_BARS = 5_000;
export const DEFAULT_TEST_BARS = 500;

const ZId = z.uuid({ error: "id must be an alert id (a UUID)" });
const ZRuleJson = z.record(z.string(), z.unknown(), { error: "rule must be a JSON object (the rule document: name, timeframe, when, …)" });
const ZEvaluateOn = z.enum(EVALUATE_ON, { error: 'evaluateOn must be "close" or "tick"' });
const ZChannelIds = z.array(z.uuid({ error: "channelIds must be notification channel ids (UUIDs)" })).max(20, { error: "at most 20 channels" });
const ZWatchlistId = z.uuid({ error: "watchlistId must be a watchlist id (a UUID)" });

export const ZAlertIdInput = z.object({ id: ZId });
export type TAlertIdInput = z.infer<typeof ZAlertIdInput>;

export const ZCreateAlertInput = z
  .object({
    rule: ZRuleJson,
    symbol: ZSymbolId.optional(),
    watchlistId: ZWatchlistId.optional(),
    evaluateOn: ZEvaluateOn.default("close"),
    channelIds: ZChannelIds.default([]),
  })
  .refine((input) => (input.symbol === undefined) !== (input.watchlistId === undefined), { message: "give either symbol or watchlistId (one of them)" });
export type TCreateAlertInput = z.infer<typeof ZCreateAlertInput>;

export const ZUpdateAlertInput = z
  .object({
    id: ZId,
    rule: ZRuleJson.optional(),
    symbol: ZSymbolId.optional(),
    watchlistId: ZWatchlistId.optional(),
    evaluateOn: ZEvaluateOn.optional(),
    channelIds: ZChannelIds.optional(),
  })
  .refine((input) => input.symbol === undefined || input.watchlistId === undefined, { message: "give either symbol or watchlistId, not both" });
export type TUpdateAlertInput = z.infer<typeof ZUpdateAlertInput>;

/** "stopped" is set by the engine (a one-time alert fired); setting "active" again re-arms it. */
export const ZSetAlertStatusInput = z.object({ id: ZId, status: z.enum(["active", "paused"], { error: 'status must be "active" or "paused"' }) });
export type TSetAlertStatusInput = z.infer<typeof ZSetAlertStatusInput>;

/** What the history can be sorted by (then newest first, then id, so pages are stable). */
export const HISTORY_SORTS = ["firedAt", "barOpenTime", "symbol", "alert"] as const;

export const ZAlertHistoryInput = z
  .object({
    alertId: ZId.optional(),
    symbol: ZSymbolId.optional(),
    /** Bar open time ≥ from (epoch ms). */
    from: z.number({ error: "from must be epoch milliseconds" }).int().optional(),
    /** Bar open time < to (epoch ms). */
    to: z.number({ error: "to must be epoch milliseconds" }).int().optional(),
    sort: z.enum(HISTORY_SORTS, { error: `sort must be one of ${HISTORY_SORTS.join(", ")}` }).default("firedAt"),
    order: z.enum(["desc", "asc"], { error: 'order must be "desc" or "asc"' }).default("desc"),
    page: z.number().int().min(1, { error: "page must be ≥ 1" }).default(1),
    pageSize: z.number().int().min(1).max(100, { error: "pageSize must be from 1 to 100" }).default(25),
  })
  .default({ sort: "firedAt", order: "desc", page: 1, pageSize: 25 });
export type TAlertHistoryInput = z.infer<typeof ZAlertHistoryInput>;

export const ZTestAlertInput = z.object({
  rule: ZRuleJson,
  symbol: ZSymbolId,
  lastN: z.number().int().min(1).max(MAX_TEST_BARS, { error: `lastN must be from 1 to ${MAX_TEST_BARS}` }).default(DEFAULT_TEST_BARS),
});
export type TTestAlertInput = z.infer<typeof ZTestAlertInput>;

export const ZCreateWatchlistInput = z.object({
  name: z.string().trim().min(1, { error: "name must not be empty" }).max(100),
  symbols: z.array(ZSymbolId).max(500, { error: "at most 500 symbols" }).default([]),
});
export type TCreateWatchlistInput = z.infer<typeof ZCreateWatchlistInput>;

export const ZUpdateWatchlistInput = z.object({
  id: ZWatchlistId,
  name: z.string().trim().min(1).max(100).optional(),
  symbols: z.array(ZSymbolId).max(500, { error: "at most 500 symbols" }).optional(),
});
export type TUpdateWatchlistInput = z.infer<typeof ZUpdateWatchlistInput>;
