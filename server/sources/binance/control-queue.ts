/**
 * Outgoing messages of one Binance WebSocket connection, kept under Binance's limit of 5 incoming messages per
 * second per connection (pongs and JSON control messages all count; going over disconnects, and repeat offenders
 * are banned: PROTOCOLS.md §1).
 * - Control requests (SUBSCRIBE, UNSUBSCRIBE, LIST_SUBSCRIPTIONS) get an id and resolve with the `result` of the
 *   matching `{"result":…,"id":N}` reply, or reject with the `{"code","msg","id"}` error.
 * - Consecutive SUBSCRIBE (or UNSUBSCRIBE) requests still waiting to be sent merge into one message with one
 *   params array, so adding 100 symbols costs one message, not 100.
 * - Pongs (the socket sends them itself, `autoPong: false`) go first but share the same per-second allowance.
 * Nothing is sent before `start()` (the socket is open); `close()` rejects whatever is still waiting.
 */
/** The allowance is counted over a second plus 100 ms of slack, so network jitter cannot squeeze 6 into one second. */
const WINDOW_MS = 1_100;

export type ControlMethod = "SUBSCRIBE" | "UNSUBSCRIBE" | "LIST_SUBSCRIPTIONS";

export class ControlRequestError extends Error {
  name = "ControlRequestError";
  constructor(
    message: string,
    readonly code: number | null,
  ) {
    super(message);
  }
}

interface Waiter {
  resolve(result: unknown): void;
  reject(error: Error): void;
}

interface Request {
  method: ControlMethod;
  params: string[];
  waiters: Waiter[];
}

export interface ControlQueueOptions {
  send(text: string): void;
  pong(data: Buffer): void;
  /** Messages allowed in any sliding second (Binance: 5). */
  perSecond: number;
  now?: () => number;
  /** Called for every control message sent (not pongs): metrics. */
  onSent?(method: ControlMethod): void;
}

export class ControlQueue {
  private readonly waiting: Request[] = [];
  private readonly pongs: Buffer[] = [];
  private readonly inFlight = new Map<number, Request>();
  private readonly sentAt: number[] = [];
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  private closedWith: Error | null = null;
  private nextId = 1;
  private readonly now: () => number;

  constructor(private readonly options: ControlQueueOptions) {
    if (!(options.perSecond >= 1)) throw new Error("ControlQueue: perSecond must be at least 1");
    this.now = options.now ?? Date.now;
  }

  /** Control requests not yet sent (merged requests count once). */
  get queued(): number {
    return this.waiting.length;
  }

  start(): void {
    this.started = true;
    this.drain();
  }

  request(method: ControlMethod, params: readonly string[] = []): Promise<unknown> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise<unknown>((resolve, reject) => {
      const last = this.waiting.at(-1);
      if (last && last.method === method && method !== "LIST_SUBSCRIPTIONS") {
        last.params.push(...params);
        last.waiters.push({ resolve, reject });
      } else {
        this.waiting.push({ method, params: [...params], waiters: [{ resolve, reject }] });
      }
      this.drain();
    });
  }

  pong(data: Buffer): void {
    if (this.closedWith) return;
    this.pongs.push(data);
    this.drain();
  }

  /** Routes a `{"result":…,"id":N}` or `{"code":…,"msg":…,"id":N}` reply; false when it is not one of ours. */
  handleReply(message: { id?: unknown; result?: unknown; code?: unknown; msg?: unknown }): boolean {
    if (typeof message.id !== "number") return false;
    const request = this.inFlight.get(message.id);
    if (!request) return false;
    this.inFlight.delete(message.id);
    if (typeof message.code === "number") {
      const error = new ControlRequestError(`${request.method} rejected by Binance: ${String(message.msg)} (code ${message.code})`, message.code);
      for (const waiter of request.waiters) waiter.reject(error);
    } else {
      for (const waiter of request.waiters) waiter.resolve(message.result);
    }
    return true;
  }

  /** The socket is gone: everything waiting or unanswered is rejected with `error`. */
  close(error: Error): void {
    if (this.closedWith) return;
    this.closedWith = error;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const pending = [...this.waiting.splice(0), ...this.inFlight.values()];
    this.inFlight.clear();
    this.pongs.length = 0;
    for (const request of pending) for (const waiter of request.waiters) waiter.reject(error);
  }

  private drain(): void {
    if (!this.started || this.closedWith || this.timer) return;
    while (this.pongs.length > 0 || this.waiting.length > 0) {
      const now = this.now();
      while (this.sentAt.length > 0 && this.sentAt[0]! <= now - WINDOW_MS) this.sentAt.shift();
      if (this.sentAt.length >= this.options.perSecond) {
        this.timer = setTimeout(() => {
          this.timer = null;
          this.drain();
        }, this.sentAt[0]! + WINDOW_MS - now + 1);
        return;
      }
      this.sentAt.push(now);
      const pong = this.pongs.shift();
      if (pong) {
        this.options.pong(pong);
        continue;
      }
      const request = this.waiting.shift()!;
      const id = this.nextId++;
      this.inFlight.set(id, request);
      const message = request.method === "LIST_SUBSCRIPTIONS" ? { method: request.method, id } : { method: request.method, params: request.params, id };
      this.options.send(JSON.stringify(message));
      this.options.onSent?.(request.method);
    }
  }
}
