/** What one benchmark scenario reports: a section of BENCHMARKS.md. */
export interface BenchResult {
  name: string;
  /** Markdown lines: what was measured, the baseline measured in the same run, and the ratio. */
  lines: string[];
}

export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return Number.NaN;
  const index = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return sortedMs[index] ?? Number.NaN;
}

export const fmt = (ms: number) => `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
