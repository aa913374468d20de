"use client";
/**
 * The signed-in user's screens on /scanner: each saved rule set with its live matching symbols (the gateway's
 * `screen:{id}` stream via use-scanner.ts; a symbol opens its chart), pause/resume and delete (`screens.*`),
 * and a form to add one from a preset or a JSON rule document (server messages inline).
 * Test hooks: `screen-card` (data-screen-id, data-count), `screen-symbol` (data-symbol), `screen-form-error`.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import type { RuleDocument } from "../../server/domain/rules/rule-types.ts";
import { TIMEFRAMES, type Timeframe } from "../../server/domain/time/timeframes.ts";
import { PRESETS, PRESET_KINDS, presetRule, type PresetKind } from "../alerts/alert-presets.ts";
import { describeRule } from "../alerts/alert-view.ts";
import type { ScreenState } from "../realtime/realtime-messages.ts";
import { useTRPC, type RouterOutputs } from "../trpc.ts";
import { chartHref } from "./toplist-table-model.ts";

type Screen = RouterOutputs["screens"]["list"][number];

function ScreenCard({ screen, state, error }: { screen: Screen; state: ScreenState | undefined; error: string | undefined }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.screens.list.queryKey() });
  const setActive = useMutation(trpc.screens.setActive.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.screens.delete.mutationOptions({ onSuccess: refresh }));
  const [confirming, setConfirming] = useState(false);
  const symbols = state?.symbols ?? [];
  const waiting = !state || state.awaitingSnapshot;
  return (
    <section className="panel toplist" data-testid="screen-card" data-screen-id={screen.id} data-count={waiting ? "" : symbols.length} aria-label={screen.name}>
      <div className="panel-head">
        <h2>
          {screen.name} <span className="muted">({waiting ? "…" : symbols.length})</span>
        </h2>
        <div className="row-actions">
          {confirming ? (
            <>
              <button type="button" className="link-button danger" onClick={() => remove.mutate({ id: screen.id })}>
                Yes, delete
              </button>
              <button type="button" className="link-button" onClick={() => setConfirming(false)}>
                No
              </button>
            </>
          ) : (
            <>
              <button type="button" className="link-button" onClick={() => setActive.mutate({ id: screen.id, active: !screen.active })}>
                {screen.active ? "Pause" : "Resume"}
              </button>
              <button type="button" className="link-button danger" onClick={() => setConfirming(true)}>
                Delete
              </button>
            </>
          )}
        </div>
      </div>
      <code className="muted">
        {describeRule(screen.rule)} · {screen.rule.timeframe}
      </code>
      {error ? <p className="form-error">{error}</p> : null}
      {!screen.active ? (
        <p className="muted">Paused.</p>
      ) : waiting ? (
        <p className="muted">Waiting for the scanner…</p>
      ) : symbols.length === 0 ? (
        <p className="muted">No symbol matches right now.</p>
      ) : (
        <div className="screen-symbols">
          {symbols.map((symbol) => (
            <Link key={symbol} href={chartHref(symbol)} className="symbol-chip" data-testid="screen-symbol" data-symbol={symbol}>
              {symbol}
            </Link>
          ))}
        </div>
      )}
    </section>
  );
}

function ScreenForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [advanced, setAdvanced] = useState(false);
  const [kind, setKind] = useState<PresetKind>("rsi_below");
  const [error, setError] = useState<string | null>(null);
  const create = useMutation(trpc.screens.create.mutationOptions());

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    setError(null);
    let rule: RuleDocument;
    try {
      if (advanced) {
        rule = JSON.parse(String(data.get("rule") ?? "")) as RuleDocument;
      } else {
        const threshold = String(data.get("threshold") ?? "").trim();
        const name = String(data.get("name") ?? "").trim();
        rule = presetRule(
          { kind, ...(threshold ? { threshold: Number(threshold) } : {}) },
          { timeframe: String(data.get("timeframe")) as Timeframe, ...(name ? { name } : {}) },
        );
      }
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
      return;
    }
    try {
      await create.mutateAsync({ rule: rule as unknown as Record<string, unknown> });
      form.reset();
      await queryClient.invalidateQueries({ queryKey: trpc.screens.list.queryKey() });
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  }

  const info = PRESETS[kind];
  return (
    <form className="panel" method="post" aria-label="Add screen" onSubmit={(event) => void submit(event)}>
      <div className="panel-head">
        <h2>Add a screen</h2>
        <button type="button" className="link-button" onClick={() => setAdvanced(!advanced)}>
          {advanced ? "Use a preset" : "Advanced (JSON)"}
        </button>
      </div>
      {advanced ? (
        <label className="json-editor">
          Rule document
          <textarea
            name="rule"
            rows={5}
            spellCheck={false}
            required
            placeholder='{ "name": "Oversold", "timeframe": "1m", "when": { "all": [{ "metric": "rsi14", "op": "<", "value": 30 }] } }'
          />
        </label>
      ) : (
        <div className="form-grid">
          <label>
            Condition
            <select name="preset" value={kind} onChange={(event) => setKind(event.target.value as PresetKind)}>
              {PRESET_KINDS.map((value) => (
                <option key={value} value={value}>
                  {PRESETS[value].label}
                </option>
              ))}
            </select>
          </label>
          {info.thresholdLabel ? (
            <label>
              {info.thresholdLabel}
              <input name="threshold" type="number" step="any" required defaultValue={info.defaultThreshold} key={kind} />
            </label>
          ) : null}
          <label>
            Timeframe
            <select name="timeframe" defaultValue="1m">
              {TIMEFRAMES.map((timeframe) => (
                <option key={timeframe}>{timeframe}</option>
              ))}
            </select>
          </label>
          <label>
            <span>
              Name <span className="muted">(optional)</span>
            </span>
            <input name="name" maxLength={200} />
          </label>
        </div>
      )}
      {error ? (
        <p className="form-error" role="alert" data-testid="screen-form-error">
          {error}
        </p>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="primary-button" disabled={create.isPending}>
          {create.isPending ? "Adding…" : "Add screen"}
        </button>
      </div>
    </form>
  );
}

export function UserScreens({ screens, states, errors }: { screens: readonly Screen[]; states: Record<string, ScreenState>; errors: Record<string, string> }) {
  return (
    <section className="user-screens" aria-label="Your screens">
      <h2 className="section-title">Your screens</h2>
      {screens.length === 0 ? <p className="muted">No screens yet: a screen is a rule whose matching symbols form your own live list.</p> : null}
      <div className="toplist-grid">
        {screens.map((screen) => (
          <ScreenCard key={screen.id} screen={screen} state={states[screen.id]} error={errors[`screen:${screen.id}`]} />
        ))}
      </div>
      <ScreenForm />
    </section>
  );
}
