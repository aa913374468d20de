/**
 * Data-quality reads for the API (issue 4): a symbol's current quality snapshot (Redis `{ns}:quality:{SYMBOL}`,
 * written by the collector every 5 s; PostgreSQL's newest data_quality_metrics row when Redis is down or the key
 * expired) and its last quarantined items. Unknown symbols are NOT_FOUND; PostgreSQL down is UNAVAILABLE.
 */
import type { SymbolId } from "../domain/bars/bar.ts";
import type { QualityCheck, QualityIssue } from "../domain/quality/quality-types.ts";
import { readLatestQualityMetric, readRecentQuarantine } from "../db/quality.repo.ts";
import { AppError } from "./app-error.ts";
import type { StoredQualitySnapshot } from "./quality-sink.service.ts";
import { whenRedisReady, type ServiceDeps } from "./service-deps.ts";
import type { SymbolsService } from "./symbols.service.ts";

/** Quarantined items returned with the status. */
export const QUARANTINE_LIMIT = 20;

export interface QualitySnapshotView {
  /** 0–100. */
  score: number;
  windowItems: number;
  windowRejected: number;
  issuesByCheck: Record<QualityCheck, number>;
  /** null when read from PostgreSQL (the history row holds the score and window only). */
  totalItems: number | null;
  totalRejected: number | null;
  rebaselines: number | null;
  lastEventTime: number | null;
  ageMs: number | null;
  /** Epoch ms the snapshot was taken (Redis: wall clock of the write; PostgreSQL: the row's time). */
  updatedAt: number;
}

export interface QuarantinedItem {
  id: string;
  kind: "trade" | "bar";
  eventTime: number;
  receivedAt: number;
  checks: QualityIssue[];
  payload: object;
}

export interface QualityStatus {
  symbol: SymbolId;
  /** Which store answered the snapshot; null when nothing was recorded for the symbol yet. */
  source: "redis" | "postgres" | null;
  snapshot: QualitySnapshotView | null;
  /** The last QUARANTINE_LIMIT rejected items, newest first. */
  quarantined: QuarantinedItem[];
}

export interface QualityService {
  status(symbol: SymbolId): Promise<QualityStatus>;
}

/** A stored `{ns}:quality:{SYMBOL}` value, or null when absent or not a snapshot. */
export function parseStoredQuality(text: string | null): QualitySnapshotView | null {
  if (!text) return null;
  try {
    const stored = JSON.parse(text) as Partial<StoredQualitySnapshot>;
    if (typeof stored.score !== "number" || typeof stored.updatedAt !== "number") return null;
    return {
      score: stored.score,
      windowItems: stored.windowItems ?? 0,
      windowRejected: stored.windowRejected ?? 0,
      issuesByCheck: stored.issuesByCheck ?? { price_anomaly: 0, stale: 0, invalid_value: 0, volume_spike: 0 },
      totalItems: stored.totalItems ?? null,
      totalRejected: stored.totalRejected ?? null,
      rebaselines: stored.rebaselines ?? null,
      lastEventTime: stored.lastEventTime ?? null,
      ageMs: stored.ageMs ?? null,
      updatedAt: stored.updatedAt,
    };
  } catch {
    return null;
  }
}

export function createQualityService(deps: ServiceDeps, symbols: SymbolsService): QualityService {
  async function cached(key: string): Promise<string | null> {
    try {
      await whenRedisReady(deps.redis);
      return await deps.redis.get(key);
    } catch {
      return null; // Redis down: PostgreSQL answers
    }
  }

  return {
    async status(symbol) {
      if ((await symbols.isActive(symbol)) === false) {
        throw new AppError("NOT_FOUND", `unknown symbol ${symbol}: it is not in the active symbol list`);
      }
      const hit = parseStoredQuality(await cached(deps.keys.quality(symbol)));
      try {
        const [latest, quarantine] = await Promise.all([hit ? Promise.resolve(null) : readLatestQualityMetric(deps.pool, symbol), readRecentQuarantine(deps.pool, symbol, QUARANTINE_LIMIT)]);
        const quarantined = quarantine.map(({ id, kind, eventTime, receivedAt, checks, payload }) => ({ id, kind, eventTime, receivedAt, checks: [...checks], payload }));
        if (hit) return { symbol, source: "redis", snapshot: hit, quarantined };
        if (!latest) return { symbol, source: null, snapshot: null, quarantined };
        const snapshot: QualitySnapshotView = {
          score: latest.score,
          windowItems: latest.windowItems,
          windowRejected: latest.windowRejected,
          issuesByCheck: latest.issues,
          totalItems: null,
          totalRejected: null,
          rebaselines: null,
          lastEventTime: null,
          ageMs: null,
          updatedAt: latest.at,
        };
        return { symbol, source: "postgres", snapshot, quarantined };
      } catch (error) {
        throw new AppError("UNAVAILABLE", `data quality ${symbol}: PostgreSQL is unreachable`, { cause: error });
      }
    },
  };
}
