import type { Logger } from '../log.js';

export interface Sweep {
  /** What it is, for the log: "storm sweep failed". */
  name: string;
  everyMs: number;
  /** One pass; resolves with how many things it did (logged when some). */
  run(): Promise<number>;
  /** The log line of a pass that did something, with the count under `key`. */
  done: { key: string; message: string };
}

/**
 * A worker's periodic pass over the database (storms, approval reminders): one pass at a time (a slow
 * one is not overtaken by the next tick), a failure logged and retried at the next tick, and a stop
 * that waits for the pass in hand. The timer does not keep the process alive.
 */
export function startSweep(log: Logger, sweep: Sweep): () => Promise<void> {
  let running: Promise<unknown> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = sweep
      .run()
      .then((n) => n > 0 && log.info({ [sweep.done.key]: n }, sweep.done.message))
      .catch((err: unknown) => log.warn({ err: err instanceof Error ? err.message : String(err) }, `${sweep.name} failed`))
      .finally(() => {
        running = null;
      });
  }, sweep.everyMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
