// tRPC `health.*`: system health, feed mode and each symbol's collector state (for the chart page).
import type { SymbolId } from "../../domain/bars/bar.ts";
import type { CollectorSymbolState, HealthReport } from "../../services/health.service.ts";
import { publicProcedure, router } from "../trpc.ts";

export interface SymbolFeedState extends CollectorSymbolState {
  collector: string;
}

export interface HealthStatus extends HealthReport {
  /** Each symbol's state as its collector reports it (the first collector naming it wins). */
  symbols: Record<SymbolId, SymbolFeedState>;
}

/** Flattens per-collector symbol states into one map keyed by symbol id. */
export function symbolStates(report: HealthReport): Record<SymbolId, SymbolFeedState> {
  const states: Record<SymbolId, SymbolFeedState> = {};
  for (const collector of report.collectors) {
    for (const [symbol, state] of Object.entries(collector.symbols)) {
      states[symbol] ??= { ...state, collector: collector.name };
    }
  }
  return states;
}

export const healthRouter = router({
  status: publicProcedure.query(async ({ ctx }): Promise<HealthStatus> => {
    const report = await ctx.services.health.getHealth();
    return { ...report, symbols: symbolStates(report) };
  }),
});
