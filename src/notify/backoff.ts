/**
 * When a transient failure is tried again: exponential backoff with "equal jitter" (half the delay
 * fixed, half random), so that a burst of notifications failing together during an SMTP or Twilio
 * outage does not come back as a burst, yet never retries sooner than half the nominal delay.
 */
export interface BackoffPolicy {
  /** Delay after the first failure. */
  baseMs: number;
  /** The delay stops growing here: an outage of a day is retried every `maxMs`, never given up. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 5_000, maxMs: 30 * 60_000 };

/** `failures`: how many attempts have failed so far (1 after the first). */
export function backoffDelay(failures: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(failures - 1, 0), 30);
  const nominal = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  return Math.round(nominal / 2 + random() * (nominal / 2));
}
