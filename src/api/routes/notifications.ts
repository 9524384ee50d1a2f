import { z } from 'zod';
import { AppError } from '../../errors.js';
import { listFailedNotifications, retryNotification } from '../../notify/dead-letter.js';
import type { Store } from '../../store/index.js';
import { route, type Route } from '../route.js';

const failedQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

function outboxId(raw: string): number {
  if (!/^\d{1,15}$/.test(raw)) throw new AppError('NOTIFICATION_NOT_FOUND', `notification ${raw} does not exist`);
  return Number(raw);
}

/** The notifications' dead-letter view, for coordinators. */
export function notificationRoutes(store: Store): Route[] {
  return [
    route<Record<string, string>, z.infer<typeof failedQuery>>({
      method: 'get',
      path: '/notifications/failed',
      tag: 'notifications',
      summary: 'Notifications that gave up (refused, undelivered, outcome unknown), newest first, with why',
      access: 'coordinator',
      query: failedQuery,
      async handler({ query }) {
        return { body: await listFailedNotifications(store, query) };
      },
    }),
    route<{ id: string }>({
      method: 'post',
      path: '/notifications/:id/retry',
      tag: 'notifications',
      summary: 'Send a failed notification again (past address suppression); 409 unless it failed',
      access: 'coordinator',
      status: 202,
      async handler({ params }) {
        return { status: 202, body: await retryNotification(store, outboxId(params.id), 'coordinator') };
      },
    }),
  ];
}
