import type { NotifierOptions } from '../../../src/notify/notifier.js';

/** Short timers for tests: a lapsed lease or a retry comes back within a fraction of a second. */
export const FAST: Partial<NotifierOptions> = {
  scanIntervalMs: 200,
  leaseMs: 3_000,
  backoff: { baseMs: 50, maxMs: 200 },
  smsPerSecond: 100,
};
