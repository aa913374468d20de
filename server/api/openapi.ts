/**
 * OpenAPI 3.1 description of the REST routes, written by hand as a typed object and served at
 * GET /api/v1/openapi.json. Edit together with the route handlers under app/ and server/api/rest/.
 */
import { TIMEFRAMES } from "../domain/time/timeframes.ts";
import { FEATURE_NAMES_V1 } from "../domain/features/feature-set-v1.ts";
import { INDICATOR_KEYS, SCANNER_KEYS } from "../domain/indicators/indicator-types.ts";
import { PATTERN_NAMES } from "../domain/patterns/pattern-registry.ts";
import { CALENDAR_IDS } from "../domain/calendars/exchange-calendar.ts";
import { COLLECTOR_STATUSES, SYMBOL_STATUSES } from "../services/health.service.ts";
import { EXPORT_FORMATS } from "./routers/analytics.schema.ts";
import { DEFAULT_CHART_LIMIT, MAX_CHART_LIMIT } from "./routers/charts.schema.ts";

/** The subset of JSON Schema 2020-12 this document uses. */
export interface JsonSchema {
  type?: "object" | "array" | "string" | "number" | "integer" | "boolean" | "null" | Array<"string" | "number" | "integer" | "null" | "object">;
  format?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: Array<string | number | null>;
  additionalProperties?: boolean | JsonSchema;
  minimum?: number;
  maximum?: number;
  default?: string | number;
  pattern?: string;
  examples?: unknown[];
  $ref?: string;
}

interface MediaType {
  schema: JsonSchema;
  example?: unknown;
}

interface ResponseObject {
  description: string;
  content?: Record<string, MediaType>;
}

interface ParameterObject {
  name: string;
  in: "path" | "query";
  required: boolean;
  description: string;
  schema: JsonSchema;
  example?: string | number;
}

interface OperationObject {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  parameters?: ParameterObject[];
  requestBody?: { required: boolean; content: Record<string, MediaType> };
  /** Empty list: no credentials needed (overrides the document-wide bearer requirement). */
  security?: Array<Record<string, string[]>>;
  responses: Record<string, ResponseObject>;
}

type PathItem = Partial<Record<"get" | "post" | "patch" | "delete", OperationObject>>;

export interface OpenApiDocument {
  openapi: "3.1.0";
  info: { title: string; version: string; description: string; license: { name: string; identifier: string } };
  paths: Record<string, PathItem>;
  security: Array<Record<string, string[]>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, { type: "http"; scheme: "bearer"; bearerFormat?: string; description: string }> };
}

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: JsonSchema): Record<string, MediaType> => ({ "application/json": { schema } });
const errorResponse = (description: string): ResponseObject => ({ description, content: json(ref("Error")) });
const num: JsonSchema = { type: "number" };
const QUALITY_CHECKS = ["price_anomaly", "stale", "invalid_value", "volume_spike"] as const;
const nullableNumber: JsonSchema = { type: ["number", "null"] };

const Bar: JsonSchema = {
  type: "object",
  description: "One OHLCV bar keyed by (symbol, timeframe, openTime). Times are UTC epoch milliseconds.",
  required: ["symbol", "timeframe", "openTime", "open", "high", "low", "close", "volume", "trades", "source"],
  properties: {
    symbol: { type: "string", examples: ["BINANCE:BTCUSDT"] },
    timeframe: { type: "string", enum: [...TIMEFRAMES] },
    openTime: { type: "integer", description: "UTC epoch ms of the bar's first millisecond" },
    open: num,
    high: num,
    low: num,
    close: num,
    volume: { type: "number", description: "Base-asset volume" },
    trades: { type: "integer" },
    source: { type: "string", enum: ["trades", "kline", "rest"] },
  },
};

const Dependency: JsonSchema = {
  type: "object",
  required: ["up", "latencyMs"],
  properties: { up: { type: "boolean" }, latencyMs: nullableNumber, error: { type: "string" } },
};

const Collector: JsonSchema = {
  type: "object",
  required: ["name", "mode", "status", "healthy", "lastMessageAt", "lastMessageAgeMs", "updatedAt", "reconnects", "symbols"],
  properties: {
    name: { type: "string", examples: ["binance"] },
    mode: { type: "string", enum: ["live", "replay"] },
    status: {
      type: "string",
      enum: [...COLLECTOR_STATUSES],
      description: "disabled (switched off by configuration) and closed (market closed, waiting for the next open) never make the system unhealthy",
    },
    reason: { type: "string", description: "Why the collector is not healthy, e.g. \"market closed; opens 2026-11-23T14:30:00Z\"" },
    healthy: { type: "boolean" },
    lastMessageAt: nullableNumber,
    lastMessageAgeMs: { ...nullableNumber, description: "How long ago the collector last received an exchange message" },
    updatedAt: num,
    reconnects: { type: "integer" },
    symbols: {
      type: "object",
      additionalProperties: {
        type: "object",
        required: ["status"],
        properties: {
          status: { type: "string", enum: [...SYMBOL_STATUSES] },
          reason: { type: "string" },
          lastBarAt: nullableNumber,
        },
      },
    },
  },
};

const MARKET_REASONS = ["session", "weekend", "holiday", "before-open", "after-close", "no-calendar-data"];
const marketFields: Record<string, JsonSchema> = {
  open: { type: "boolean", description: "In a regular session now" },
  continuous: { type: "boolean", description: "Trades around the clock (crypto)" },
  reason: { type: "string", enum: MARKET_REASONS, description: "session while open; otherwise why it is closed (no-calendar-data: extend config/holidays)" },
  nextOpen: { ...nullableNumber, description: "UTC epoch ms of the next session open; null beyond the holiday data" },
  problem: { type: ["string", "null"], description: "What is wrong with the calendar data, if anything" },
};

