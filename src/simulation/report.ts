import type { Priority } from '../domain/values.js';
import type { SimulationRun, TicketOutcome } from './simulate.js';

export interface PriorityReport {
  offered: number;
  answered: number;
  /** Share of the offered started by their response due date. */
  slaCompliance: number;
  /** Share of the offered that nobody could be offered on arrival: they waited in the queue. */
  waitProbability: number;
  meanWaitSeconds: number;
  p90WaitSeconds: number;
}

/** The contract's `simulate --json`, with the policy and seed beside it. */
export interface SimulationReport {
  policy: string;
  seed: number;
  days: number;
  priorities: Partial<Record<Priority, PriorityReport>>;
  tiers: Record<string, { utilisation: number }>;
}

/** Nearest rank, as the bench's percentile. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? 0;
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));

export function priorityReport(outcomes: readonly TicketOutcome[]): PriorityReport {
  const waits = outcomes.flatMap((o) => (o.waitSeconds === null ? [] : [o.waitSeconds])).sort((a, b) => a - b);
  const offered = outcomes.length;
  const share = (n: number) => (offered === 0 ? 0 : round(n / offered, 4));
  return {
    offered,
    answered: waits.length,
    slaCompliance: share(outcomes.filter((o) => o.withinSla).length),
    waitProbability: share(outcomes.filter((o) => o.queued).length),
    meanWaitSeconds: waits.length === 0 ? 0 : round(waits.reduce((a, b) => a + b, 0) / waits.length, 1),
    p90WaitSeconds: round(percentile(waits, 0.9), 1),
  };
}

export function summarize(run: SimulationRun): SimulationReport {
  const priorities: Partial<Record<Priority, PriorityReport>> = {};
  for (const p of run.priorities) priorities[p] = priorityReport(run.outcomes.filter((o) => o.priority === p));
  const tiers: Record<string, { utilisation: number }> = {};
  for (const [tier, t] of [...run.tiers].sort((a, b) => a[0] - b[0])) {
    tiers[String(tier)] = { utilisation: t.onShiftMs === 0 ? 0 : round(t.busyMs / t.onShiftMs, 4) };
  }
  return { policy: run.policy, seed: run.seed, days: run.days, priorities, tiers };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const seconds = (s: number) => (s < 600 ? `${s.toFixed(0)} s` : s < 36_000 ? `${(s / 60).toFixed(0)} min` : `${(s / 3600).toFixed(1)} h`);

/** The table a coordinator reads; one per policy. */
export function reportTable(report: SimulationReport): string {
  const rows = [['priority', 'offered', 'answered', 'SLA met', 'waited', 'mean wait', 'p90 wait']];
  for (const [p, r] of Object.entries(report.priorities)) {
    rows.push([
      p,
      String(r.offered),
      String(r.answered),
      pct(r.slaCompliance),
      pct(r.waitProbability),
      seconds(r.meanWaitSeconds),
      seconds(r.p90WaitSeconds),
    ]);
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  const tiers = Object.entries(report.tiers).map(([tier, t]) => `tier ${tier} ${pct(t.utilisation)}`);
  return [
    `policy ${report.policy}, seed ${report.seed}, ${report.days} days`,
    ...rows.map(line),
    `utilisation: ${tiers.join(', ')}`,
    '',
  ].join('\n');
}
