import type { Logger } from '../log.js';
import { resolveDecision } from './actions.js';
import { changeTickets } from './apply-change.js';
import { within, type TicketDeps } from './deps.js';
import { isOpen } from './lifecycle.js';

/**
 * The jobs a resolved problem leaves: each incident open when it was resolved owes its resolution
 * (problem_incidents.resolution_owed_at, migration 083). One job, one transaction: claim the link
 * (SKIP LOCKED, so two workers share the jobs), lock the ticket, resolve it through the tickets'
 * change path (its requester told once: the outbox row is keyed by the resolved event), and settle
 * the job. A crash before the commit leaves the job owed and nothing of it done; after the commit,
 * the job is gone. An incident resolved meanwhile by someone else is left as it is, and not told again.
 */

const ACTOR = 'system:problem';

/**
 * Does the next owed job; says which ticket it was about (null: none left, `except` aside).
 * `claimed` hears the ticket as soon as it is claimed, so that a caller knows which job failed.
 */
export async function resolveNextOwed(
  deps: TicketDeps,
  except: ReadonlySet<string> = new Set(),
  claimed: (ticketId: string) => void = () => undefined,
): Promise<string | null> {
  return deps.store.transaction(async (tx) => {
    const owed = await tx.problems.claimOwed([...except]);
    if (!owed) return null;
    claimed(owed.ticketId);
    const { resolution } = owed;
    // A problem reopened since owes nothing any more.
    if (owed.problemStatus === 'resolved' && resolution) {
      await changeTickets(within(deps, tx), [
        {
          ticketId: owed.ticketId,
          actor: ACTOR,
          decide: (ticket, now) =>
            isOpen(ticket.status)
              ? resolveDecision(ticket, now, resolution, { via: 'problem', problemId: owed.problemId })
              : { changes: {}, events: [] },
        },
      ]);
    }
    await tx.problems.settleOwed(owed.ticketId);
    return owed.ticketId;
  });
}

export interface OwedDrain {
  /** Runs the owed jobs now (or again right after the run in progress). */
  poke(): void;
  /** Resolves when no run is in progress. */
  idle(): Promise<void>;
}

/**
 * One run at a time in this process, until nothing is owed. A job that fails is logged and left
 * owed for the next run (the sweep), and the run goes on with the others.
 */
export function createOwedDrain(deps: TicketDeps, log: Logger): OwedDrain {
  let running: Promise<void> | null = null;
  let again = false;
  const run = async () => {
    const failed = new Set<string>();
    for (;;) {
      let attempted: string | null = null;
      try {
        if ((await resolveNextOwed(deps, failed, (ticketId) => (attempted = ticketId))) === null) return;
      } catch (err) {
        log.error({ err, ticketId: attempted }, 'a problem’s incident could not be resolved; it stays owed');
        // Nothing claimed (the database away, say): the next sweep comes back to it.
        if (attempted === null) return;
        failed.add(attempted);
      }
    }
  };
  const start = () => {
    running = run()
      .catch((err: unknown) => log.error({ err }, 'the problem resolutions run failed'))
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          start();
        }
      });
  };
  return {
    poke() {
      if (running) again = true;
      else start();
    },
    async idle() {
      while (running) await running;
    },
  };
}
