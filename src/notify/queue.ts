import Bull from 'bull';
import type { DeliveryJob } from './deliver.js';
import type { DueRow, OutboxChannel } from '../store/outbox-deliveries.js';

/**
 * The bull queue `notify`: one job per attempt of an outbox row. The database owns what is owed
 * and when (status, attempts, next_attempt_at); the queue carries the work to a worker quickly,
 * spreads it over worker processes, and paces SMS to what Twilio accepts from one number.
 */

const QUEUE_NAME = 'notify';

export interface NotifyJobData extends DeliveryJob {
  /** The rate-limit group: the sender's number for SMS, the row itself for email (unlimited). */
  group: string;
}

export interface QueueOptions {
  redisUrl: string;
  /** Key prefix in Redis (bull's default `bull`); tests give each their own. */
  prefix?: string;
  /** SMS per second from one number: Twilio queues past 1/s on a long code, and drops after hours of backlog. */
  smsPerSecond: number;
  /** How long a job's lock lasts in Redis without renewal. */
  lockDurationMs?: number;
}

export function createNotifyQueue(options: QueueOptions): Bull.Queue<NotifyJobData> {
  return new Bull<NotifyJobData>(QUEUE_NAME, options.redisUrl, {
    ...(options.prefix ? { prefix: options.prefix } : {}),
    // bull's limiter counts per group (the part of the job id after its last ':'); SMS jobs share
    // their sender's group, each email job has one of its own and is never held back.
    limiter: { ...pace(options.smsPerSecond), groupKey: 'group' },
    settings: {
      // A job a killed worker had taken but not yet claimed keeps its id in Redis until bull sees it
      // stalled, and the scan's job for the same row and attempt is refused as a duplicate until
      // then: with bull's 60 s lock and 30 s check an acknowledgement waited up to 90 s after a
      // kill -9. A live worker renews the lock every half lock.
      lockDuration: options.lockDurationMs ?? 10_000,
      stalledInterval: 5_000,
      // A stalled job is only a hint: the row's lease decides, and a stale job finds nothing to claim.
      maxStalledCount: 1,
    },
    defaultJobOptions: { removeOnComplete: true, removeOnFail: true, attempts: 1 },
  });
}

/** `max` jobs per `duration` ms: evenly spaced, not bursts (Twilio meters each second). */
function pace(perSecond: number): { max: number; duration: number } {
  if (!(perSecond > 0)) throw new Error('smsPerSecond must be positive');
  return perSecond >= 1 ? { max: Math.round(perSecond), duration: 1000 } : { max: 1, duration: Math.round(1000 / perSecond) };
}

/** Offers and P1 news jump the queue: a technician waiting on a text is the desk's critical path. */
function priorityOf(row: Pick<DueRow, 'kind' | 'priority'>): number {
  if (row.kind === 'technician.offer' || row.priority === 'P1') return 1;
  if (row.kind.startsWith('technician.') || row.kind.startsWith('coordinator.')) return 2;
  return 3;
}

/** A group name without ':' (bull splits the job id on it). */
function groupOf(row: { id: number; attempts: number; channel: OutboxChannel }, smsFrom: string | undefined): string {
  return row.channel === 'sms' ? `sms-${(smsFrom ?? 'default').replace(/\D/g, '')}` : `mail-${row.id}-${row.attempts}`;
}

/**
 * Adds the job of a row's next attempt. The job id is `<outbox id>-<attempt>`: the poke and the
 * scan may both see the same row, and bull keeps one job per id; the next attempt gets a new id.
 */
export async function enqueue(
  queue: Bull.Queue<NotifyJobData>,
  row: Pick<DueRow, 'id' | 'attempts' | 'channel' | 'kind' | 'priority'>,
  smsFrom: string | undefined,
  delayMs = 0,
): Promise<void> {
  const data: NotifyJobData = { outboxId: row.id, attempt: row.attempts, group: groupOf(row, smsFrom) };
  await queue.add(data, {
    jobId: `${row.id}-${row.attempts}`,
    priority: priorityOf(row),
    ...(delayMs > 0 ? { delay: delayMs } : {}),
  });
}

/** The job of the next attempt of the same row, after a transient failure. */
export async function enqueueRetry(
  queue: Bull.Queue<NotifyJobData>,
  job: Bull.Job<NotifyJobData>,
  attempt: number,
  delayMs: number,
): Promise<void> {
  const { outboxId, group } = job.data;
  const data: NotifyJobData = { outboxId, attempt, group: group.startsWith('mail-') ? `mail-${outboxId}-${attempt}` : group };
  await queue.add(data, {
    jobId: `${outboxId}-${attempt}`,
    ...(job.opts.priority ? { priority: job.opts.priority } : {}),
    ...(delayMs > 0 ? { delay: delayMs } : {}),
  });
}
