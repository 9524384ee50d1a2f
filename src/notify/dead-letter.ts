import { AppError } from '../errors.js';
import type { Store } from '../store/index.js';
import type { FailedRow } from '../store/dead-letters.js';

/**
 * The dead letters: notifications that will not go out by themselves (refused number or address,
 * undelivered SMS, an outcome nobody can tell). A coordinator reads why, fixes what needs fixing
 * (a technician's number, a requester's address) and asks for a retry.
 */

export async function listFailedNotifications(
  store: Store,
  page: { limit: number; offset: number },
): Promise<{ items: FailedRow[]; total: number }> {
  return store.deadLetters.listFailed(page.limit, page.offset);
}

/** Back to the queue now, past address suppression; the ticket records who asked. */
export async function retryNotification(store: Store, id: number, actor: string): Promise<{ id: number; status: 'pending' }> {
  const row = await store.transaction(async (tx) => {
    const requeued = await tx.deliveries.requeue(id);
    if (requeued?.ticketId) {
      await tx.tickets.appendEvent(requeued.ticketId, 'notification_retried', actor, {
        kind: requeued.kind,
        channel: requeued.channel,
        outboxId: requeued.id,
      });
    }
    return requeued;
  });
  if (row) return { id: row.id, status: 'pending' };
  const status = await store.deadLetters.statusOf(id);
  if (!status) throw new AppError('NOTIFICATION_NOT_FOUND', `notification ${id} does not exist`);
  throw new AppError('CONFLICT', `only a failed notification can be retried; this one is ${status}`, { status });
}
