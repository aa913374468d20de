"use client";
/**
 * Indicator values at the hovered bar (or the last bar when the pointer is away), one row per
 * visible indicator, drawn over the top-left corner of the pane the indicator lives in.
 * Test hooks: `indicator-legend` (`data-hover`, `data-time`) and `legend-<id>` rows.
 */
import type { PaneId } from "./indicator-catalog.ts";
import type { LegendGroup } from "./indicator-series.ts";

export interface LegendView {
  groups: LegendGroup[];
  /** Top of each pane in px inside the chart container. */
  tops: Partial<Record<PaneId, number>>;
  hovering: boolean;
  /** Open time (epoch ms) of the bar shown, null without bars. */
  time: number | null;
}

export const EMPTY_LEGEND: LegendView = { groups: [], tops: {}, hovering: false, time: null };

export function IndicatorLegend({ view }: { view: LegendView }) {
  return (
    <div className="indicator-legend" data-testid="indicator-legend" data-hover={view.hovering ? "1" : "0"} data-time={view.time ?? ""}>
      {view.groups.map((group) => {
        const top = view.tops[group.pane];
        if (top === undefined) return null;
        return (
          <div key={group.pane} className="legend-group" style={{ top: top + 4 }} data-pane={group.pane}>
            {group.rows.map((row) => (
              <div key={row.id} className="legend-row" data-testid={`legend-${row.id}`}>
                <span className="legend-title">{row.title}</span>
                {row.values.map((value) => (
                  <span key={value.name || row.id} className="legend-value" style={{ color: value.color }} title={value.name || undefined}>
                    {value.text}
                  </span>
                ))}
              </div>
            ))}
          </div>
        );
      })}
    </div>
  );
}
