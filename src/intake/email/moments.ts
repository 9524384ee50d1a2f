/**
 * The moments inbound emails are recorded at: each its own millisecond, in UID order and after
 * every email this mail role recorded before, so that a ticket's messages read back in the order
 * they came however many arrive in one round, and a later round's after an earlier one's (two
 * rounds may start within one millisecond, on two lanes or two mailboxes).
 */
export interface Moments {
  /** The first of `count` consecutive milliseconds, none before `now` nor before one given already. */
  take(count: number, now: Date): number;
}

export function createMoments(): Moments {
  let last = 0;
  return {
    take(count, now) {
      const start = Math.max(now.getTime(), last + 1);
      last = start + Math.max(0, count - 1);
      return start;
    },
  };
}
