import type { Logger } from '../log.js';
import type { TicketDeps } from './deps.js';
import { createOwedDrain } from './problem-resolutions.js';

/**
 * What the problem worker needs from whoever starts it (the `worker` role, roles/worker.ts):
 * declared here, so that tickets/ does not depend on the roles above it.
 */
export interface ProblemWorkerContext {
  log: Logger;
  services: { tickets: TicketDeps };
}

/** The safety net: a notification missed (the listening connection down) is found by this sweep. */
const SWEEP_MS = 5_000;

/**
 * The incidents a resolved problem owes, resolved by the `worker` role: at once when the
 * resolving transaction commits (its notification, heard on a connection of its own), at start (what a
 * killed worker left), and by a periodic sweep.
 */
export async function startProblemWorker(ctx: ProblemWorkerContext): Promise<() => Promise<void>> {
  const deps = ctx.services.tickets;
  const log = ctx.log.child({ component: 'problems' });
  const drain = createOwedDrain(deps, log);
  const listening = deps.store.problems.listenOwed(log, { onNotify: () => drain.poke(), onReconnect: () => drain.poke() });
  const timer = setInterval(() => drain.poke(), SWEEP_MS);
  timer.unref();
  drain.poke();
  return async () => {
    clearInterval(timer);
    await listening.stop();
    await drain.idle();
  };
}
