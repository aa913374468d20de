/**
 * Binance streams spread over as many connections as needed: at most `maxStreamsPerConnection` (Binance: 1,024)
 * per connection, one BinanceStream per shard. Streams come in groups (one symbol = aggTrade + kline_1m) and a
 * group always stays on one shard, so the caller knows which symbols a reconnect affects.
 * - Before `start()`, `add()` only places groups (first shard with room, else a new one); `start()` opens every
 *   shard with its streams in the URL.
 * - After `start()`, `add()` subscribes on a shard with room (SUBSCRIBE through its control queue) or opens a new
 *   shard; `remove()` unsubscribes, and a shard left empty is closed.
 * - Each shard replaces its connection before Binance's 24-hour cut; the refresh is staggered per shard
 *   (`refreshAfterMs − (index mod 12) × refreshStaggerMs`) so connections opened together do not roll together.
 * Callbacks carry the shard index.
 */
import type { SourceBreaker } from "../circuit-breaker.ts";
import type { ControlMethod } from "./control-queue.ts";
import { BinanceStream, MAX_STREAMS_PER_CONNECTION, type StreamHealth, type StreamTimingOptions } from "./binance-stream.ts";

export interface ShardCallbacks {
  onOpen(shard: number): void;
  onFrame(shard: number, text: string): void;
  onClose(shard: number, info: { code: number; reason: string; reconnectInMs: number | null }): void;
  onCircuitOpen?(shard: number, info: { retryInMs: number; message: string }): void;
  onRollover?(shard: number, info: { reason: string; ageMs: number }): void;
  onRolloverFailed?(shard: number, info: { reason: string; error: string; retryInMs: number }): void;
  onControlSent?(shard: number, method: ControlMethod): void;
}

export interface BinanceShardsOptions {
  baseUrl: string;
  breaker: SourceBreaker;
  callbacks: ShardCallbacks;
  maxStreamsPerConnection?: number;
  stream?: StreamTimingOptions;
  /** Spacing of the shards' refresh times (default 5 min). */
  refreshStaggerMs?: number;
}

export interface ShardHealth extends StreamHealth {
  shard: number;
  groups: number;
}

interface Shard {
  index: number;
  groups: Set<string>;
  streams: number;
  stream: BinanceStream | null;
}

const HOUR = 3_600_000;

export class BinanceShards {
  private readonly shards: Shard[] = [];
  private readonly placement = new Map<string, { shard: Shard; streams: readonly string[] }>();
  private nextIndex = 0;
  private started = false;
  private readonly maxStreams: number;

  constructor(private readonly options: BinanceShardsOptions) {
    this.maxStreams = options.maxStreamsPerConnection ?? MAX_STREAMS_PER_CONNECTION;
    if (!(this.maxStreams >= 2 && this.maxStreams <= MAX_STREAMS_PER_CONNECTION)) {
      throw new Error(`BinanceShards: maxStreamsPerConnection must be in [2, ${MAX_STREAMS_PER_CONNECTION}]`);
    }
  }

  get count(): number {
    return this.shards.length;
  }

  has(group: string): boolean {
    return this.placement.has(group);
  }

  /** The shard a group is on, or null. */
  shardOf(group: string): number | null {
    return this.placement.get(group)?.shard.index ?? null;
  }

  /** Whether a shard still exists (a shard left empty is closed and gone). */
  exists(shard: number): boolean {
    return this.shards.some((candidate) => candidate.index === shard);
  }

  /** The groups (symbols) on a shard. */
  groupsOf(shard: number): string[] {
    return [...(this.shards.find((candidate) => candidate.index === shard)?.groups ?? [])];
  }

  /** Places a group of streams; once started, subscribes it (or opens a new shard). Returns the shard index. */
  async add(group: string, streams: readonly string[]): Promise<number> {
    const placed = this.placement.get(group);
    if (placed) return placed.shard.index;
    if (streams.length === 0 || streams.length > this.maxStreams) throw new Error(`BinanceShards: group ${group} has ${streams.length} streams`);
    let shard = this.shards.find((candidate) => candidate.streams + streams.length <= this.maxStreams);
    const isNew = !shard;
    shard ??= this.newShard();
    shard.groups.add(group);
    shard.streams += streams.length;
    this.placement.set(group, { shard, streams });
    if (!this.started) return shard.index;
    if (isNew || !shard.stream) this.startShard(shard);
    else await shard.stream.subscribe(streams);
    return shard.index;
  }

  /** Removes a group: UNSUBSCRIBE on its shard, or closes the shard when it was the last group. */
  async remove(group: string): Promise<void> {
    const placed = this.placement.get(group);
    if (!placed) return;
    this.placement.delete(group);
    const { shard, streams } = placed;
    shard.groups.delete(group);
    shard.streams -= streams.length;
    if (shard.groups.size > 0) {
      await shard.stream?.unsubscribe(streams);
      return;
    }
    this.shards.splice(this.shards.indexOf(shard), 1);
    await shard.stream?.stop();
  }

  start(): void {
    this.started = true;
    for (const shard of this.shards) if (!shard.stream) this.startShard(shard);
  }

  async stop(): Promise<void> {
    this.started = false;
    await Promise.all(this.shards.map((shard) => shard.stream?.stop()));
  }

  reconnect(shard: number, reason: string, delayMs?: number): void {
    this.streamOf(shard)?.reconnectNow(reason, delayMs);
  }

  rollover(shard: number, reason: string): void {
    this.streamOf(shard)?.rollover(reason);
  }

  /** The streams Binance confirms on a shard (LIST_SUBSCRIPTIONS). */
  async listSubscriptions(shard: number): Promise<string[]> {
    const stream = this.streamOf(shard);
    if (!stream) throw new Error(`BinanceShards: no shard ${shard}`);
    return stream.listSubscriptions();
  }

  health(): ShardHealth[] {
    return this.shards.map((shard) => ({
      shard: shard.index,
      groups: shard.groups.size,
      ...(shard.stream?.health() ?? { state: "idle", streams: shard.streams, openedAt: null, rollingOver: false, rollovers: 0, reconnects: 0, controlQueued: 0 }),
    }));
  }

  private streamOf(shard: number): BinanceStream | null {
    return this.shards.find((candidate) => candidate.index === shard)?.stream ?? null;
  }

  private newShard(): Shard {
    const shard: Shard = { index: this.nextIndex++, groups: new Set(), streams: 0, stream: null };
    this.shards.push(shard);
    return shard;
  }

  private startShard(shard: Shard): void {
    const { callbacks, stream: timing = {} } = this.options;
    const base = timing.refreshAfterMs ?? 23 * HOUR;
    const stagger = this.options.refreshStaggerMs ?? 5 * 60_000;
    const index = shard.index;
    const streams = [...shard.groups].flatMap((group) => this.placement.get(group)?.streams ?? []);
    shard.stream = new BinanceStream({
      ...timing,
      refreshAfterMs: Math.max(base / 2, base - (index % 12) * stagger),
      baseUrl: this.options.baseUrl,
      streams,
      maxStreams: this.maxStreams,
      breaker: this.options.breaker,
      callbacks: {
        onOpen: () => callbacks.onOpen(index),
        onFrame: (text) => callbacks.onFrame(index, text),
        onClose: (info) => callbacks.onClose(index, info),
        onCircuitOpen: (info) => callbacks.onCircuitOpen?.(index, info),
        onRollover: (info) => callbacks.onRollover?.(index, info),
        onRolloverFailed: (info) => callbacks.onRolloverFailed?.(index, info),
        onControlSent: (method) => callbacks.onControlSent?.(index, method),
      },
    });
    shard.stream.start();
  }
}
