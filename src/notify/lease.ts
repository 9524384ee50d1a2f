import type { Logger } from '../log.js';
import type { OutboxDeliveries } from '../store/outbox-deliveries.js';

/**
 * A claim kept alive by its holder. The lease is short, so that a row whose worker was killed
 * (`kill -9`, a lost machine) is taken over within seconds instead of minutes; the worker that
 * holds it renews it several times per lease while it works, so a slow send (SMTP may take 30 s)
 * is never mistaken for a dead worker. Only a holder that stops renewing loses the row: a dead
 * process, or one that cannot reach the database (and then cannot record its outcome either; the
 * attempt number in every write keeps the two holders from both recording).
 */

/** Renewals per lease: two may fail (a slow database) before the lease runs out. */
const RENEWALS_PER_LEASE = 3;

export interface HeldLease {
  /** Stops renewing; the claim then lasts what is left of the lease, or ends with the row's outcome. */
  release(): void;
}

export function holdLease(
  outbox: Pick<OutboxDeliveries, 'renew'>,
  row: { id: number; attempts: number },
  leaseMs: number,
  log: Logger,
): HeldLease {
  let renewing: Promise<void> | undefined;
  const timer = setInterval(
    () => {
      // One renewal at a time: a database slower than the interval does not pile them up.
      renewing ??= outbox
        .renew(row.id, row.attempts, leaseMs)
        .then((held) => {
          if (!held) clearInterval(timer);
        })
        .catch((err: unknown) =>
          log.warn({ err: err instanceof Error ? err.message : String(err), outboxId: row.id }, 'could not renew a notification lease'),
        )
        .finally(() => {
          renewing = undefined;
        });
    },
    Math.max(10, Math.floor(leaseMs / RENEWALS_PER_LEASE)),
  );
  // A renewal must not keep a process alive that has nothing else to do.
  timer.unref();
  return { release: () => clearInterval(timer) };
}
