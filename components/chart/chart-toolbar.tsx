"use client";
// Toolbar controls: symbol selector grouped by exchange, timeframe buttons, UTC/local switch.
import { TIMEFRAMES, type Timeframe } from "../../server/domain/time/timeframes.ts";
import type { TimeZoneMode } from "./chart-mapping.ts";

export interface SymbolOption {
  id: string;
  ticker: string;
  displayName: string;
}

export interface SymbolGroup {
  exchange: string;
  symbols: SymbolOption[];
}

export function SymbolSelect(props: { value: string; groups: SymbolGroup[] | undefined; onChange: (id: string) => void }) {
  const { value, groups, onChange } = props;
  const known = groups?.some((group) => group.symbols.some((symbol) => symbol.id === value)) ?? false;
  return (
    <select className="symbol-select" aria-label="Symbol" data-testid="symbol-select" value={value} onChange={(event) => onChange(event.target.value)}>
      {!known ? <option value={value}>{value}</option> : null}
      {groups?.map((group) => (
        <optgroup key={group.exchange} label={group.exchange} data-exchange={group.exchange}>
          {group.symbols.map((symbol) => (
            <option key={symbol.id} value={symbol.id} title={symbol.displayName}>
              {symbol.ticker}
            </option>
          ))}
        </optgroup>
      ))}
    </select>
  );
}

export function TimeframeButtons(props: { value: Timeframe; onChange: (timeframe: Timeframe) => void }) {
  return (
    <div className="segmented" role="group" aria-label="Timeframe">
      {TIMEFRAMES.map((timeframe) => (
        <button
          key={timeframe}
          type="button"
          data-testid={`timeframe-${timeframe}`}
          aria-pressed={props.value === timeframe}
          onClick={() => props.onChange(timeframe)}
        >
          {timeframe}
        </button>
      ))}
    </div>
  );
}

export function TimeZoneSwitch(props: { value: TimeZoneMode; onChange: (mode: TimeZoneMode) => void }) {
  return (
    <div className="segmented" role="group" aria-label="Time zone">
      {(["utc", "local"] as const).map((mode) => (
        <button key={mode} type="button" data-testid={`timezone-${mode}`} aria-pressed={props.value === mode} onClick={() => props.onChange(mode)}>
          {mode === "utc" ? "UTC" : "Local"}
        </button>
      ))}
    </div>
  );
}
