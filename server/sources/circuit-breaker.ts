/**
 * Circuit breakers for market-data sources (cockatiel), one per (source, kind): "rest" wraps every REST
 * request, "stream" every WebSocket connect attempt.
 * Defaults: 5 consecutive failures → open; after 60 s → half-open (the next call is the probe);
 * 2 consecutive successes → closed; a failure while half-open re-opens.
 *
 * cockatiel's CircuitBreakerPolicy closes after ONE successful half-open probe. The 2-success rule is kept by
 * the custom `ProbationBreaker` (cockatiel's IBreaker): after the probe succeeds it stays "on probation" (reported
 * as half-open) until `closeAfterSuccesses` successes in a row; a failure on probation re-opens the circuit at once.
 * While open, calls fail fast with `CircuitOpenError` (a cockatiel BrokenCircuitError) carrying when the next
 * probe is allowed, so callers wait instead of hammering the exchange.
 * `hold(reason, until)` keeps the circuit open on purpose (cockatiel `isolate()`), e.g. "market closed" outside a
 * stock exchange's sessions (server/sources/session-gate.ts): calls fail fast with that reason and the release
 * time, failures are not counted, and releasing it closes the circuit again.
 */
import { BrokenCircuitError, CircuitState, circuitBreaker, handleAll, type CircuitBreakerPolicy, type IBreaker } from "cockatiel";

export type BreakerKind = "rest" | "stream";
export type BreakerState = "closed" | "half-open" | "open";

export interface BreakerOptions {
  /** Consecutive failures that open the circuit (default 5). */
  failureThreshold?: number;
  /** Time open before the next call may probe (default 60 s). */
  halfOpenAfterMs?: number;
  /** Consecutive successes in half-open that close the circuit (default 2). */
  closeAfterSuccesses?: number;
}

export interface BreakerSnapshot {
  state: BreakerState;
  /** When the breaker entered `state` (ms since epoch). */
  since: number;
  /** Consecutive failures counted so far (resets on success). */
  failures: number;
  /** Message of the failure that opened the circuit, while not closed. */
  lastError?: string;
  /** Why the circuit is held open on purpose (`hold()`, e.g. "market closed"), and until when if known. */
  heldReason?: string;
  heldUntil?: number;
}

export type BreakerTransitionListener = (event: { source: string; kind: BreakerKind; from: BreakerState; to: BreakerState; snapshot: BreakerSnapshot }) => void;

export const BREAKER_DEFAULTS: Required<BreakerOptions> = { failureThreshold: 5, halfOpenAfterMs: 60_000, closeAfterSuccesses: 2 };

/** Gauge value of `marketlens_circuit_state`. */
export const BREAKER_STATE_VALUE: Record<BreakerState, number> = { closed: 0, "half-open": 1, open: 2 };

/** Thrown instead of cockatiel's bare BrokenCircuitError: says which breaker and when the next probe is allowed. */
export class CircuitOpenError extends BrokenCircuitError {
  constructor(
    readonly source: string,
    readonly kind: BreakerKind,
    readonly retryInMs: number,
    lastError: string | undefined,
    /** Set when the circuit is held open on purpose (e.g. "market closed"). */
    readonly heldReason?: string,
  ) {
    super(
      heldReason
        ? `${source} ${kind} circuit is held open: ${heldReason}${retryInMs > 0 ? `; released in ${Math.ceil(retryInMs / 1000)}s` : ""}`
        : `${source} ${kind} circuit is open${lastError ? ` (last failure: ${lastError})` : ""}; next attempt in ${Math.ceil(retryInMs / 1000)}s`,
    );
    this.name = "CircuitOpenError";
  }
}

/** Consecutive-failure breaker with a probation of `closeAfterSuccesses` successes after a half-open probe. */
export class ProbationBreaker implements IBreaker {
  state = { failures: 0, probation: 0 };

  constructor(
    private readonly threshold: number,
    private readonly closeAfterSuccesses: number,
  ) {}

  success(circuit: CircuitState): void {
    this.state.failures = 0;
    if (circuit === CircuitState.HalfOpen) this.state.probation = this.closeAfterSuccesses - 1;
    else if (this.state.probation > 0) this.state.probation -= 1;
  }

  failure(circuit: CircuitState): boolean {
    if (circuit === CircuitState.HalfOpen || this.state.probation > 0) {
      this.state.probation = 0;
      this.state.failures = this.threshold;
      return true;
    }
    this.state.failures += 1;
    return this.state.failures >= this.threshold;
  }
}

export class SourceBreaker {
  readonly options: Required<BreakerOptions>;
  private readonly breaker: ProbationBreaker;
  private readonly policy: CircuitBreakerPolicy;
  private readonly listeners: BreakerTransitionListener[] = [];
  private reported: BreakerState = "closed";
  private since = Date.now();
  private openedAt = 0;
  private lastError: string | undefined;
  private held: { reason: string; until: number | null; release: () => void } | null = null;