/** One active symbol's market in the health body. */
const SymbolMarket: JsonSchema = {
  type: "object",
  required: ["exchange", "calendar", "delayMinutes", "open", "continuous", "reason", "closesAt", "nextOpen", "holiday", "problem"],
  properties: {
    exchange: { type: "string", examples: ["ALPACA"] },
    calendar: { type: "string", examples: ["NYSE"] },
    delayMinutes: { type: "integer", description: "Minutes the source's data lags the market (Yahoo/BIST: 15)" },
    ...marketFields,
    closesAt: { ...nullableNumber, description: "Close of the session in progress (UTC epoch ms)" },
    holiday: { type: ["string", "null"], description: "Name of today's holiday or early close" },
  },
};

const symbolParameter: ParameterObject = {
  name: "symbol",
  in: "path",
  required: true,
  description: "EXCHANGE:TICKER; the colon may be URL-encoded (%3A)",
  schema: { type: "string", pattern: "^[A-Za-z][A-Za-z0-9_]{1,19}:[A-Za-z0-9][A-Za-z0-9._\\-=^/]{0,31}$" },
  example: "BINANCE:BTCUSDT",
};
const timeframeParameter: ParameterObject = {
  name: "timeframe",
  in: "query",
  required: false,
  description: "Bar size",
  schema: { type: "string", enum: [...TIMEFRAMES], default: "1m" },
};
const timeSchema: JsonSchema = { type: "string", description: "ISO 8601 (a date is UTC midnight, no zone = UTC) or epoch milliseconds", examples: ["2024-01-31T00:00:00Z", "1706659200000"] };
const rangeParameters: ParameterObject[] = [
  symbolParameter,
  timeframeParameter,
  { name: "from", in: "query", required: false, description: "First bar open time, inclusive (default: the beginning)", schema: timeSchema },
  { name: "to", in: "query", required: false, description: "Open time bound, exclusive (default: none)", schema: timeSchema },
  { name: "format", in: "query", required: false, description: "json (one object with `rows`), csv (header line; times as epoch ms and ISO) or parquet (one row group per 2,000 rows; times as TIMESTAMP_MILLIS)", schema: { type: "string", enum: [...EXPORT_FORMATS], default: "json" } },
];
const tabular = (jsonSchema: JsonSchema): Record<string, MediaType> => ({
  "application/json": { schema: jsonSchema },
  "text/csv": { schema: { type: "string" } },
  "application/vnd.apache.parquet": { schema: { type: "string", format: "binary" } },
});
/** Answers every rate-limited route can give (server/api/request-guard.ts). */
const guardErrors = {
  "401": errorResponse("No valid credentials where the route needs them (public charts off, expired token, revoked key)"),
  "429": {
    description: "Rate limit reached (default 100 requests per 60 s per user, or per IP when anonymous); the Retry-After header says when to retry",
    content: json(ref("Error")),
  } satisfies ResponseObject,
};
const ApiKey: JsonSchema = {
  type: "object",
  required: ["id", "name", "prefix", "scope", "createdAt", "lastUsedAt", "revokedAt"],
  properties: {
    id: { type: "string" },
    name: { type: "string" },
    prefix: { type: "string", description: "The first characters of the key, to recognise it" },
    scope: { type: "string", enum: ["read"] },
    createdAt: { type: "string", format: "date-time" },
    lastUsedAt: { type: ["string", "null"], format: "date-time" },
    revokedAt: { type: ["string", "null"], format: "date-time" },
  },
};
const rangeErrors = {
  "400": errorResponse("Invalid symbol, timeframe, time (not ISO 8601 or epoch ms), from after to, or unknown format"),
  "404": errorResponse("The symbol is not in the active symbol list"),
  "503": errorResponse("PostgreSQL could not answer"),
  ...guardErrors,
};
const indicatorValues: Record<string, JsonSchema> = Object.fromEntries([...INDICATOR_KEYS, ...SCANNER_KEYS].map((key) => [key, nullableNumber]));
const featureValues: Record<string, JsonSchema> = Object.fromEntries(FEATURE_NAMES_V1.map((name) => [name, nullableNumber]));
const PatternRef: JsonSchema = {
  type: "object",
  required: ["name", "value"],
  properties: { name: { type: "string", enum: [...PATTERN_NAMES] }, value: { type: "integer", description: "TA-Lib value: ±100, ±80 (100 for neutral patterns)" } },
};

