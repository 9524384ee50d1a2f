import { startNotifyWorker } from '../notify/worker.js';
import { startRoutingWorker } from '../routing/worker.js';
import { startProblemWorker } from '../tickets/problem-worker.js';
import { startStormWatch } from '../tickets/storm-watch.js';
import { startApprovalReminders } from '../tickets/approval-reminders.js';
import type { RoleContext, RoleStopper } from './types.js';

type Starter = (ctx: RoleContext) => Promise<RoleStopper>;

/** The background side: each entry starts one kind of worker (routing, notifications…). */
const WORKERS: Starter[] = [
  startNotifyWorker,
  startRoutingWorker,
  startProblemWorker,
  async (ctx) => startStormWatch(ctx),
  async (ctx) => startApprovalReminders(ctx),
];

export async function startWorker(ctx: RoleContext): Promise<RoleStopper> {
  const stops: RoleStopper[] = [];
  for (const start of WORKERS) stops.push(await start(ctx));
  return async () => {
    for (const stop of stops.reverse()) await stop();
  };
}