  constructor(
    readonly source: string,
    readonly kind: BreakerKind,
    options: BreakerOptions = {},
  ) {
    this.options = { ...BREAKER_DEFAULTS, ...options };
    this.breaker = new ProbationBreaker(this.options.failureThreshold, this.options.closeAfterSuccesses);
    this.policy = circuitBreaker(handleAll, { halfOpenAfter: this.options.halfOpenAfterMs, breaker: this.breaker });
    this.policy.onBreak((reason) => {
      this.openedAt = Date.now();
      if ("error" in reason) this.lastError = reason.error.message;
    });
    this.policy.onStateChange(() => this.sync());
  }

  get state(): BreakerState {
    const circuit = this.policy.state;
    if (circuit === CircuitState.Open || circuit === CircuitState.Isolated) return "open";
    if (circuit === CircuitState.HalfOpen || this.breaker.state.probation > 0) return "half-open";
    return "closed";
  }

  snapshot(): BreakerSnapshot {
    const state = this.state;
    const held = this.held ? { heldReason: this.held.reason, ...(this.held.until !== null ? { heldUntil: this.held.until } : {}) } : {};
    return { state, since: this.since, failures: this.breaker.state.failures, ...(state !== "closed" && this.lastError && !this.held ? { lastError: this.lastError } : {}), ...held };
  }

  /** Why the circuit is held open on purpose, or null. */
  get heldReason(): string | null {
    return this.held?.reason ?? null;
  }

  /**
   * Holds the circuit open on purpose (cockatiel `isolate()`): every call fails fast with a CircuitOpenError
   * naming `reason`, until `release()`. `until` (ms since epoch) is when the caller expects to release it (health,
   * retry hints). Holding again replaces the reason; release closes the circuit with a clean failure count.
   */
  hold(reason: string, until: number | null = null): void {
    if (this.held) {
      this.held = { ...this.held, reason, until };
      return;
    }
    const held = { reason, until, release: () => undefined as void };
    this.held = held; // set before isolate(): its state-change event already reports the hold
    const handle = this.policy.isolate();
    held.release = () => handle.dispose();
    this.sync();
  }

  /** Ends `hold()`: the circuit closes (consecutive failures reset). No-op when not held. */
  release(): void {
    const held = this.held;
    if (!held) return;
    this.held = null;
    this.breaker.state = { failures: 0, probation: 0 };
    this.lastError = undefined;
    held.release();
    this.sync();
  }

  /** Milliseconds until an open circuit lets a probe through (0 when not open); while held, until its release time. */
  msUntilHalfOpen(): number {
    if (this.held) return this.held.until === null ? 0 : Math.max(0, this.held.until - Date.now());
    if (this.policy.state !== CircuitState.Open) return 0;
    return Math.max(0, this.openedAt + this.options.halfOpenAfterMs - Date.now());
  }

  onTransition(listener: BreakerTransitionListener): void {
    this.listeners.push(listener);
  }

  /**
   * Runs `fn` through the breaker. An error for which `isFailure` returns false (e.g. HTTP 400) is rethrown
   * but counts as a success: the remote answered. Throws CircuitOpenError while open.
   */
  async execute<T>(fn: () => Promise<T> | T, isFailure: (error: unknown) => boolean = () => true): Promise<T> {
    let outcome: { value: T } | { error: unknown };
    try {
      outcome = await this.policy.execute(async () => {
        try {
          return { value: await fn() };
        } catch (error) {
          if (isFailure(error)) throw error;
          return { error };
        }
      });
    } catch (error) {
      if (error instanceof BrokenCircuitError && !(error instanceof CircuitOpenError)) {
        throw new CircuitOpenError(this.source, this.kind, this.msUntilHalfOpen(), this.lastError, this.held?.reason);
      }
      throw error;
    } finally {
      this.sync();
    }
    if ("error" in outcome) throw outcome.error;
    return outcome.value;
  }

  /** Records a success (e.g. a connection that stayed up); ignored while open. */
  async recordSuccess(): Promise<void> {
    await this.execute(() => undefined).catch(() => undefined);
  }

  /** Emits a transition when the reported state changed (cockatiel events and probation both feed it). */
  private sync(): void {
    const to = this.state;
    if (to === this.reported) return;
    const from = this.reported;
    this.reported = to;
    this.since = Date.now();
    if (to === "closed") this.lastError = undefined;
    const snapshot = this.snapshot();
    for (const listener of this.listeners) listener({ source: this.source, kind: this.kind, from, to, snapshot });
  }
}

export function isCircuitOpen(error: unknown): error is BrokenCircuitError {
  return error instanceof BrokenCircuitError;
}
