"use client";
/**
 * The "Indicators" popover of the toolbar: one checkbox per overlay, panel and pattern-marker group
 * (accessible names like "SMA 20", "RSI"). Closes on Escape or a click outside. Test id: `indicator-panel`.
 */
import { useEffect, useRef } from "react";
import { INDICATORS, PATTERN_GROUPS, type ToggleId } from "./indicator-catalog.ts";

interface ToggleItem {
  id: ToggleId;
  label: string;
  color?: string;
}

const OVERLAYS: ToggleItem[] = INDICATORS.filter((item) => item.pane === "price").map((item) => ({ id: item.id, label: item.label, color: item.series[0]?.color }));
const PANELS: ToggleItem[] = [
  { id: "volume", label: "Volume", color: "#26a69a" },
  ...INDICATORS.filter((item) => item.pane !== "price").map((item) => ({ id: item.id, label: item.label, color: item.series.find((spec) => spec.kind === "line")?.color })),
];
const MARKERS: ToggleItem[] = PATTERN_GROUPS.map((group) => ({ id: group.id, label: group.label }));

interface IndicatorPanelProps {
  toggles: Readonly<Record<ToggleId, boolean>>;
  onToggle: (id: ToggleId, on: boolean) => void;
}

function ToggleList({ title, items, toggles, onToggle }: IndicatorPanelProps & { title: string; items: ToggleItem[] }) {
  return (
    <fieldset className="indicator-group">
      <legend>{title}</legend>
      {items.map((item) => (
        <label key={item.id} className="indicator-toggle">
          <input type="checkbox" data-testid={`toggle-${item.id}`} checked={toggles[item.id]} onChange={(event) => onToggle(item.id, event.target.checked)} />
          <span className="indicator-swatch" style={{ background: item.color ?? "transparent" }} aria-hidden="true" />
          {item.label}
        </label>
      ))}
    </fieldset>
  );
}

export function IndicatorPanel({ toggles, onToggle }: IndicatorPanelProps) {
  const details = useRef<HTMLDetailsElement>(null);
  const count = [...OVERLAYS, ...PANELS].filter((item) => toggles[item.id]).length;

  useEffect(() => {
    const close = (event: Event) => {
      const element = details.current;
      if (!element?.open) return;
      if (event instanceof KeyboardEvent ? event.key === "Escape" : !element.contains(event.target as Node)) element.open = false;
    };
    document.addEventListener("pointerdown", close);
    document.addEventListener("keydown", close);
    return () => {
      document.removeEventListener("pointerdown", close);
      document.removeEventListener("keydown", close);
    };
  }, []);

  return (
    <details ref={details} className="indicator-panel" data-testid="indicator-panel">
      <summary data-testid="indicator-panel-button">
        Indicators <span className="indicator-count">{count}</span>
      </summary>
      <div className="indicator-menu">
        <ToggleList title="Overlays" items={OVERLAYS} toggles={toggles} onToggle={onToggle} />
        <ToggleList title="Panels" items={PANELS} toggles={toggles} onToggle={onToggle} />
        <ToggleList title="Markers" items={MARKERS} toggles={toggles} onToggle={onToggle} />
      </div>
    </details>
  );
}
