import Bull from 'bull';
import type { Logger } from '../log.js';
import type { TechnicianListener, TicketListener } from '../tickets/deps.js';
import type { QueueCursor } from '../store/routing-repository.js';
import { ROUTE_TRIGGERS } from './on-change.js';
import type { TimerData } from '../rules/timer-plan.js';

export const ROUTING_QUEUE = 'routing';
export const DEFAULT_ROUTING_PREFIX = 'helpdesk';

export type RouteTicketJob = { ticketId: string; events: string[] };
/** No technician: a sweep over everyone with room. */
export type DrainQueueJob = { technicianId?: string; after?: QueueCursor | null };
export type RoutingJobData = RouteTicketJob | DrainQueueJob | TimerData;

/**
 * Every routing job is idempotent (it re-reads the database), so retries are safe; finished jobs
 * are dropped at once so that a timer's id is free again only after it has done its work.
 */
export const JOB_OPTIONS: Bull.JobOptions = {
  removeOnComplete: true,
  removeOnFail: { age: 7 * 24 * 3600 },
  attempts: 5,
  backoff: { type: 'exponential', delay: 200 },
};

/**
 * The producing end of the `routing` queue, shared by every role: the web role enqueues after the
 * API's changes, the worker after its own. It never consumes. Connected by whichever role starts
 * first (several may: connections are counted), so an import or createServices opens nothing.
 */
export interface RoutingProducer {
  /** Connects (or joins an existing connection); the returned function lets go of it. */
  connect(redisUrl: string, prefix?: string): () => Promise<void>;
  readonly prefix: string | null;
  /** A TicketListener: enqueues `route-ticket` after a change that may need routing. */
  ticketChanged: TicketListener;
  /** A TechnicianListener: enqueues `drain-queue` for that technician. */
  technicianChanged: TechnicianListener;
  add(name: string, data: RoutingJobData, options?: Bull.JobOptions): Promise<void>;
}

export function createRoutingProducer(log: Logger): RoutingProducer {
  let queue: Bull.Queue<RoutingJobData> | null = null;
  let prefix: string | null = null;
  let holders = 0;

  const add = async (name: string, data: RoutingJobData, options: Bull.JobOptions = {}) => {
    if (!queue) {
      // Not connected (a process without the web or worker role, or a test): the worker's periodic
      // sweep still finds the work in the database.
      log.debug({ job: name }, 'routing producer not connected; left to the sweep');
      return;
    }
    await queue.add(name, data, { ...JOB_OPTIONS, ...options });
  };
  const fire = (name: string, data: RoutingJobData) => {
    add(name, data).catch((err: unknown) => log.warn({ err: (err as Error).message, job: name }, 'enqueueing a routing job failed'));
  };

  return {
    connect(redisUrl, wanted = DEFAULT_ROUTING_PREFIX) {
      if (queue && prefix !== wanted) {
        log.warn({ prefix, wanted }, 'routing producer already connected under another prefix');
      } else if (!queue) {
        queue = new Bull<RoutingJobData>(ROUTING_QUEUE, redisUrl, { prefix: wanted });
        queue.on('error', (err) => log.warn({ err: err.message }, 'routing producer: redis error'));
        prefix = wanted;
      }
      holders++;
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        if (--holders > 0 || !queue) return;
        const closing = queue;
        queue = null;
        prefix = null;
        await closing.close();
      };
    },
    get prefix() {
      return prefix;
    },
    ticketChanged(change) {
      if (change.events.some((e) => ROUTE_TRIGGERS.has(e))) fire('route-ticket', { ticketId: change.ticketId, events: change.events });
    },
    technicianChanged(change) {
      fire('drain-queue', { technicianId: change.technicianId });
    },
    add,
  };
}
