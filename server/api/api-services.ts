/**
 * The services request handlers (REST routes and tRPC procedures) call, built once per deps.
 * Route files use the process-wide default; the API tests build their own on other deps.
 */
import { createAnalyticsService, type AnalyticsService } from "../services/analytics.service.ts";
import { createChartService, type ChartService } from "../services/chart.service.ts";
import { createHealthService, type HealthService } from "../services/health.service.ts";
import { createMarketStatusService, type MarketStatusService } from "../services/market-status.service.ts";
import { createQualityService, type QualityService } from "../services/quality.service.ts";
import { defaultServiceDeps, type ServiceDeps } from "../services/service-deps.ts";
import { createSymbolsService, type SymbolsService } from "../services/symbols.service.ts";

export interface ApiServices {
  deps: ServiceDeps;
  chart: ChartService;
  symbols: SymbolsService;
  health: HealthService;
  analytics: AnalyticsService;
  quality: QualityService;
  markets: MarketStatusService;
}

export function createApiServices(deps: ServiceDeps): ApiServices {
  const symbols = createSymbolsService(deps);
  const markets = createMarketStatusService(deps);
  return {
    deps,
    symbols,
    chart: createChartService(deps, symbols),
    health: createHealthService(deps, markets),
    analytics: createAnalyticsService(deps, symbols),
    quality: createQualityService(deps, symbols),
    markets,
  };
}

const holder = globalThis as typeof globalThis & { __marketlensApiServices?: ApiServices };

/** Process-wide services on the default deps (kept on globalThis: Next may load route modules more than once). */
export function defaultApiServices(): ApiServices {
  holder.__marketlensApiServices ??= createApiServices(defaultServiceDeps());
  return holder.__marketlensApiServices;
}
