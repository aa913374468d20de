import { describe, expect, it } from "vitest";
import { QualityGate } from "./quality-gate.ts";
import { QualityScore } from "./quality-score.ts";
import { BTC, btcMinutes, closeTime } from "./quality-test-helpers.ts";

const minutes = btcMinutes();

describe("quality score", () => {
  it("is 100 × (1 − weighted rejected share) minus a staleness penalty", () => {
    const score = new QualityScore(1000);
    expect(score.score({ ageMs: null, maxAgeMs: 60_000 })).toBe(100);
    for (let index = 0; index < 96; index++) score.record(0);
    for (let index = 0; index < 4; index++) score.record(4);
    expect(score.score({ ageMs: 0, maxAgeMs: 60_000 })).toBe(96); // 100 × (1 − 4/100)
    score.record(2); // a volume spike weighs ½: 100 × (1 − 4.5/101) = 95.54
    expect(score.score({ ageMs: 0, maxAgeMs: 60_000 })).toBe(95.5);
    // 150 s old: penalty 50 × (150 − 60) / (9 × 60) = 8.33 → 95.54 − 8.33 = 87.2
    expect(score.score({ ageMs: 150_000, maxAgeMs: 60_000 })).toBe(87.2);
    expect(score.score({ ageMs: 3_600_000, maxAgeMs: 60_000 })).toBe(45.5); // penalty capped at 50
  });

  it("drops with injected bad data on the real series and recovers once it leaves the 1,000-item window", () => {
    const gate = new QualityGate(BTC);
    const at = (index: number): number => closeTime(minutes[index]!);
    minutes.slice(0, 1000).forEach((bar) => gate.checkBar(bar, closeTime(bar)));
    expect(gate.score(at(999))).toBe(100);
    // 50 invalid items (NaN close) between the real minutes 1000–1049: 100 × (1 − 50/1000) = 95
    for (let index = 1000; index < 1050; index++) {
      const bar = minutes[index]!;
      expect(gate.checkBar({ ...bar, close: Number.NaN }, closeTime(bar)).ok).toBe(false);
      expect(gate.checkBar(bar, closeTime(bar)).ok).toBe(true);
    }
    expect(gate.score(at(1049))).toBe(95);
    expect(gate.snapshot(at(1049))).toMatchObject({ windowItems: 1000, windowRejected: 50, issuesByCheck: { invalid_value: 50 } });
    minutes.slice(1050, 2100).forEach((bar) => gate.checkBar(bar, closeTime(bar)));
    expect(gate.score(at(2099))).toBe(100);
    expect(gate.snapshot(at(2099))).toMatchObject({ windowRejected: 0, totalRejected: 50 });
  });

  it("penalizes a silent symbol and gives a JSON-ready, deterministic snapshot", () => {
    const build = (): QualityGate => {
      const gate = new QualityGate(BTC);
      minutes.slice(0, 200).forEach((bar) => gate.checkBar(bar, closeTime(bar)));
      return gate;
    };
    const gate = build();
    const last = closeTime(minutes[199]!);
    expect(gate.score(last + 60_000)).toBe(100);
    expect(gate.score(last + 600_000)).toBe(50); // 50 × (600 − 60) / 540 = 50
    const snapshot = gate.snapshot(last + 120_000);
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
    expect(snapshot).toEqual(build().snapshot(last + 120_000));
    expect(snapshot).toMatchObject({ symbol: BTC, ageMs: 120_000, lastEventTime: last, score: 94.4 }); // 100 − 50 × 60/540
  });
});
