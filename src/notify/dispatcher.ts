import type Bull from 'bull';
import type { Logger } from '../log.js';
import type { OutboxChannel, OutboxDeliveries } from '../store/outbox-deliveries.js';
import { enqueue, type NotifyJobData } from './queue.js';

/**
 * From due outbox rows to bull jobs. Runs on a poke (the outbox's notification at commit) and on a
 * timer; the timer is what makes the outbox, not Redis, the record: rows whose jobs were lost with
 * Redis, rows whose worker died mid-send (lapsed lease), rows whose retry is due, all come back on
 * the next scan.
 */

export interface DispatcherOptions {
  outbox: Pick<OutboxDeliveries, 'due'>;
  queue: Bull.Queue<NotifyJobData>;
  log: Logger;
  /** The channels this process can send; rows of the others stay pending for a process that can. */
  channels: OutboxChannel[];
  smsFrom: string | undefined;
  /** Rows per page of a scan. */
  batch?: number;
}

/** How far before the previous pass a poke looks: longer than any transaction that writes rows. */
const POKE_WINDOW_MS = 30_000;

export interface Dispatcher {
  /** New rows were committed: hands the rows written since the last pass to the queue. */
  poke(): void;
  /** The timer: a full pass over every due row (retries, lapsed leases, jobs lost with Redis). */
  sweep(): void;
  /** One full pass now; resolves with how many rows it handed to the queue. */
  scan(): Promise<number>;
  /** Resolves once no pass is running or asked for. */
  idle(): Promise<void>;
}

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { outbox, queue, log } = options;
  const batch = options.batch ?? 500;
  let running: Promise<void> | undefined;
  let wantNew = false;
  let wantAll = false;
  let lastPass = 0;

  // Rows already queued are added again; bull keeps one job per id, so that costs a Redis call per
  // waiting row and nothing more. A poke looks only at rows written shortly before the previous
  // pass (a row's created_at is its transaction's start, before its commit), so a backlog waiting
  // behind the SMS limiter is not re-added on every commit; the timer's sweep looks at all.
  const pass = async (since: Date | undefined): Promise<number> => {
    lastPass = Date.now();
    let total = 0;
    let after = 0;
    for (;;) {
      const rows = await outbox.due(options.channels, batch, after, since);
      await Promise.all(rows.map((row) => enqueue(queue, row, options.smsFrom)));
      total += rows.length;
      const last = rows[rows.length - 1]?.id;
      if (rows.length < batch || last === undefined) return total;
      after = last;
    }
  };

  const loop = async (): Promise<void> => {
    while (wantNew || wantAll) {
      const since = wantAll ? undefined : new Date(lastPass - POKE_WINDOW_MS);
      wantNew = wantAll = false;
      try {
        await pass(since);
      } catch (err) {
        // Database or Redis away: the next timer tick tries again.
        log.warn({ err: err instanceof Error ? err.message : String(err) }, 'outbox scan failed');
      }
    }
  };

  const start = () => {
    running ??= loop().finally(() => {
      running = undefined;
    });
  };

  return {
    poke() {
      wantNew = true;
      start();
    },
    sweep() {
      wantAll = true;
      start();
    },
    scan: () => pass(undefined),
    async idle() {
      while (running) await running;
    },
  };
}
