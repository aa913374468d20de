/**
 * One consumer per bar-closed partition across processes: a Redis lease per partition
 * (`{ns}:lease:analytics:{p}` = owner id, PX ttl), taken with SET NX, renewed by its owner every ttl/3 and
 * released on shutdown. When the owner dies its lease expires and another analytics process takes the
 * partition over (it then rehydrates the streams from PostgreSQL). A renewal that fails for longer than the
 * ttl counts as lost: the partition's worker is closed before anyone else can take it.
 */
import type { Redis } from "ioredis";
import type { RedisKeys } from "../../server/redis/keys.ts";

const RENEW = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;

export interface PartitionLeasesOptions {
  redis: Redis;
  keys: RedisKeys;
  partitions: number;
  owner: string;
  ttlMs?: number;
  onAcquired: (partition: number) => Promise<void> | void;
  onLost: (partition: number) => Promise<void> | void;
  onError?: (error: unknown) => void;
}

export class PartitionLeases {
  private readonly renewedAt = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly options: PartitionLeasesOptions) {}

  get owned(): number[] {
    return [...this.renewedAt.keys()].sort((a, b) => a - b);
  }

  private get ttl(): number {
    return this.options.ttlMs ?? 30_000;
  }

  /** Takes what it can now, then keeps renewing and retrying every ttl/3. */
  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => void this.tick(), Math.max(50, Math.floor(this.ttl / 3)));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
    for (const partition of this.owned) {
      await this.options.onLost(partition);
      this.renewedAt.delete(partition);
      await this.options.redis.eval(RELEASE, 1, this.options.keys.analyticsLease(partition), this.options.owner).catch(() => undefined);
    }
  }

  private tick(): Promise<void> {
    this.ticking ??= this.tickOnce().finally(() => {
      this.ticking = null;
    });
    return this.ticking;
  }

  private async tickOnce(): Promise<void> {
    const { redis, keys, owner } = this.options;
    for (let partition = 0; partition < this.options.partitions && !this.stopped; partition++) {
      const key = keys.analyticsLease(partition);
      const renewedAt = this.renewedAt.get(partition);
      try {
        if (renewedAt !== undefined) {
          const renewed = await redis.eval(RENEW, 1, key, owner, String(this.ttl));
          if (renewed === 1) this.renewedAt.set(partition, Date.now());
          else await this.lose(partition);
        } else if ((await redis.set(key, owner, "PX", this.ttl, "NX")) === "OK") {
          this.renewedAt.set(partition, Date.now());
          await this.options.onAcquired(partition);
        }
      } catch (error) {
        this.options.onError?.(error);
        if (renewedAt !== undefined && Date.now() - renewedAt > this.ttl * 0.8) await this.lose(partition);
      }
    }
  }

  private async lose(partition: number): Promise<void> {
    this.renewedAt.delete(partition);
    await this.options.onLost(partition);
  }
}
