/**
 * OpenAPI 3.1 description of the REST routes, written by hand as a typed object and served at
 * GET /api/v1/openapi.json. Edit together with the route handlers under app/ and server/api/rest/.
 */
import { TIMEFRAMES } from "../domain/time/timeframes.ts";
import { DEFAULT_CHART_LIMIT, MAX_CHART_LIMIT } from "./routers/charts.schema.ts";

/** The subset of JSON Schema 2020-12 this document uses. */
export interface JsonSchema {
  type?: "object" | "array" | "string" | "number" | "integer" | "boolean" | "null" | Array<"string" | "number" | "null" | "object">;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: Array<string | number>;
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
  responses: Record<string, ResponseObject>;
}

export interface OpenApiDocument {
  openapi: "3.1.0";
  info: { title: string; version: string; description: string; license: { name: string; identifier: string } };
  paths: Record<string, { get: OperationObject }>;
  components: { schemas: Record<string, JsonSchema> };
}

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: JsonSchema): Record<string, MediaType> => ({ "application/json": { schema } });
const errorResponse = (description: string): ResponseObject => ({ description, content: json(ref("Error")) });
const num: JsonSchema = { type: "number" };
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
    status: { type: "string", enum: ["connecting", "repairing", "healthy", "reconnecting", "down"] },
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
          status: { type: "string", enum: ["healthy", "repairing", "unavailable"] },
          reason: { type: "string" },
          lastBarAt: nullableNumber,
        },
      },
    },
  },
};

export const openApiDocument: OpenApiDocument = {
  openapi: "3.1.0",
  info: {
    title: "Marketlens API",
    version: "1.0.0",
    description:
      "Market data bars and system health. Errors are JSON `{error:{code,message}}`: 400 for invalid input, " +
      "404 for unknown resources, 503 when the stores cannot answer. Live updates stream over the realtime " +
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
        },
      },
    },
    "/api/v1/health": {
      get: {
        operationId: "getHealth",
        summary: "System health",
        description: "Healthy when PostgreSQL and Redis answer and every collector reports status healthy.",
        tags: ["operations"],
        responses: {
          "200": { description: "Healthy", content: json(ref("Health")) },
          "503": { description: "Not healthy; `problems` says why", content: json(ref("Health")) },
        },
      },
    },
    "/metrics": {
      get: {
        operationId: "getMetrics",
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
        responses: { "200": { description: "OpenAPI 3.1 document", content: json({ type: "object" }) } },
      },
    },
  },
  components: {
    schemas: {
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
      Health: {
        type: "object",
        required: ["healthy", "checkedAt", "postgres", "redis", "feed", "collectors", "problems"],
        properties: {
          healthy: { type: "boolean" },
          checkedAt: num,
          postgres: Dependency,
          redis: Dependency,
          feed: { type: "string", enum: ["live", "replay", "unknown"] },
          collectors: { type: "array", items: Collector },
          problems: { type: "array", items: { type: "string" } },
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
