"use client";
/**
 * Chart preferences that outlive a page load: timeframe and time-zone mode, persisted to
 * localStorage. Hydration is manual (`useChartStore.persist.rehydrate()` after mount) so the
 * server-rendered HTML and the first client render agree.
 */
import { create } from "zustand";
import { createJSONStorage, persist } from "zustand/middleware";
import { TIMEFRAMES, type Timeframe } from "../../server/domain/time/timeframes.ts";
import type { TimeZoneMode } from "./chart-mapping.ts";

export interface ChartPreferences {
  timeframe: Timeframe;
  timeZoneMode: TimeZoneMode;
  setTimeframe: (timeframe: Timeframe) => void;
  setTimeZoneMode: (mode: TimeZoneMode) => void;
}

export const useChartStore = create<ChartPreferences>()(
  persist(
    (set) => ({
      timeframe: "1m",
      timeZoneMode: "utc",
      setTimeframe: (timeframe) => set({ timeframe }),
      setTimeZoneMode: (timeZoneMode) => set({ timeZoneMode }),
    }),
    {
      name: "marketlens.chart",
      version: 1,
      storage: createJSONStorage(() => localStorage),
      skipHydration: true,
      partialize: (state) => ({ timeframe: state.timeframe, timeZoneMode: state.timeZoneMode }),
      // A stored value from an older build that is no longer valid falls back to the default.
      merge: (persisted, current) => {
        const stored = (persisted ?? {}) as Partial<ChartPreferences>;
        return {
          ...current,
          timeframe: TIMEFRAMES.includes(stored.timeframe as Timeframe) ? (stored.timeframe as Timeframe) : current.timeframe,
          timeZoneMode: stored.timeZoneMode === "local" ? "local" : "utc",
        };
      },
    },
  ),
);
