/**
 * Session gate for stock sources: outside the regular sessions of an exchange calendar (nights, weekends,
 * holidays, after an early close) it holds the source's "stream" circuit breaker open with the reason
 * "market closed" (SourceBreaker.hold → cockatiel isolate()), and releases it at the next open. The collector
 * reacts through `onClose` (disconnect) and `onOpen` (reconnect and repair the gap); health reads `reason`
 * ("market closed; opens 2026-11-23T14:30:00Z").
 * The clock is injected (`now`, and `realDelayUntil` for a replay clock running faster than real time); the next
 * transition is re-checked at least every `maxCheckIntervalMs`, so a sleeping laptop or a clock jump is caught.
 * Edit when the rule for "open" changes (e.g. extended hours); the calendars themselves live in
 * server/domain/calendars.
 */
import type { ExchangeCalendar, Session } from "../domain/calendars/calendar-types.ts";
import { nextOpen, sessionFor } from "../domain/calendars/sessions.ts";
import type { SourceBreaker } from "./circuit-breaker.ts";

export const MARKET_CLOSED = "market closed";

export interface SessionGateClock {
  now(): number;
  /** Real milliseconds until the clock reads `time` (default: time - now()). */
  realDelayUntil?(time: number): number;
}

export type SessionGateState = { open: true; session: Session } | { open: false; nextOpen: number | null; reason: string };

export interface SessionGateOptions {
  calendar: ExchangeCalendar;
  /** The breaker held open while the market is closed (usually the source's "stream" breaker). */
  breaker: SourceBreaker;
  clock?: SessionGateClock;
  /** A session started (also called by start() when the market is open). */
  onOpen?(session: Session): void;
  /** The market closed (also called by start() when it is closed). */
  onClose?(state: { nextOpen: number | null; reason: string }): void;
  /** Longest real wait between two checks (default 5 min). */
  maxCheckIntervalMs?: number;
}

/**
 * "market closed; opens 2026-11-23T14:30:00Z" (or the calendar error when the next open is unknown).
 * @example closedReason(Date.UTC(2026, 10, 23, 14, 30)) // "market closed; opens 2026-11-23T14:30:00Z"
 */
export function closedReason(next: number | null, problem?: string): string {
  if (next !== null) return `${MARKET_CLOSED}; opens ${new Date(next).toISOString().replace(".000Z", "Z")}`;
  return `${MARKET_CLOSED}; next open unknown${problem ? ` (${problem})` : ""}`;
}

export class SessionGate {
  private timer: NodeJS.Timeout | null = null;
  private current: SessionGateState | null = null;
  private readonly clock: SessionGateClock;

  constructor(private readonly options: SessionGateOptions) {
    this.clock = options.clock ?? { now: () => Date.now() };
  }

  /** Evaluates the market now (calling onOpen or onClose) and keeps following the sessions until stop(). */
  start(): SessionGateState {
    this.current = null;
    return this.check();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** The last evaluated state (null before start()). */
  get state(): SessionGateState | null {
    return this.current;
  }

  get isOpen(): boolean {
    return this.current?.open === true;
  }

  /** The health reason while closed ("market closed; opens …"), null while open. */
  get reason(): string | null {
    return this.current && !this.current.open ? this.current.reason : null;
  }

  /** Re-evaluates now; transitions call the callbacks. Returns the state. */
  check(): SessionGateState {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const now = this.clock.now();
    const state = this.evaluate(now);
    const previous = this.current;
    this.current = state;
    if (state.open) {
      this.options.breaker.release();
      if (!previous?.open) this.options.onOpen?.(state.session);
    } else {
      this.options.breaker.hold(MARKET_CLOSED, state.nextOpen);
      if (previous === null || previous.open) this.options.onClose?.({ nextOpen: state.nextOpen, reason: state.reason });
    }
    const transition = state.open ? state.session.close : state.nextOpen;
    this.schedule(transition);
    return state;
  }

  private evaluate(now: number): SessionGateState {
    const { calendar } = this.options;
    try {
      const session = sessionFor(calendar, now);
      if (session) return { open: true, session };
    } catch (error) {
      return { open: false, nextOpen: null, reason: closedReason(null, (error as Error).message) };
    }
    try {
      const next = nextOpen(calendar, now);
      return { open: false, nextOpen: next, reason: closedReason(next) };
    } catch (error) {
      return { open: false, nextOpen: null, reason: closedReason(null, (error as Error).message) };
    }
  }

  private schedule(transition: number | null): void {
    const maxWait = this.options.maxCheckIntervalMs ?? 300_000;
    const until = transition === null ? maxWait : (this.clock.realDelayUntil?.(transition) ?? transition - this.clock.now());
    this.timer = setTimeout(() => this.check(), Math.max(1, Math.min(maxWait, Math.ceil(until))));
    this.timer.unref?.();
  }
}
