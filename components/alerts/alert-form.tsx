"use client";
/**
 * Create or edit one alert: a preset (price above/below, RSI above/below, MACD crossover, volume spike)
 * or the rule document as JSON (advanced; the server validates it and its message is shown inline),
 * the symbol, timeframe, evaluate on bar close or on every tick, cooldown, one-time, and the notification
 * channels besides in-app. "Test" runs the rule over the last N bars (alert-backtest.tsx).
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import type { RuleDocument } from "../../server/domain/rules/rule-types.ts";
import { TIMEFRAMES, type Timeframe } from "../../server/domain/time/timeframes.ts";
import { useTRPC } from "../trpc.ts";
import { AlertBacktest } from "./alert-backtest.tsx";
import { PATTERN_DIRECTIONS, PATTERN_LABELS, PATTERN_NAMES, PRESETS, PRESET_KINDS, presetOf, presetRule, type PresetKind } from "./alert-presets.ts";
import type { PatternName } from "../../server/domain/patterns/pattern-registry.ts";
import type { PatternDirection } from "../../server/domain/rules/rule-presets.ts";
import type { AlertView } from "./alert-view.ts";
import { useChannelOptions } from "./use-channel-options.ts";

type Mode = "preset" | "advanced";

interface FormState {
  symbol: string;
  mode: Mode;
  kind: PresetKind;
  threshold: string;
  pattern: PatternName;
  direction: PatternDirection;
  name: string;
  timeframe: Timeframe;
  evaluateOn: "close" | "tick";
  cooldownBars: string;
  oneTime: boolean;
  json: string;
  channelIds: string[];
}

function initialState(alert: AlertView | undefined, defaultSymbol: string): FormState {
  const rule = alert?.rule;
  const preset = rule ? presetOf(rule) : { kind: "price_above" as const };
  return {
    symbol: alert?.symbol ?? defaultSymbol,
    mode: preset ? "preset" : "advanced",
    kind: preset?.kind ?? "price_above",
    threshold: preset?.threshold !== undefined ? String(preset.threshold) : "",
    pattern: preset?.pattern ?? "engulfing",
    direction: preset?.direction ?? "bullish",
    name: rule?.name ?? "",
    timeframe: rule?.timeframe ?? "1m",
    evaluateOn: alert?.evaluateOn ?? "close",
    cooldownBars: rule?.cooldownBars !== undefined ? String(rule.cooldownBars) : "",
    oneTime: rule?.oneTime ?? false,
    json: rule ? JSON.stringify(rule, null, 2) : "",
    channelIds: alert?.channelIds ?? [],
  };
}

/** The rule document the form describes; throws with a message for the form. */
export function ruleFromForm(state: FormState): RuleDocument {
  if (state.mode === "advanced") {
    try {
      return JSON.parse(state.json) as RuleDocument;
    } catch (error) {
      throw new Error(`Rule JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const threshold = state.threshold.trim() === "" ? undefined : Number(state.threshold);
  const cooldown = state.cooldownBars.trim() === "" ? undefined : Number(state.cooldownBars);
  return presetRule(
    { kind: state.kind, ...(threshold !== undefined ? { threshold } : {}), ...(state.kind === "pattern" ? { pattern: state.pattern, direction: state.direction } : {}) },
    {
      timeframe: state.timeframe,
      ...(state.name.trim() ? { name: state.name.trim() } : {}),
      ...(cooldown !== undefined ? { cooldownBars: cooldown } : {}),
      ...(state.oneTime ? { oneTime: true } : {}),
    },
  );
}

export function AlertForm({ alert, defaultSymbol, onDone }: { alert?: AlertView; defaultSymbol: string; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [state, setState] = useState(() => initialState(alert, defaultSymbol));
  const [error, setError] = useState<string | null>(null);
  const [testRule, setTestRule] = useState<RuleDocument | null>(null);
  const symbols = useQuery(trpc.symbols.list.queryOptions());
  const channels = useChannelOptions();
  const done = async () => {
    await queryClient.invalidateQueries({ queryKey: trpc.alerts.list.queryKey() });
    onDone();
  };
  const create = useMutation(trpc.alerts.create.mutationOptions({ onSuccess: done }));
  const update = useMutation(trpc.alerts.update.mutationOptions({ onSuccess: done }));
  const pending = create.isPending || update.isPending;

  function set<K extends keyof FormState>(key: K, value: FormState[K]): void {
    setState((current) => ({ ...current, [key]: value }));
  }

  function switchMode(mode: Mode): void {
    if (mode === "advanced" && state.mode === "preset") {
      try {
        set("json", JSON.stringify(ruleFromForm(state), null, 2));
      } catch {
        // an incomplete preset: keep whatever JSON there was
      }
    }
    set("mode", mode);
  }

  function currentRule(): RuleDocument | null {
    try {
      return ruleFromForm(state);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
      return null;
    }
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    const rule = currentRule();
    if (!rule) return;
    const symbol = state.symbol.trim().toUpperCase();
    // A watchlist alert keeps its watchlist unless a symbol is typed in.
    const target = symbol ? { symbol } : alert?.watchlistId ? {} : { symbol };
    const fields = { rule: rule as unknown as Record<string, unknown>, ...target, evaluateOn: state.evaluateOn, channelIds: state.channelIds };
    try {
      if (alert) await update.mutateAsync({ id: alert.id, ...fields });
      else await create.mutateAsync(fields);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  }

  const info = PRESETS[state.kind];
  const pickable = channels.filter((channel) => channel.kind !== "in_app");
  return (
    <form className="panel alert-form" method="post" aria-label={alert ? "Edit alert" : "Create alert"} onSubmit={(event) => void submit(event)}>
      <h2>{alert ? `Edit “${alert.name}”` : "New alert"}</h2>
      <div className="form-grid">
        <label>
          Symbol
          <input name="symbol" list="alert-symbols" required={!alert?.watchlistId} placeholder={alert?.watchlistId ? "(watchlist)" : ""} value={state.symbol} onChange={(event) => set("symbol", event.target.value)} />
          <datalist id="alert-symbols">
            {symbols.data?.flatMap((group) => group.symbols).map((item) => <option key={item.id} value={item.id} />)}
          </datalist>
        </label>
        <label>
          Timeframe
          <select name="timeframe" value={state.timeframe} onChange={(event) => set("timeframe", event.target.value as Timeframe)} disabled={state.mode === "advanced"}>
            {TIMEFRAMES.map((timeframe) => (
              <option key={timeframe}>{timeframe}</option>
            ))}
          </select>
        </label>
        <label>
          Evaluate on
          <select name="evaluateOn" value={state.evaluateOn} onChange={(event) => set("evaluateOn", event.target.value as "close" | "tick")}>
            <option value="close">bar close</option>
            <option value="tick">every tick</option>
          </select>
        </label>
      </div>

      <div className="segmented" role="group" aria-label="Rule editor">
        <button type="button" aria-pressed={state.mode === "preset"} onClick={() => switchMode("preset")}>
          Preset
        </button>
        <button type="button" aria-pressed={state.mode === "advanced"} onClick={() => switchMode("advanced")}>
          Advanced (JSON)
        </button>
      </div>

      {state.mode === "preset" ? (
        <div className="form-grid">
          <label>
            Condition
            <select name="preset" value={state.kind} onChange={(event) => set("kind", event.target.value as PresetKind)}>
              {PRESET_KINDS.map((kind) => (
                <option key={kind} value={kind}>
                  {PRESETS[kind].label}
                </option>
              ))}
            </select>
          </label>
          {state.kind === "pattern" ? (
            <>
              <label>
                Pattern
                <select name="pattern" value={state.pattern} onChange={(event) => set("pattern", event.target.value as PatternName)}>
                  {PATTERN_NAMES.map((pattern) => (
                    <option key={pattern} value={pattern}>
                      {PATTERN_LABELS[pattern]}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                Direction
                <select name="direction" value={state.direction} onChange={(event) => set("direction", event.target.value as PatternDirection)}>
                  {PATTERN_DIRECTIONS.map((direction) => (
                    <option key={direction} value={direction}>
                      {direction === "any" ? "either way" : direction}
                    </option>
                  ))}
                </select>
              </label>
            </>
          ) : null}
          {info.thresholdLabel ? (
            <label>
              {info.thresholdLabel}
              <input
                name="threshold"
                type="number"
                step="any"
                required
                placeholder={info.defaultThreshold !== undefined ? String(info.defaultThreshold) : ""}
                value={state.threshold}
                onChange={(event) => set("threshold", event.target.value)}
              />
            </label>
          ) : null}
          <label>
            <span>
              Name <span className="muted">(optional)</span>
            </span>
            <input name="name" maxLength={200} value={state.name} onChange={(event) => set("name", event.target.value)} />
          </label>
          <label>
            Cooldown (bars)
            <input name="cooldownBars" type="number" min={0} step={1} value={state.cooldownBars} onChange={(event) => set("cooldownBars", event.target.value)} />
          </label>
          <label className="checkbox-label">
            <input type="checkbox" name="oneTime" checked={state.oneTime} onChange={(event) => set("oneTime", event.target.checked)} />
            One time (stop after it fires)
          </label>
        </div>
      ) : (
        <label className="json-editor">
          Rule document
          <textarea
            name="rule"
            rows={12}
            spellCheck={false}
            value={state.json}
            placeholder='{ "name": "RSI dip", "timeframe": "1h", "when": { "all": [{ "metric": "rsi14", "op": "crosses_below", "value": 30 }] }, "cooldownBars": 5 }'
            onChange={(event) => set("json", event.target.value)}
          />
          <span className="muted">
            Metrics: open, high, low, close, volume, every indicator series (rsi14, macd, macdSignal, sma200, relVolume20, …), the candlestick
            patterns (engulfing, hammer, … : +100 bullish, −100 bearish, 0 none; patternCount) and qualityScore (0–100); ops &gt; &lt; &gt;= &lt;= == != crosses_above crosses_below; groups all / any.
          </span>
        </label>
      )}

      <fieldset className="channel-picks">
        <legend>Notify (in-app is always on)</legend>
        {pickable.length === 0 ? <span className="muted">No other channels yet: add email, Slack or a webhook under Settings → Notifications.</span> : null}
        {pickable.map((channel) => (
          <label key={channel.id} className="checkbox-label">
            <input
              type="checkbox"
              checked={state.channelIds.includes(channel.id)}
              onChange={(event) =>
                set("channelIds", event.target.checked ? [...state.channelIds, channel.id] : state.channelIds.filter((id) => id !== channel.id))
              }
            />
            {channel.name} <span className="muted">({channel.kind})</span>
          </label>
        ))}
      </fieldset>

      {error ? (
        <p className="form-error" role="alert" data-testid="alert-form-error">
          {error}
        </p>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="primary-button" disabled={pending}>
          {pending ? "Saving…" : alert ? "Save alert" : "Create alert"}
        </button>
        <button
          type="button"
          className="secondary-button"
          onClick={() => {
            setError(null);
            setTestRule(currentRule());
          }}
        >
          Test against recent bars
        </button>
        <button type="button" className="link-button" onClick={onDone}>
          Cancel
        </button>
      </div>
      {testRule ? <AlertBacktest rule={testRule} symbol={state.symbol.trim().toUpperCase()} /> : null}
    </form>
  );
}
