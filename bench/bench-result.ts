/**
 * The shape every benchmark returns (bench/*.bench.ts export `async function run…Bench(): Promise<BenchResult[]>`);
 * bench/run-all.ts collects them into docs/benchmarks.md. Benchmarks print figures and never assert.
 */
export interface BenchResult {
  /** What was measured, e.g. "parse + normalize + build 6 timeframes". */
  name: string;
  /** The figure (median of the timed runs unless the note says otherwise). */
  value: number;
  /** Unit of `value`, e.g. "frames/s", "ms", "µs". */
  unit: string;
  /** The budget from DESIGN.md this figure is compared with, if any, e.g. "≥ 200,000 trades/s". */
  budget?: string;
  /** Anything needed to read the figure: input size, runs, what else ran. */
  note?: string;
}
