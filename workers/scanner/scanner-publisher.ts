/**
 * Writes one cycle's results to Redis in a single MULTI/EXEC: every toplist that changed replaces its ZSET
 * `{ns}:scanner:{list}` (DEL + ZADD inside the transaction, so readers see the old or the new list, never a
 * mix; an empty list deletes the key), every screen whose matches changed updates `{ns}:scanner:screen:{id}`
 * (score 0: members read in symbol order; ZREM/ZADD of the difference, a full rewrite after a reload or a
 * failure), removed screens lose their key, and one compact ScannerUpdate is
 * published on `{ns}:scanner:updates`. When a write fails, the next cycle rewrites everything.
 */
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type { ScanOutput } from "../../server/domain/scanner/scan-cycle.ts";
import type { CompiledScreen } from "../../server/domain/scanner/screen-program.ts";
import type { ScannerState } from "../../server/domain/scanner/scanner-state.ts";
import type { RedisKeys } from "../../server/redis/keys.ts";
import { MAX_SCREEN_CHANGES, compactNumber, type ScannerUpdate, type ScreenUpdate } from "./scanner-messages.ts";

/** Every this many cycles every key is rewritten in full, whatever changed. */
export const FULL_REWRITE_EVERY = 60;

export interface CyclePublication {
  output: ScanOutput;
  state: ScannerState;
  screens: readonly CompiledScreen[];
  removedScreens: readonly string[];
  at: number;
  durationMs: number;
}

function symbolsOf(state: ScannerState, slots: Int32Array, count: number, limit = count): string[] {
  const names: string[] = [];
  for (let index = 0; index < Math.min(count, limit); index++) names.push(state.symbols[slots[index] as number] as string);
  return names;
}

export class ScannerPublisher {
  readonly epoch = randomBytes(4).toString("hex");
  private seq = 0;
  /** Rewrite every list and screen (first cycle, after a failed write, after a screens reload). */
  private full = true;
  private readonly written = new Set<string>();

  constructor(private readonly redis: Redis, private readonly keys: RedisKeys) {}

  /** The next write rewrites every key. */
  rewriteAll(): void {
    this.full = true;
  }

  /** Writes and publishes; returns the published message. Throws when Redis fails (and rewrites all next time). */
  async publish(cycle: CyclePublication): Promise<ScannerUpdate> {
    const { output, state, screens } = cycle;
    const keys = this.keys;
    if (this.seq % FULL_REWRITE_EVERY === 0) this.full = true; // heals a key changed or lost behind our back
    const transaction = this.redis.multi();
    const lists: ScannerUpdate["lists"] = {};
    for (const list of output.toplists) {
      if (!list.changed && !this.full) continue;
      const key = keys.scannerList(list.definition.name);
      const entries: [string, number][] = [];
      const args: (string | number)[] = [];
      for (let index = 0; index < list.count; index++) {
        const symbol = state.symbols[list.slots[index] as number] as string;
        const value = list.values[index] as number;
        entries.push([symbol, compactNumber(value)]);
        args.push(value, symbol);
      }
      transaction.del(key);
      if (args.length > 0) transaction.zadd(key, ...args);
      lists[list.definition.name] = entries;
    }
    const screenUpdates: ScreenUpdate[] = [];
    for (const screen of screens) {
      const isNew = !this.written.has(screen.id);
      if (!this.full && !isNew && screen.enteredCount === 0 && screen.leftCount === 0) continue;
      const key = keys.scannerScreen(screen.id);
      if (this.full || isNew) {
        transaction.del(key);
        if (screen.matchCount > 0) transaction.zadd(key, ...symbolsOf(state, screen.matches, screen.matchCount).flatMap((symbol) => [0, symbol]));
      } else {
        // only the difference: cheap when a few of thousands of matches move
        if (screen.leftCount > 0) transaction.zrem(key, ...symbolsOf(state, screen.left, screen.leftCount));
        if (screen.enteredCount > 0) transaction.zadd(key, ...symbolsOf(state, screen.entered, screen.enteredCount).flatMap((symbol) => [0, symbol]));
      }
      const truncated = screen.enteredCount > MAX_SCREEN_CHANGES || screen.leftCount > MAX_SCREEN_CHANGES;
      screenUpdates.push({
        id: screen.id,
        count: screen.matchCount,
        added: symbolsOf(state, screen.entered, screen.enteredCount, MAX_SCREEN_CHANGES),
        removed: symbolsOf(state, screen.left, screen.leftCount, MAX_SCREEN_CHANGES),
        truncated,
      });
    }
    for (const id of cycle.removedScreens) transaction.del(keys.scannerScreen(id));
    const update: ScannerUpdate = {
      type: "scanner",
      epoch: this.epoch,
      seq: ++this.seq,
      at: cycle.at,
      symbols: output.scanned,
      durationMs: compactNumber(cycle.durationMs),
      lists,
      screens: screenUpdates,
    };
    transaction.publish(keys.scannerUpdates(), JSON.stringify(update));
    try {
      const results = await transaction.exec();
      const failed = results?.find(([error]) => error)?.[0];
      if (!results || failed) throw failed ?? new Error("redis transaction aborted");
    } catch (error) {
      this.full = true;
      throw error;
    }
    this.full = false;
    for (const screen of screens) this.written.add(screen.id);
    for (const id of cycle.removedScreens) this.written.delete(id);
    return update;
  }
}
