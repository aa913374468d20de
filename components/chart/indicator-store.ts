"use client";
/**
 * Which indicators, panels and pattern markers are switched on, persisted to localStorage
 * (`marketlens.indicators`). Hydration is manual (`useIndicatorStore.persist.rehydrate()` after
 * mount) so the server-rendered HTML and the first client render agree, like chart-store.ts.
 */
import { create } from "zustand";
import { createJSONStorage, persist } from "zustand/middleware";
import { DEFAULT_TOGGLES, type ToggleId } from "./indicator-catalog.ts";

export interface IndicatorPreferences {
  toggles: Record<ToggleId, boolean>;
  setToggle: (id: ToggleId, on: boolean) => void;
}

export const useIndicatorStore = create<IndicatorPreferences>()(
  persist(
    (set) => ({
      toggles: { ...DEFAULT_TOGGLES },
      setToggle: (id, on) => set((state) => ({ toggles: { ...state.toggles, [id]: on } })),
    }),
    {
      name: "marketlens.indicators",
      version: 1,
      storage: createJSONStorage(() => localStorage),
      skipHydration: true,
      partialize: (state) => ({ toggles: state.toggles }),
      // Keep only known ids with boolean values; ids added since the value was stored get their default.
      merge: (persisted, current) => {
        const stored = ((persisted ?? {}) as { toggles?: Record<string, unknown> }).toggles ?? {};
        const toggles = { ...current.toggles };
        for (const id of Object.keys(DEFAULT_TOGGLES) as ToggleId[]) {
          if (typeof stored[id] === "boolean") toggles[id] = stored[id];
        }
        return { ...current, toggles };
      },
    },
  ),
);