export const openApiDocument: OpenApiDocument = {
  openapi: "3.1.0",
  info: {
    title: "Marketlens API",
    version: "1.0.0",
    description:
      "Market data bars, indicators, versioned ML features and system health. Errors are JSON `{error:{code,message}}`: 400 for invalid input, " +
      "401 without valid credentials where a route needs them, 404 for unknown resources (and for other users' resources), 429 over the rate limit " +
      "(with Retry-After), 503 when the stores cannot answer. Authentication: docs/auth.md. Live updates stream over the realtime " +
      "gateway WebSocket (docs/websocket.md), not over this API.",
    license: { name: "MIT", identifier: "MIT" },
  },
  paths: {
    "/api/v1/charts/{symbol}": {
      get: {
        operationId: "getChart",
        summary: "Newest bars of a symbol and timeframe",
        description:
          "Closed bars ascending by openTime, with the still-open bar last when there is one (liveOpenTime). " +
          "Served from the Redis bar cache when it holds enough bars, otherwise from PostgreSQL.",
        tags: ["charts"],
        parameters: [
          {
            name: "symbol",
            in: "path",
            required: true,
            description: "EXCHANGE:TICKER; the colon may be URL-encoded (%3A)",
            schema: { type: "string", pattern: "^[A-Za-z][A-Za-z0-9_]{1,19}:[A-Za-z0-9][A-Za-z0-9._\\-=^/]{0,31}$" },
            example: "BINANCE:BTCUSDT",
          },
          {
            name: "timeframe",
            in: "query",
            required: false,
            description: "Bar size",
            schema: { type: "string", enum: [...TIMEFRAMES], default: "1m" },
          },
          {
            name: "limit",
            in: "query",
            required: false,
            description: "Number of bars",
            schema: { type: "integer", minimum: 1, maximum: MAX_CHART_LIMIT, default: DEFAULT_CHART_LIMIT },
          },
        ],
        responses: {
          "200": { description: "The bars", content: json(ref("ChartBars")) },
          "400": errorResponse("Invalid symbol, timeframe or limit"),
          "404": errorResponse("The symbol is not in the active symbol list"),
          "503": errorResponse("Neither Redis nor PostgreSQL could answer"),
          ...guardErrors,
        },
      },
    },
    "/api/v1/indicators/{symbol}": {
      get: {
        operationId: "getIndicators",
        summary: "Indicator values and candlestick patterns per closed bar, streamed",
        description:
          "One row per analysed closed bar, ascending by openTime: every series of the indicator core (TA-Lib parity, null during " +
          "warm-up) and the patterns present. Streamed page by page from PostgreSQL, never built in memory.",
        tags: ["analytics"],
        parameters: rangeParameters,
        responses: { "200": { description: "The rows", content: tabular(ref("IndicatorRows")) }, ...rangeErrors },
      },
    },
    "/api/v1/features/{symbol}": {
      get: {
        operationId: "getFeatures",
        summary: "Versioned ML features per closed bar, point-in-time with asOf, streamed",
        description:
          "Feature set v1, one row per bar: its newest version, or with `asOf` the newest version known at that time (rows are " +
          "never overwritten: a recomputation that changes values adds a version with knownAt). `vector` is the normalized 0–1 vector.",
        tags: ["analytics"],
        parameters: [
          ...rangeParameters,
          { name: "asOf", in: "query", required: false, description: "Return what was known at this time (knownAt ≤ asOf)", schema: timeSchema },
          { name: "featureSet", in: "query", required: false, description: "Feature set", schema: { type: "string", enum: ["v1"], default: "v1" } },
        ],
        responses: { "200": { description: "The rows", content: tabular(ref("FeatureRows")) }, ...rangeErrors },
      },
    },
    "/api/v1/features/{symbol}/latest": {
      get: {
        operationId: "getLatestFeatures",
        summary: "The newest feature row of a stream",
        description: "From the Redis cache the analytics worker keeps (TTL two bars + 5 min), or PostgreSQL when Redis is down or the key expired.",
        tags: ["analytics"],
        parameters: [symbolParameter, timeframeParameter],
        responses: {
          "200": { description: "The newest row", content: json(ref("LatestFeatures")) },
          "400": errorResponse("Invalid symbol or timeframe"),
          "404": errorResponse("Unknown symbol, or no bar of it analysed yet"),
          "503": errorResponse("Neither Redis nor PostgreSQL could answer"),
          ...guardErrors,
        },
      },
    },
    "/api/v1/quality/{symbol}": {
      get: {
        operationId: "getQuality",
        summary: "Data-quality score of a symbol and its last quarantined items",
        description:
          "The collector's quality gate (price anomaly, stale, invalid value, volume spike) rejects suspect trades and bars into quarantine; they never reach candles. The snapshot comes from Redis (updated every 5 s), or the newest stored row (one a minute) when Redis is down or the key expired; null before anything was recorded.",
        tags: ["quality"],
        parameters: [symbolParameter],
        responses: {
          "200": { description: "Score, counts and the last 20 quarantined items", content: json(ref("QualityStatus")) },
          "400": errorResponse("Invalid symbol"),
          "404": errorResponse("Unknown symbol"),
          "503": errorResponse("PostgreSQL could not answer"),
          ...guardErrors,
        },
      },
    },
    "/api/v1/market/{symbol}": {
      get: {
        operationId: "getMarket",
        summary: "A symbol's exchange calendar, market status and data delay",
        description:
          "Exchange, calendar (NYSE/NASDAQ 09:30–16:00 America/New_York, BIST 10:00–18:00 Europe/Istanbul, CRYPTO 24/7), whether the market " +
          "is open now with the session close or the next open, the source's data delay, and the calendar's holidays and early closes " +
          "(config/holidays) so a client can recompute the status as time passes.",
        tags: ["markets"],
        parameters: [symbolParameter],
        responses: {
          "200": { description: "The symbol's market", content: json(ref("MarketInfo")) },
          "400": errorResponse("Invalid symbol"),
          "404": errorResponse("The symbol is not in the active symbol list"),
          "503": errorResponse("PostgreSQL or the holiday data could not be read"),
          ...guardErrors,
        },
      },
    },
    "/api/v1/health": {
      get: {
        operationId: "getHealth",
        security: [],
        summary: "System health",
        description:
          "Healthy when PostgreSQL and Redis answer and at least one enabled collector reports, each healthy or closed (market closed); " +
          "disabled collectors are listed but not counted. `markets` has every active symbol's market status.",
        tags: ["operations"],
        responses: {
          "200": { description: "Healthy", content: json(ref("Health")) },
          "503": { description: "Not healthy; `problems` says why", content: json(ref("Health")) },
        },
      },
    },
    "/api/v1/keys": {
      get: {
        operationId: "listApiKeys",
        summary: "Your personal API keys (never the keys themselves)",
        description: "Needs a signed-in session or a user access token; an API key cannot manage keys.",
        tags: ["account"],
        responses: {
          "200": { description: "Your keys, newest first", content: json({ type: "object", required: ["keys"], properties: { keys: { type: "array", items: ref("ApiKey") } } }) },
          ...guardErrors,
        },
      },
      post: {
        operationId: "createApiKey",
        summary: "Create a read-only API key; the answer holds the key, shown this once",
        tags: ["account"],
        requestBody: { required: true, content: json({ type: "object", required: ["name"], properties: { name: { type: "string", description: "1–100 characters" } } }) },
        responses: {
          "201": {
            description: "Created; `key.key` is the secret (ml_…), stored only as a hash",
            content: json({ type: "object", required: ["key"], properties: { key: { ...ApiKey, required: [...(ApiKey.required ?? []), "key"], properties: { ...ApiKey.properties, key: { type: "string" } } } } }),
          },
          "400": errorResponse("Not JSON, empty or long name, or too many active keys"),
          ...guardErrors,
        },
      },
    },
    "/api/v1/notifications": {
      get: {
        operationId: "listNotifications",
        summary: "Your bell: the newest in-app notifications, newest first (live ones come over the gateway, docs/websocket.md)",
        description: "Needs a signed-in session or a user access token.",
        tags: ["account"],
        parameters: [{ name: "limit", in: "query", required: false, description: "1–100 (default 50)", schema: { type: "integer", minimum: 1, maximum: 100 } }],
        responses: {
          "200": {
            description: "The bell",
            content: json({
              type: "object",
              required: ["notifications"],
              properties: {
                notifications: {
                  type: "array",
                  items: {
                    type: "object",
                    required: ["deliveryId", "notificationId", "title", "body", "severity", "sourceRef", "createdAt"],
                    properties: {
                      deliveryId: { type: "string" },
                      notificationId: { type: "string" },
                      title: { type: "string" },
                      body: { type: "string" },
                      severity: { type: "string", enum: ["info", "warning", "critical"] },
                      url: { type: "string" },
                      sourceRef: { type: ["string", "null"] },
                      createdAt: { type: "integer", description: "epoch ms" },
                    },
                  },
                },
              },
            }),
          },
          "400": errorResponse("limit is not a whole number from 1 to 100"),
          "503": errorResponse("Redis did not answer"),
          ...guardErrors,
        },
      },
    },
    "/api/v1/keys/{id}": {
      delete: {
        operationId: "revokeApiKey",
        summary: "Revoke one of your API keys (it answers 401 from then on)",
        tags: ["account"],
        parameters: [{ name: "id", in: "path", required: true, description: "The key's id", schema: { type: "string" } }],
        responses: {
          "200": { description: "The revoked key", content: json({ type: "object", required: ["key"], properties: { key: ref("ApiKey") } }) },
          "404": errorResponse("No such key among yours (another user's key is a 404 too)"),
          ...guardErrors,
        },
      },
    },
    "/api/v1/alerts": {
      get: {
        operationId: "listAlerts",
        summary: "Your alerts, newest first",
        description: "Signed-in session or user access token (API keys are read-only). Semantics: docs/alerts.md.",
        tags: ["alerts"],
        responses: { "200": { description: "Your alerts", content: json({ type: "object", required: ["alerts"], properties: { alerts: { type: "array", items: ref("Alert") } } }) }, ...guardErrors },
      },
      post: {
        operationId: "createAlert",
        summary: "Create an alert: a rule document on one symbol or a watchlist",
        tags: ["alerts"],
        requestBody: { required: true, content: json(ref("AlertInput")) },
        responses: {
          "201": { description: "Created", content: json({ type: "object", required: ["alert"], properties: { alert: ref("Alert") } }) },
          "400": errorResponse("Not JSON, invalid rule (the message names the path at fault), unknown or inactive symbol, unknown channel, or the per-user limit reached"),
          ...guardErrors,
        },
      },
    },
    "/api/v1/alerts/test": {
      post: {
        operationId: "testAlert",
        summary: "The bars among the symbol's last N on which a rule would have fired (as `marketlens alerts test`)",
        tags: ["alerts"],
        requestBody: {
          required: true,
          content: json({ type: "object", required: ["rule", "symbol"], properties: { rule: ref("RuleDocument"), symbol: { type: "string" }, lastN: { type: "integer", minimum: 1, maximum: 5000, default: 500 } } }),
        },
        responses: {
          "200": {
            description: "One entry per firing, oldest first: openTime, close and each metric the rule reads",
            content: json({
              type: "object",
              required: ["symbol", "timeframe", "bars", "from", "to", "firings"],
              properties: { symbol: { type: "string" }, timeframe: { type: "string" }, bars: { type: "integer" }, from: { type: ["integer", "null"] }, to: { type: ["integer", "null"] }, firings: { type: "array", items: { type: "object", additionalProperties: nullableNumber } } },
            }),
          },
          "400": errorResponse("Invalid rule or unknown symbol"),
          ...guardErrors,
        },
      },
    },
    "/api/v1/alerts/{id}": {
      get: {
        operationId: "getAlert",
        summary: "One of your alerts",
        tags: ["alerts"],
        parameters: [{ name: "id", in: "path", required: true, description: "The alert's id (UUID)", schema: { type: "string" } }],
        responses: { "200": { description: "The alert", content: json({ type: "object", required: ["alert"], properties: { alert: ref("Alert") } }) }, "404": errorResponse("No such alert among yours"), ...guardErrors },
      },
      patch: {
        operationId: "updateAlert",
        summary: "Change an alert's rule, target, evaluation mode or channels, or pause/resume it (status)",
        tags: ["alerts"],
        parameters: [{ name: "id", in: "path", required: true, description: "The alert's id (UUID)", schema: { type: "string" } }],
        requestBody: { required: true, content: json({ type: "object", properties: { rule: ref("RuleDocument"), symbol: { type: "string" }, watchlistId: { type: "string" }, evaluateOn: { type: "string", enum: ["close", "tick"] }, channelIds: { type: "array", items: { type: "string" } }, status: { type: "string", enum: ["active", "paused"] } } }) },
        responses: { "200": { description: "The alert", content: json({ type: "object", required: ["alert"], properties: { alert: ref("Alert") } }) }, "400": errorResponse("Invalid input"), "404": errorResponse("No such alert among yours"), ...guardErrors },
      },
      delete: {
        operationId: "deleteAlert",
        summary: "Delete an alert and its history",
        tags: ["alerts"],
        parameters: [{ name: "id", in: "path", required: true, description: "The alert's id (UUID)", schema: { type: "string" } }],
        responses: { "200": { description: "Deleted", content: json({ type: "object", required: ["id", "deleted"], properties: { id: { type: "string" }, deleted: { type: "boolean", description: "always true" } } }) }, "404": errorResponse("No such alert among yours"), ...guardErrors },
      },
    },
    "/api/v1/alerts/{id}/history": {
      get: {
        operationId: "alertHistory",
        summary: "An alert's firings, newest first (or sorted), paginated",
        tags: ["alerts"],
        parameters: [
          { name: "id", in: "path", required: true, description: "The alert's id (UUID)", schema: { type: "string" } },
          { name: "symbol", in: "query", required: false, description: "Only this symbol (watchlist alerts)", schema: { type: "string" } },
          { name: "from", in: "query", required: false, description: "Bar open time ≥ from (epoch ms)", schema: { type: "integer" } },
          { name: "to", in: "query", required: false, description: "Bar open time < to (epoch ms)", schema: { type: "integer" } },
          { name: "sort", in: "query", required: false, description: "Sort key (ties: newest firing first)", schema: { type: "string", enum: ["firedAt", "barOpenTime", "symbol", "alert"], default: "firedAt" } },
          { name: "order", in: "query", required: false, description: "Sort direction", schema: { type: "string", enum: ["desc", "asc"], default: "desc" } },
          { name: "page", in: "query", required: false, description: "1-based page", schema: { type: "integer", default: 1 } },
          { name: "pageSize", in: "query", required: false, description: "1–100", schema: { type: "integer", default: 25 } },
        ],
        responses: {
          "200": { description: "A page of firings", content: json({ type: "object", required: ["items", "total", "page", "pageSize"], properties: { items: { type: "array", items: ref("AlertFiring") }, total: { type: "integer" }, page: { type: "integer" }, pageSize: { type: "integer" } } }) },
          "400": errorResponse("Invalid filters"),
          "404": errorResponse("No such alert among yours"),
          ...guardErrors,
        },
      },
    },
    "/api/v1/channels": {
      get: {
        operationId: "listChannels",
        summary: "Your notification channels (secrets never included)",
        tags: ["alerts"],
        responses: { "200": { description: "Your channels", content: json({ type: "object", required: ["channels"], properties: { channels: { type: "array", items: ref("Channel") } } }) }, ...guardErrors },
      },
      post: {
        operationId: "createChannel",
        summary: "Add an email, Slack, webhook or in-app channel; a webhook's signing secret is in the answer, shown this once",
        tags: ["alerts"],
        requestBody: {
          required: true,
          content: json({ type: "object", required: ["kind", "name"], properties: { kind: { type: "string", enum: ["email", "slack", "webhook", "in_app"] }, name: { type: "string" }, config: { type: "object", description: "{address} for email, {url} for slack/webhook, {} for in_app" }, enabled: { type: "boolean" }, ratePerMinute: { type: "integer" }, rateBurst: { type: "integer" } } }),
        },
        responses: { "201": { description: "Created", content: json({ type: "object", required: ["channel"], properties: { channel: ref("Channel") } }) }, "400": errorResponse("Invalid config or a refused (SSRF) target"), ...guardErrors },
      },
    },
    "/api/v1/channels/{id}": {
      patch: {
        operationId: "updateChannel",
        summary: "Rename a channel, change its target (same SSRF check as creation), enable/disable it or change its rate limit",
        tags: ["alerts"],
        parameters: [{ name: "id", in: "path", required: true, description: "The channel's id (UUID)", schema: { type: "string" } }],
        requestBody: {
          required: true,
          content: json({ type: "object", properties: { name: { type: "string" }, config: { type: "object", description: "{address} for email, {url} for slack/webhook" }, enabled: { type: "boolean" }, ratePerMinute: { type: "integer" }, rateBurst: { type: "integer" } } }),
        },
        responses: { "200": { description: "The channel", content: json({ type: "object", required: ["channel"], properties: { channel: ref("Channel") } }) }, "400": errorResponse("Invalid change or a refused (SSRF) target; nothing changed"), "404": errorResponse("No such channel among yours"), ...guardErrors },
      },
    },
    "/api/v1/channels/{id}/rotate-secret": {
      post: {
        operationId: "rotateChannelSecret",
        summary: "Replace a webhook channel's signing secret; the new secret is in the answer, shown this once, and signs every later send",
        tags: ["alerts"],
        parameters: [{ name: "id", in: "path", required: true, description: "The channel's id (UUID)", schema: { type: "string" } }],
        responses: { "200": { description: "The channel with its new `secret`", content: json({ type: "object", required: ["channel"], properties: { channel: ref("Channel") } }) }, "400": errorResponse("Not a webhook channel"), "404": errorResponse("No such channel among yours"), ...guardErrors },
      },
    },
    "/api/v1/channels/deliveries/{id}/retry": {
      post: {
        operationId: "retryDelivery",
        summary: "Send a dead delivery again under the same delivery id (idempotent: a repeated call queues nothing more)",
        tags: ["alerts"],
        parameters: [{ name: "id", in: "path", required: true, description: "The delivery's id (UUID)", schema: { type: "string" } }],
        responses: {
          "202": { description: "Queued (requeued: true) or already on its way (requeued: false)", content: json({ type: "object", required: ["id", "status", "requeued"], properties: { id: { type: "string" }, notificationId: { type: "string" }, channelId: { type: "string" }, status: { type: "string" }, requeued: { type: "boolean" } } }) },
          "400": errorResponse("Delivered already, or its channel is disabled"),
          "404": errorResponse("No such delivery among yours"),
          "503": errorResponse("The queue is unavailable; nothing changed"),
          ...guardErrors,
        },
      },
    },
    "/api/v1/channels/{id}/test": {
      post: {
        operationId: "sendChannelTest",
        summary: "Send a test notification on one channel through the real pipeline",
        tags: ["alerts"],
        parameters: [{ name: "id", in: "path", required: true, description: "The channel's id (UUID)", schema: { type: "string" } }],
        responses: { "202": { description: "Queued; watch the delivery in /api/v1/channels/deliveries", content: json({ type: "object" }) }, "400": errorResponse("Channel disabled"), "404": errorResponse("No such channel among yours"), ...guardErrors },
      },
    },
    "/api/v1/channels/deliveries": {
      get: {
        operationId: "listDeliveries",
        summary: "Your delivery log, newest first, each delivery with every attempt",
        tags: ["alerts"],
        parameters: [
          { name: "status", in: "query", required: false, description: "pending | sending | delivered | failed | dead", schema: { type: "string" } },
          { name: "channelId", in: "query", required: false, description: "One channel", schema: { type: "string" } },
          { name: "kind", in: "query", required: false, description: "email | slack | webhook | in_app", schema: { type: "string" } },
          { name: "page", in: "query", required: false, description: "1-based page", schema: { type: "integer", default: 1 } },
          { name: "pageSize", in: "query", required: false, description: "1–100", schema: { type: "integer", default: 25 } },
        ],
        responses: { "200": { description: "A page of deliveries", content: json({ type: "object", required: ["items", "total", "page", "pageSize"] }) }, "400": errorResponse("Invalid filters"), ...guardErrors },
      },
    },
    "/metrics": {
      get: {
        operationId: "getMetrics",
        security: [],
        summary: "Prometheus metrics of every Marketlens process",
        tags: ["operations"],
        responses: {
          "200": { description: "Prometheus text exposition format", content: { "text/plain": { schema: { type: "string" } } } },
        },
      },
    },
    "/api/v1/openapi.json": {
      get: {
        operationId: "getOpenApi",
        summary: "This document",
        tags: ["operations"],
        security: [],
        responses: { "200": { description: "OpenAPI 3.1 document", content: json({ type: "object" }) }, "429": guardErrors["429"] },
      },
    },
  },
  security: [{ bearer: [] }, {}],
  components: {
    securitySchemes: {
      bearer: {
        type: "http",
        scheme: "bearer",
        description:
          "An access token (JWT, 15 min, from GET /api/auth/token with a signed-in session) or a personal API key (ml_…, read-only). " +
          "Market-data routes also answer anonymous callers while MARKETLENS_PUBLIC_CHARTS is on (docs/auth.md).",
      },
    },
    schemas: {
      ApiKey,
      Bar,
      ChartBars: {
        type: "object",
        required: ["symbol", "timeframe", "source", "bars", "liveOpenTime"],
        properties: {
          symbol: { type: "string" },
          timeframe: { type: "string", enum: [...TIMEFRAMES] },
          source: { type: "string", enum: ["redis", "postgres"], description: "Which store answered" },
          bars: { type: "array", items: ref("Bar") },
          liveOpenTime: { ...nullableNumber, description: "openTime of the included still-open bar, else null" },
        },
      },
      IndicatorRows: {
        type: "object",
        required: ["symbol", "timeframe", "from", "to", "rows"],
        properties: {
          symbol: { type: "string" },
          timeframe: { type: "string", enum: [...TIMEFRAMES] },
          from: nullableNumber,
          to: nullableNumber,
          rows: {
            type: "array",
            items: {
              type: "object",
              required: ["openTime", "patterns"],
              properties: { openTime: { type: "integer" }, ...indicatorValues, patterns: { type: "array", items: PatternRef } },
            },
          },
        },
      },
      FeatureRows: {
        type: "object",
        required: ["symbol", "timeframe", "featureSet", "from", "to", "asOf", "rows"],
        properties: {
          symbol: { type: "string" },
          timeframe: { type: "string", enum: [...TIMEFRAMES] },
          featureSet: { type: "string" },
          from: nullableNumber,
          to: nullableNumber,
          asOf: nullableNumber,
          rows: { type: "array", items: ref("FeatureRow") },
        },
      },
      FeatureRow: {
        type: "object",
        required: ["openTime", "version", "knownAt", "features", "vector"],
        properties: {
          openTime: { type: "integer" },
          version: { type: "integer", description: "1 for the first computation, +1 per recomputation that changed values" },
          knownAt: { type: "integer", description: "UTC epoch ms this version was computed" },
          features: { type: "object", properties: featureValues },
          vector: { type: "array", items: { type: "number" }, description: "Normalized 0–1 vector (null features map to 0.5)" },
        },
      },
      LatestFeatures: {
        type: "object",
        required: ["symbol", "timeframe", "featureSet", "openTime", "version", "knownAt", "features", "vector", "source"],
        properties: {
          symbol: { type: "string" },
          timeframe: { type: "string", enum: [...TIMEFRAMES] },
          featureSet: { type: "string" },
          openTime: { type: "integer" },
          version: { type: "integer" },
          knownAt: { type: "integer" },
          features: { type: "object", properties: featureValues },
          vector: { type: "array", items: { type: "number" } },
          source: { type: "string", enum: ["redis", "postgres"], description: "Which store answered" },
        },
      },
      QualityStatus: {
        type: "object",
        required: ["symbol", "source", "snapshot", "quarantined"],
        properties: {
          symbol: { type: "string" },
          source: { type: ["string", "null"], enum: ["redis", "postgres", null], description: "Which store answered; null when nothing was recorded yet" },
          snapshot: {
            type: ["object", "null"],
            required: ["score", "windowItems", "windowRejected", "issuesByCheck", "totalItems", "totalRejected", "rebaselines", "lastEventTime", "ageMs", "updatedAt"],
            properties: {
              score: { type: "number", minimum: 0, maximum: 100, description: "100 × (1 − weighted rejections / items) over the last 1,000 items, minus a penalty for a silent feed" },
              windowItems: { type: "integer" },
              windowRejected: { type: "integer" },
              issuesByCheck: { type: "object", properties: Object.fromEntries(QUALITY_CHECKS.map((check) => [check, { type: "integer" }])) },
              totalItems: { type: ["integer", "null"] },
              totalRejected: { type: ["integer", "null"] },
              rebaselines: { type: ["integer", "null"] },
              lastEventTime: nullableNumber,
              ageMs: nullableNumber,
              updatedAt: { type: "integer", description: "UTC epoch ms of the snapshot" },
            },
          },
          quarantined: {
            type: "array",
            description: "The last 20 rejected items, newest first",
            items: {
              type: "object",
              required: ["id", "kind", "eventTime", "receivedAt", "checks", "payload"],
              properties: {
                id: { type: "string" },
                kind: { type: "string", enum: ["trade", "bar"] },
                eventTime: { type: "integer" },
                receivedAt: { type: "integer" },
                checks: {
                  type: "array",
                  items: {
                    type: "object",
                    required: ["check", "value", "threshold", "message"],
                    properties: { check: { type: "string", enum: [...QUALITY_CHECKS] }, value: num, threshold: num, message: { type: "string" } },
                  },
                },
                payload: { type: "object", description: "The trade or bar as received" },
              },
            },
          },
        },
      },
      Health: {
        type: "object",
        required: ["healthy", "checkedAt", "postgres", "redis", "feed", "collectors", "markets", "config", "warnings", "problems"],
        properties: {
          healthy: { type: "boolean" },
          checkedAt: num,
          postgres: Dependency,
          redis: Dependency,
          feed: { type: "string", enum: ["live", "replay", "unknown"] },
          collectors: { type: "array", items: Collector },
          markets: { type: "object", description: "Market status of each active symbol, by symbol id", additionalProperties: SymbolMarket },
          config: {
            type: ["object", "null"],
            description: "config/symbols.yaml and config/exchanges.yaml as the control process last checked them (null: it has not reported)",
            properties: {
              updatedAt: num,
              files: {
                type: "object",
                additionalProperties: {
                  type: "object",
                  required: ["status", "checkedAt", "appliedAt"],
                  properties: {
                    status: { type: "string", enum: ["pending", "applied", "refused", "error"] },
                    checkedAt: nullableNumber,
                    appliedAt: nullableNumber,
                    summary: { type: "string" },
                    error: { type: "object", properties: { file: { type: "string" }, line: { type: ["integer", "null"] }, message: { type: "string" } } },
                  },
                },
              },
            },
          },
          warnings: { type: "array", items: { type: "string" }, description: "Not unhealthy but worth a look, e.g. a refused config edit with its file:line" },
          problems: { type: "array", items: { type: "string" } },
        },
      },
      MarketInfo: {
        type: "object",
        required: ["symbol", "exchange", "ticker", "displayName", "assetClass", "calendar", "delayMinutes", "status", "holidays", "checkedAt"],
        properties: {
          symbol: { type: "string", examples: ["YAHOO:THYAO.IS"] },
          exchange: { type: "string", examples: ["YAHOO"] },
          ticker: { type: "string", examples: ["THYAO.IS"] },
          displayName: { type: "string" },
          assetClass: { type: "string", examples: ["stock"] },
          calendar: { type: "string", enum: [...CALENDAR_IDS] },
          delayMinutes: { type: "integer", description: "Minutes the source's data lags the market (0 = real time)" },
          status: {
            type: "object",
            required: ["calendar", "open", "continuous", "session", "nextOpen", "reason", "holiday", "problem"],
            properties: {
              calendar: { type: "string", enum: [...CALENDAR_IDS] },
              ...marketFields,
              session: {
                type: ["object", "null"],
                required: ["open", "close"],
                properties: { open: { type: "integer" }, close: { type: "integer", description: "exclusive" } },
                description: "The session in progress (UTC epoch ms), null while closed",
              },
              holiday: { type: ["object", "null"], description: "Today's holiday or early-close entry ({date, name, closed, earlyClose?})" },
            },
          },
          holidays: {
            type: ["object", "null"],
            description: "The calendar's holiday data from config/holidays (null for CRYPTO)",
            required: ["covers", "holidays"],
            properties: {
              covers: { type: "object", required: ["from", "to"], properties: { from: { type: "string", format: "date" }, to: { type: "string", format: "date" } } },
              holidays: {
                type: "array",
                items: {
                  type: "object",
                  required: ["date", "name", "closed"],
                  properties: { date: { type: "string", format: "date" }, name: { type: "string" }, closed: { type: "boolean" }, earlyClose: { type: "string", examples: ["13:00"] } },
                },
              },
            },
          },
          checkedAt: { type: "integer", description: "UTC epoch ms the status was computed at" },
        },
      },
      RuleDocument: {
        type: "object",
        description: "The alert rule document (docs/alerts.md): { name, timeframe, when: {all|any: [COND|GROUP…]}, cooldownBars?, oneTime? }, COND = { metric, op, value: number | {metric} }",
        required: ["name", "timeframe", "when"],
        properties: { name: { type: "string" }, timeframe: { type: "string", enum: ["1m", "5m", "15m", "1h", "4h", "1d"] }, when: { type: "object" }, cooldownBars: { type: "integer", minimum: 0 }, oneTime: { type: "boolean" } },
        examples: [{ name: "BTC above 100k", timeframe: "1h", when: { all: [{ metric: "close", op: "crosses_above", value: 100000 }] }, cooldownBars: 3 }],
      },
      AlertInput: {
        type: "object",
        required: ["rule"],
        description: "Give either symbol or watchlistId",
        properties: {
          rule: { $ref: "#/components/schemas/RuleDocument" },
          symbol: { type: "string", examples: ["BINANCE:BTCUSDT"] },
          watchlistId: { type: "string" },
          evaluateOn: { type: "string", enum: ["close", "tick"], default: "close" },
          channelIds: { type: "array", items: { type: "string" }, description: "Channels besides in-app (always told)" },
        },
      },
      Alert: {
        type: "object",
        required: ["id", "name", "rule", "symbol", "watchlistId", "timeframe", "evaluateOn", "status", "channelIds", "createdAt", "updatedAt"],
        properties: {
          id: { type: "string" },
          name: { type: "string" },
          rule: { $ref: "#/components/schemas/RuleDocument" },
          symbol: { type: ["string", "null"] },
          watchlistId: { type: ["string", "null"] },
          timeframe: { type: "string" },
          evaluateOn: { type: "string", enum: ["close", "tick"] },
          status: { type: "string", enum: ["active", "paused", "stopped"], description: "stopped: a one-time alert that fired (set active to re-arm)" },
          channelIds: { type: "array", items: { type: "string" } },
          createdAt: { type: "string", format: "date-time" },
          updatedAt: { type: "string", format: "date-time" },
        },
      },
      AlertFiring: {
        type: "object",
        required: ["id", "alertId", "alertName", "symbol", "timeframe", "barOpenTime", "firedAt", "evaluateOn", "values"],
        properties: {
          id: { type: "string" },
          alertId: { type: "string" },
          alertName: { type: "string" },
          symbol: { type: "string" },
          timeframe: { type: "string" },
          barOpenTime: { type: "integer", description: "UTC epoch ms of the bar it fired on" },
          firedAt: { type: "string", format: "date-time" },
          evaluateOn: { type: "string", enum: ["close", "tick"] },
          values: { type: "object", additionalProperties: { type: ["number", "null"] }, description: "close and each metric the rule reads, on that bar" },
        },
      },
      Channel: {
        type: "object",
        required: ["id", "kind", "name", "config", "enabled", "ratePerMinute", "rateBurst", "createdAt", "updatedAt"],
        properties: {
          id: { type: "string" },
          kind: { type: "string", enum: ["email", "slack", "webhook", "in_app"] },
          name: { type: "string" },
          config: { type: "object" },
          enabled: { type: "boolean" },
          ratePerMinute: { type: "integer" },
          rateBurst: { type: "integer" },
          secret: { type: "string", description: "Webhook signing secret: only in the answer to POST" },
          createdAt: { type: "integer", description: "UTC epoch ms" },
          updatedAt: { type: "integer", description: "UTC epoch ms" },
        },
      },
      Error: {
        type: "object",
        required: ["error"],
        properties: {
          error: {
            type: "object",
            required: ["code", "message"],
            properties: {
              code: { type: "string", enum: ["BAD_REQUEST", "NOT_FOUND", "UNAVAILABLE", "INTERNAL"] },
              message: { type: "string", examples: ['limit must be an integer from 1 to 5000 (got "abc")'] },
            },
          },
        },
      },
    },
  },
};
