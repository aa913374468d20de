"use client";
/**
 * Data-quality badge next to the symbol selector: the collector's 0–100 score of the symbol (`quality.status`,
 * refreshed every 10 s) coloured ≥ 95 green, ≥ 80 amber, else red, with the counts in a tooltip. Nothing is shown
 * before the collector recorded anything for the symbol or when the API cannot answer.
 */
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../trpc.ts";

/** Badge colour of a score. */
export function qualityLevel(score: number): "good" | "warn" | "bad" {
  return score >= 95 ? "good" : score >= 80 ? "warn" : "bad";
}

const CHECK_LABELS: Record<string, string> = {
  price_anomaly: "price anomalies",
  stale: "stale",
  invalid_value: "invalid values",
  volume_spike: "volume spikes",
};

export function QualityBadge({ symbol }: { symbol: string }) {
  const trpc = useTRPC();
  const quality = useQuery(trpc.quality.status.queryOptions({ symbol }, { refetchInterval: 10_000, retry: false }));
  const snapshot = quality.data?.symbol === symbol.toUpperCase() ? quality.data.snapshot : null;
  if (!snapshot) return null;
  const level = qualityLevel(snapshot.score);
  const issues = Object.entries(snapshot.issuesByCheck)
    .filter(([, count]) => count > 0)
    .map(([check, count]) => `${count} ${CHECK_LABELS[check] ?? check}`);
  const title = [
    `Data quality ${snapshot.score.toFixed(1)} / 100`,
    `${snapshot.windowRejected} of the last ${snapshot.windowItems} trades and bars rejected`,
    snapshot.totalItems !== null ? `${snapshot.totalRejected ?? 0} of ${snapshot.totalItems} since the collector started` : null,
    issues.length > 0 ? `Quarantined: ${issues.join(", ")}` : "Nothing quarantined",
  ]
    .filter(Boolean)
    .join("\n");
  return (
    <span className={`badge badge-quality badge-quality-${level}`} data-testid="quality-badge" data-level={level} data-score={snapshot.score} title={title} aria-label={title}>
      Q {Math.round(snapshot.score)}
    </span>
  );
}
